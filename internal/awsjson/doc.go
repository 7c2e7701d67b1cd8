// Package awsjson is the awsJson1_1 edge of Cognate: it reads the
// X-Amz-Target header, decodes and validates the request body against the
// official model, calls the operation and writes the response. It is the one
// place where errors become wire JSON.
//
// It must not know any user-pool rule or storage detail.
package awsjson
