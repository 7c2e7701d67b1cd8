// Package cli holds cognate's client commands (update-user-attribute,
// sign-in, get-user, messages …), built on aws-sdk-go-v2 so they work
// against Amazon Cognito and against `cognate serve` alike.
//
// The commands mirror the AWS Tools for PowerShell cmdlets
// (Update-CGIPUserAttribute and its neighbours): the same parameters,
// -Select ('*', a response property, or '^Parameter'), the deprecated
// -PassThru, a confirmation prompt skipped by -Force, and a redacted call
// history like $AWSHistory.
//
// Every command here calls an operation the SDK sends unsigned (the user's
// access token or password is the authorisation), so no AWS credentials
// are read or sent. Signed admin operations are deliberately absent.
//
// It must not import the server's packages: it speaks only the wire API
// (and the local GET /_cognate/messages hook). It reads the environment
// only through Env.Getenv.
package cli
