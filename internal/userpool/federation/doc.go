// Package federation holds a pool's identity providers (OIDC, the social
// providers and SAML, stored and described as Cognito does), the links
// between federated identities and native users (AdminLinkProviderForUser,
// AdminDisableProviderForUser), and sign-in through an OIDC provider: the
// upstream client (discovery, code exchange, ID token verification,
// userInfo), the attribute mapping and the linked or federated user a
// sign-in ends with.
//
// It knows no HTTP server: package login carries the browser through the
// authorize request, the state and the callback, and issues the codes.
package federation
