// Package userpool assembles the user-pool service from its areas, one
// package each under this directory:
//
//	core       records (pools, clients, users, groups), loading and saving them, the
//	           schema, IDs, errors and the Env every area embeds
//	passwords  hashing, policy, lockout, temporary passwords, SRP verifiers
//	triggers   Lambda trigger events and how their answers apply
//	tokens     signing keys, JWKS, token issue, verification, refresh, revocation
//	delivery   verification codes and the messages that carry them
//	resourceservers
//	           OAuth resource servers and their custom scopes
//	domains    the prefix and custom domains of pools, unique across pools
//	oauth      the token endpoint of pool domains (client_credentials)
//	pools      the pool and app-client operations
//	groups     groups and their members
//	users      the user and attribute operations, sign-up, password reset
//	federation identity providers and the federated identities linked to users
//	imports    user import jobs: the CSV header, the upload, the import of its rows
//	mfa        authenticator (TOTP) association and users' MFA preferences
//	passkeys   WebAuthn credentials: registration, listing, and assertion checks
//	devices    remembered devices: device keys, ConfirmDevice and the device operations
//	auth       the sign-in flows and their challenges, MFA among them
//	login      managed login on pool domains: authorize, the hosted sign-in, codes,
//	           the code and refresh grants, userInfo, revoke and logout
//	settings   log delivery and risk configurations, stored but not acted on
//	branding   how the hosted pages look: UI customization, managed login branding,
//	           terms documents; stored but not applied
//
// An area imports only core and the areas listed above it, never one below
// (layers_test.go holds the rule). New wires the areas together; package api
// maps each operation name to a method of one area.
package userpool
