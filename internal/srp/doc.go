// Package srp implements the SRP-6a variant Cognito uses for USER_SRP_AUTH
// and the PASSWORD_VERIFIER challenge: the server side (Server.Begin and
// Server.Verify), verifier creation when a password is set (NewVerifier),
// and a client (Client) for tests and the `cognate sign-in` command.
//
// The math follows the Cognito clients (amazon-cognito-identity-js,
// pycognito, the .NET extension): the RFC 3526 3072-bit group with g = 2,
// SHA-256, k = H(pad(N) ‖ pad(g)), x = H(pad(salt) ‖ H(poolName ‖
// USER_ID_FOR_SRP ‖ ":" ‖ password)), u = H(pad(A) ‖ pad(B)), a 16-byte
// HKDF-SHA256 key with info "Caldera Derived Key", and
// PASSWORD_CLAIM_SIGNATURE = HMAC-SHA256(key, poolName ‖ USER_ID_FOR_SRP ‖
// SECRET_BLOCK bytes ‖ TIMESTAMP). pad is the shortest two's-complement
// big-endian encoding of a non-negative integer.
//
// # What is stored
//
// Per user, the caller stores the 16-byte random salt and the verifier
// v = g^x mod N (at most 384 bytes), both from NewVerifier. The password is
// never stored. The verifier depends on the pool name and on USER_ID_FOR_SRP
// (the internal user name), so it must be recomputed if either changes.
//
// # What a leaked verifier gives away
//
// The verifier does not let anyone sign in: a client needs x, and x cannot
// be recovered from v short of a discrete logarithm in the 3072-bit group.
// It is password-equivalent in one respect: with the salt and verifier, an
// attacker can test password guesses offline, each guess costing two SHA-256
// and one modular exponentiation g^x mod N with a 256-bit exponent and a
// 3072-bit modulus (about 2 ms on one core with Go's math/big, measured by
// BenchmarkNewVerifier; optimised or GPU code is faster). There is no
// tunable work factor, so a weak password falls to a dictionary about as
// fast as to a salted hash of comparable cost. The per-user salt and the pool
// and user names inside x prevent precomputed tables and attacking many users
// with one computation. A verifier holder can also play the server's part to
// that user.
//
// # Hardening the caller must do
//
// Seal the verifier at rest with authenticated encryption (for example
// AES-256-GCM) under a server key kept outside the database (configuration or
// a secret manager), with the pool ID and user ID as additional data so a
// sealed verifier cannot be moved to another user. A copy of the database
// alone then gives nothing to guess against; the attacker also needs the
// key. The salt need not be secret. Use a different key, or a derived one, for
// SECRET_BLOCK sealing (NewServer derives its own AES key from the key it is
// given, so sharing a master key is safe).
//
// # Statelessness
//
// Clients such as pycognito send no Session with PASSWORD_VERIFIER, so the
// server keeps no state between Begin and Verify: the SECRET_BLOCK carries b,
// A, B, the pool ID, USER_ID_FOR_SRP, the issue time and a fingerprint of the
// salt and verifier, sealed with AES-256-GCM. A block is accepted for
// SecretBlockTTL (default 5 minutes). Within that time a captured response
// can be replayed; a caller that needs single use must remember accepted
// blocks.
//
// This package must not know about storage, HTTP, Cognito error codes, user
// lookup, SECRET_HASH or lockout counting: callers map ErrInvalidA and
// ErrBadProof to Cognito errors and count failures themselves.
package srp
