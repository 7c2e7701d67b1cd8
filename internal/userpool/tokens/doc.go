// Package tokens owns each pool's signing keys and the JWTs made with them:
// JWKS and OpenID discovery documents, issuing ID, access and refresh
// tokens (with the PreTokenGeneration trigger), verifying access tokens for
// the operations that take one, refreshing and revoking.
//
// It must not know how a user signed in: callers hand it a verified user
// and client. Token formats and signature checks live in package token.
package tokens
