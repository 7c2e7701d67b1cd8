// Package passkeys holds users' WebAuthn credentials: registration
// (StartWebAuthnRegistration, CompleteWebAuthnRegistration), listing and
// deletion, and the assertion checks behind the WEB_AUTHN sign-in
// challenge of package auth. Attestations and assertions are verified by
// github.com/go-webauthn/webauthn.
package passkeys
