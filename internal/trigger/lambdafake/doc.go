// Package lambdafake is an in-process fake of the AWS Lambda Invoke API
// (POST /2015-03-31/functions/{name}/invocations) for tests: it records
// every event and answers with scripted responses. It is a non-test package
// so that the server's end-to-end tests can reuse it.
//
// It must not know Cognito or trigger semantics: events are opaque bytes.
package lambdafake
