// Package token is Cognate's token cryptography: RSA signing keys and their
// key IDs, compact JWS (RS256) issue and verification, the JWKS document,
// the claims of access tokens, a cache of already verified access tokens,
// and sealed opaque values (auth Session, SRP SECRET_BLOCK and the
// JWE-shaped refresh token).
//
// The package does cryptography and parsing only. It must not know
// Cognito's rules: which claims a token carries, expiry, scopes, revocation,
// user or pool state, and how failures map to Cognito errors all belong to
// the caller (userpool). In particular Verify and Verifier.VerifyAccess
// never look at exp, iat, token_use or scope; the caller checks them on
// every request. The package knows no storage, HTTP or clock.
//
// Failures are reported as the sentinel errors ErrMalformed, ErrUnknownKey
// and ErrBadSignature (possibly wrapped with detail; test with errors.Is).
// Error texts never contain key material, signatures or sealed payloads.
package token
