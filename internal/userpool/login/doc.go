// Package login implements the managed login of pool domains: the
// authorize endpoint's checks, sign-in on the hosted pages (through the
// auth area, so with the same lockout, triggers and challenges as the
// API), sign-up, confirmation, password reset and authenticator setup
// (through the users and mfa areas, as their API operations), the hosted
// session, authorization codes and their exchange, the refresh_token
// grant, userInfo, revocation and logout, and sign-in through an upstream
// OIDC provider (the sealed state and the idpresponse callback; package
// federation talks to the provider).
//
// It knows no HTTP: package hosted serves the pages and endpoints and
// maps the errors here (*AuthorizeError, *cognito.OAuthError) to them.
// It is above auth, the top sign-in layer, and nothing imports it.
package login
