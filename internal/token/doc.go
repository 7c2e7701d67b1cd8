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
// The JOSE library is go-jose (github.com/go-jose/go-jose/v4): Verify parses
// and checks compact JWS with it, allowing RS256 only, and JWKS/ParseJWKS
// encode and decode keys with its JSONWebKey. Two things stay on the
// standard library, for the wire shape. Sign builds the header and payload
// bytes itself and signs them with crypto/rsa, because go-jose writes header
// members sorted ({"alg","kid"}) and Cognito's order is {"kid","alg"}.
// SealJWE/OpenJWE use crypto/cipher AES-256-GCM: the refresh token's fixed
// header {"cty","enc","alg"} cannot come out of go-jose either, its 256-byte
// "encrypted key" is keyed filler rather than an RSA-OAEP ciphertext (real
// RSA-OAEP would cost an RSA private-key operation per refresh and would not
// open tokens already issued), and "dir" would drop that segment.
//
// Failures are reported as the sentinel errors ErrMalformed, ErrUnknownKey
// and ErrBadSignature (possibly wrapped with detail; test with errors.Is).
// Error texts never contain key material, signatures or sealed payloads.
package token
