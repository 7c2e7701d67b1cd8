// Package mfa holds users' second factors: authenticator (TOTP)
// association and verification, and the MFA preferences of
// SetUserMFAPreference and AdminSetUserMFAPreference. The sign-in
// challenges that ask for a factor live in package auth, which checks
// codes through this package.
package mfa
