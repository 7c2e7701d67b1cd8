// Package console serves the web console at /_cognate/console: pages for
// people that show pools, users, the outbox and the trigger log, and forms
// that act on them.
//
// Every action calls the same *userpool.Service method the API operation
// calls, with the same request type, so the rules and the Cognito error
// messages are the API's. The package renders HTML (html/template,
// embedded) with a little plain JavaScript and no external assets. It must
// not know storage details or the awsJson1_1 wire format.
//
// Access: when admin credentials are configured the console asks for them
// by HTTP Basic authentication (access key id as user, secret key as
// password) and refuses anyone else; without them it is open, like the
// outbox of a development server. Every POST carries a token bound to the
// session cookie (an HMAC with a key derived from the server secret), and
// the cookies are SameSite=Strict.
package console
