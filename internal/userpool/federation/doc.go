// Package federation holds a pool's identity providers (OIDC, the social
// providers and SAML, stored and described as Cognito does) and the links
// between federated identities and native users (AdminLinkProviderForUser,
// AdminDisableProviderForUser).
package federation
