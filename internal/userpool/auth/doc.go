// Package auth implements sign-in: InitiateAuth and AdminInitiateAuth
// (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH,
// REFRESH_TOKEN_AUTH), RespondToAuthChallenge and its admin form
// (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED), sealed challenge sessions,
// user migration on sign-in and the answers for unknown users.
//
// It is the top layer: no other area imports it. Tokens come from the
// tokens area, users are created and changed through the users area.
package auth
