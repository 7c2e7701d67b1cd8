// Package api is the operation table: it binds each Cognito operation name
// to the userpool.Service method that serves it.
//
// It must not hold rules (they are in userpool) or wire details (they are
// in awsjson).
package api
