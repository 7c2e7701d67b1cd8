// Package trigger calls Cognito user-pool Lambda triggers (PreSignUp,
// PostConfirmation, PreAuthentication, PostAuthentication,
// PreTokenGeneration, UserMigration, CustomMessage) and maps their failures
// to the exact Cognito exceptions.
//
// It owns three things: the typed trigger events (the JSON Cognito sends and
// the function returns), the Invoker that reaches a function through the AWS
// Lambda Invoke API (AWS, AWS SAM local, LocalStack), and the Caller that
// puts a deadline on every call, logs it without its payload and turns
// failures into *cognito.Error values.
//
// It must not know user-pool rules, storage or HTTP serving: the domain
// (internal/userpool) decides when a trigger runs, fills the request part of
// an event, and applies the response part. Payloads carry passwords and
// codes, so this package never logs them; the optional CallLog keeps the
// last calls in memory, passwords redacted, for admins to inspect.
package trigger
