// Package cognito is Cognate's small shared vocabulary: the typed error that
// every layer returns and the wire layer maps to Cognito's JSON error body.
//
// It must not know about HTTP, SQL or any other package of Cognate.
package cognito
