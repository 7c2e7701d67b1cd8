// Package e2e holds Cognate's end-to-end tests: each starts an in-process
// server (package testserver) and drives it through the real aws-sdk-go-v2
// Cognito client, as users' programs do.
package e2e
