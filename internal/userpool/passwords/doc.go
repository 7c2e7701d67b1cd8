// Package passwords hashes and checks user passwords (argon2id, with a
// bound on concurrent hashes), enforces a pool's password policy, generates
// temporary passwords, derives SRP verifiers and applies the lockout rules
// after failed sign-ins.
//
// It must not know sign-in flows, tokens, triggers or messages: callers
// decide what a wrong password means for the request.
package passwords
