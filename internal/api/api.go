package api

import (
	"context"
	"fmt"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// op adapts a typed service method to an awsjson.Handler.
func op[In, Out any](f func(context.Context, *In) (Out, error)) awsjson.Handler {
	return func(ctx context.Context, input any) (any, error) {
		in, ok := input.(*In)
		if !ok {
			return nil, fmt.Errorf("api: input is %T, want %T", input, in)
		}
		out, err := f(ctx, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// Handlers returns the implemented operations of s by name.
func Handlers(s *userpool.Service) map[string]awsjson.Handler {
	return map[string]awsjson.Handler{
		// Pools and app clients.
		"CreateUserPool":             op(s.Pools.CreateUserPool),
		"DescribeUserPool":           op(s.Pools.DescribeUserPool),
		"GetUserPoolMfaConfig":       op(s.Pools.GetUserPoolMfaConfig),
		"SetUserPoolMfaConfig":       op(s.Pools.SetUserPoolMfaConfig),
		"UpdateUserPool":             op(s.Pools.UpdateUserPool),
		"DeleteUserPool":             op(s.Pools.DeleteUserPool),
		"ListUserPools":              op(s.Pools.ListUserPools),
		"AddCustomAttributes":        op(s.Pools.AddCustomAttributes),
		"CreateUserPoolClient":       op(s.Pools.CreateUserPoolClient),
		"DescribeUserPoolClient":     op(s.Pools.DescribeUserPoolClient),
		"UpdateUserPoolClient":       op(s.Pools.UpdateUserPoolClient),
		"DeleteUserPoolClient":       op(s.Pools.DeleteUserPoolClient),
		"ListUserPoolClients":        op(s.Pools.ListUserPoolClients),
		"AddUserPoolClientSecret":    op(s.Pools.AddUserPoolClientSecret),
		"ListUserPoolClientSecrets":  op(s.Pools.ListUserPoolClientSecrets),
		"DeleteUserPoolClientSecret": op(s.Pools.DeleteUserPoolClientSecret),
		"TagResource":                op(s.Pools.TagResource),
		"UntagResource":              op(s.Pools.UntagResource),
		"ListTagsForResource":        op(s.Pools.ListTagsForResource),

		// Groups.
		"CreateGroup":              op(s.Groups.CreateGroup),
		"GetGroup":                 op(s.Groups.GetGroup),
		"UpdateGroup":              op(s.Groups.UpdateGroup),
		"DeleteGroup":              op(s.Groups.DeleteGroup),
		"ListGroups":               op(s.Groups.ListGroups),
		"AdminAddUserToGroup":      op(s.Groups.AdminAddUserToGroup),
		"AdminRemoveUserFromGroup": op(s.Groups.AdminRemoveUserFromGroup),
		"AdminListGroupsForUser":   op(s.Groups.AdminListGroupsForUser),
		"ListUsersInGroup":         op(s.Groups.ListUsersInGroup),

		// Resource servers.
		"CreateResourceServer":   op(s.ResourceServers.CreateResourceServer),
		"DescribeResourceServer": op(s.ResourceServers.DescribeResourceServer),
		"UpdateResourceServer":   op(s.ResourceServers.UpdateResourceServer),
		"DeleteResourceServer":   op(s.ResourceServers.DeleteResourceServer),
		"ListResourceServers":    op(s.ResourceServers.ListResourceServers),

		// Domains.
		"CreateUserPoolDomain":   op(s.Domains.CreateUserPoolDomain),
		"DescribeUserPoolDomain": op(s.Domains.DescribeUserPoolDomain),
		"UpdateUserPoolDomain":   op(s.Domains.UpdateUserPoolDomain),
		"DeleteUserPoolDomain":   op(s.Domains.DeleteUserPoolDomain),

		// Administration of users.
		"AdminCreateUser":              op(s.Users.AdminCreateUser),
		"AdminGetUser":                 op(s.Users.AdminGetUser),
		"AdminDeleteUser":              op(s.Users.AdminDeleteUser),
		"AdminDisableUser":             op(s.Users.AdminDisableUser),
		"AdminEnableUser":              op(s.Users.AdminEnableUser),
		"AdminSetUserPassword":         op(s.Users.AdminSetUserPassword),
		"AdminConfirmSignUp":           op(s.Users.AdminConfirmSignUp),
		"AdminUpdateUserAttributes":    op(s.Users.AdminUpdateUserAttributes),
		"AdminDeleteUserAttributes":    op(s.Users.AdminDeleteUserAttributes),
		"AdminUserGlobalSignOut":       op(s.Users.AdminUserGlobalSignOut),
		"ListUsers":                    op(s.Users.ListUsers),
		"AdminResetUserPassword":       op(s.Users.AdminResetUserPassword),
		"AdminSetUserSettings":         op(s.Users.AdminSetUserSettings),
		"AdminListUserAuthEvents":      op(s.Users.AdminListUserAuthEvents),
		"AdminUpdateAuthEventFeedback": op(s.Users.AdminUpdateAuthEventFeedback),

		// Sign-up and sign-in.
		"SignUp":                      op(s.Users.SignUp),
		"ConfirmSignUp":               op(s.Users.ConfirmSignUp),
		"ResendConfirmationCode":      op(s.Users.ResendConfirmationCode),
		"InitiateAuth":                op(s.Auth.InitiateAuth),
		"AdminInitiateAuth":           op(s.Auth.AdminInitiateAuth),
		"RespondToAuthChallenge":      op(s.Auth.RespondToAuthChallenge),
		"AdminRespondToAuthChallenge": op(s.Auth.AdminRespondToAuthChallenge),
		"ForgotPassword":              op(s.Users.ForgotPassword),
		"ConfirmForgotPassword":       op(s.Users.ConfirmForgotPassword),
		"UpdateAuthEventFeedback":     op(s.Users.UpdateAuthEventFeedback),
		"ChangePassword":              op(s.Users.ChangePassword),
		"GlobalSignOut":               op(s.Users.GlobalSignOut),
		"RevokeToken":                 op(s.Tokens.RevokeToken),
		"GetTokensFromRefreshToken":   op(s.Tokens.GetTokensFromRefreshToken),
		"GetSigningCertificate":       op(s.Tokens.GetSigningCertificate),

		// Second factors.
		"AssociateSoftwareToken":    op(s.MFA.AssociateSoftwareToken),
		"VerifySoftwareToken":       op(s.MFA.VerifySoftwareToken),
		"SetUserMFAPreference":      op(s.MFA.SetUserMFAPreference),
		"AdminSetUserMFAPreference": op(s.MFA.AdminSetUserMFAPreference),
		"GetUserAuthFactors":        op(s.MFA.GetUserAuthFactors),

		// Identity providers and linked identities.
		"CreateIdentityProvider":          op(s.Federation.CreateIdentityProvider),
		"DescribeIdentityProvider":        op(s.Federation.DescribeIdentityProvider),
		"UpdateIdentityProvider":          op(s.Federation.UpdateIdentityProvider),
		"DeleteIdentityProvider":          op(s.Federation.DeleteIdentityProvider),
		"ListIdentityProviders":           op(s.Federation.ListIdentityProviders),
		"GetIdentityProviderByIdentifier": op(s.Federation.GetIdentityProviderByIdentifier),
		"AdminLinkProviderForUser":        op(s.Federation.AdminLinkProviderForUser),
		"AdminDisableProviderForUser":     op(s.Federation.AdminDisableProviderForUser),

		// Passkeys.
		"StartWebAuthnRegistration":    op(s.Passkeys.StartWebAuthnRegistration),
		"CompleteWebAuthnRegistration": op(s.Passkeys.CompleteWebAuthnRegistration),
		"ListWebAuthnCredentials":      op(s.Passkeys.ListWebAuthnCredentials),
		"DeleteWebAuthnCredential":     op(s.Passkeys.DeleteWebAuthnCredential),

		// Remembered devices.
		"ConfirmDevice":           op(s.Devices.ConfirmDevice),
		"GetDevice":               op(s.Devices.GetDevice),
		"ListDevices":             op(s.Devices.ListDevices),
		"ForgetDevice":            op(s.Devices.ForgetDevice),
		"UpdateDeviceStatus":      op(s.Devices.UpdateDeviceStatus),
		"AdminGetDevice":          op(s.Devices.AdminGetDevice),
		"AdminListDevices":        op(s.Devices.AdminListDevices),
		"AdminForgetDevice":       op(s.Devices.AdminForgetDevice),
		"AdminUpdateDeviceStatus": op(s.Devices.AdminUpdateDeviceStatus),

		// The signed-in user.
		"GetUser":                          op(s.Users.GetUser),
		"DeleteUser":                       op(s.Users.DeleteUser),
		"UpdateUserAttributes":             op(s.Users.UpdateUserAttributes),
		"DeleteUserAttributes":             op(s.Users.DeleteUserAttributes),
		"GetUserAttributeVerificationCode": op(s.Users.GetUserAttributeVerificationCode),
		"VerifyUserAttribute":              op(s.Users.VerifyUserAttribute),
		"SetUserSettings":                  op(s.Users.SetUserSettings),

		// User import jobs.
		"GetCSVHeader":          op(s.Imports.GetCSVHeader),
		"CreateUserImportJob":   op(s.Imports.CreateUserImportJob),
		"StartUserImportJob":    op(s.Imports.StartUserImportJob),
		"StopUserImportJob":     op(s.Imports.StopUserImportJob),
		"DescribeUserImportJob": op(s.Imports.DescribeUserImportJob),
		"ListUserImportJobs":    op(s.Imports.ListUserImportJobs),

		// Settings stored but not acted on.
		"SetLogDeliveryConfiguration": op(s.Settings.SetLogDeliveryConfiguration),
		"GetLogDeliveryConfiguration": op(s.Settings.GetLogDeliveryConfiguration),
		"SetRiskConfiguration":        op(s.Settings.SetRiskConfiguration),
		"DescribeRiskConfiguration":   op(s.Settings.DescribeRiskConfiguration),

		// How the hosted pages look.
		"SetUICustomization":                   op(s.Branding.SetUICustomization),
		"GetUICustomization":                   op(s.Branding.GetUICustomization),
		"CreateManagedLoginBranding":           op(s.Branding.CreateManagedLoginBranding),
		"DescribeManagedLoginBranding":         op(s.Branding.DescribeManagedLoginBranding),
		"DescribeManagedLoginBrandingByClient": op(s.Branding.DescribeManagedLoginBrandingByClient),
		"UpdateManagedLoginBranding":           op(s.Branding.UpdateManagedLoginBranding),
		"DeleteManagedLoginBranding":           op(s.Branding.DeleteManagedLoginBranding),
		"CreateTerms":                          op(s.Branding.CreateTerms),
		"DescribeTerms":                        op(s.Branding.DescribeTerms),
		"UpdateTerms":                          op(s.Branding.UpdateTerms),
		"DeleteTerms":                          op(s.Branding.DeleteTerms),
		"ListTerms":                            op(s.Branding.ListTerms),
	}
}

// Notes returns what the README says about an operation beyond whether it
// is implemented, by name.
func Notes() map[string]string {
	const stored = "stored, validated and returned; not acted on"
	const classic = "applied to the hosted pages of a domain with ManagedLoginVersion 1: the CSS after the pages' own, the logo above the form; ImageUrl is served by Cognate"
	const branding = "applied to the hosted pages of a domain with ManagedLoginVersion 2: colours and corner radii of page, form, buttons, inputs, labels, links, text and errors, the form logo, page background and favicon; layout, header, footer and text settings are stored only"
	const terms = "the sign-up page of a domain with ManagedLoginVersion 2 links to the client's terms of use and privacy policy"
	return map[string]string{
		"CreateUserImportJob":                  "PreSignedUrl is Cognate's own upload endpoint (PUT the CSV file); CloudWatchLogsRoleArn is stored, row failures go to the server log",
		"StartUserImportJob":                   "users are created RESET_REQUIRED, in batches, through AdminCreateUser's checks",
		"SetLogDeliveryConfiguration":          stored + " (no logs are delivered)",
		"GetLogDeliveryConfiguration":          stored + " (no logs are delivered)",
		"SetRiskConfiguration":                 stored + " (no sign-in is risk-scored or blocked)",
		"DescribeRiskConfiguration":            stored + " (no sign-in is risk-scored or blocked)",
		"SetUICustomization":                   classic,
		"GetUICustomization":                   classic,
		"CreateManagedLoginBranding":           branding,
		"UpdateManagedLoginBranding":           branding,
		"DeleteManagedLoginBranding":           "the client's hosted pages return to Cognate's own look",
		"CreateTerms":                          terms,
		"UpdateTerms":                          terms,
		"CreateIdentityProvider":               "OIDC, Google, Facebook, Login with Amazon and Sign in with Apple providers sign users in through the managed login, with Cognito's default endpoints (docs/federation.md); SAML providers are stored, validated and described only",
		"UpdateIdentityProvider":               "OIDC, Google, Facebook, Login with Amazon and Sign in with Apple providers sign users in through the managed login, with Cognito's default endpoints (docs/federation.md); SAML providers are stored, validated and described only",
		"AdminLinkProviderForUser":             "the linked OIDC identity then signs in through the managed login as the native user",
		"AdminDisableProviderForUser":          "unlinks the identity and disables its federated user, which can then no longer sign in",
		"AdminUpdateAuthEventFeedback":         "feedback stored and shown by AdminListUserAuthEvents; no risk rating changes",
		"UpdateAuthEventFeedback":              "as AdminUpdateAuthEventFeedback; the FeedbackToken is handed out nowhere (no risk notification emails are sent)",
		"DescribeManagedLoginBranding":         "ReturnMergedResources adds nothing (Cognito's default style values are not known)",
		"DescribeManagedLoginBrandingByClient": "ReturnMergedResources adds nothing (Cognito's default style values are not known)",
		"SetUserPoolMfaConfig":                 "WebAuthnConfiguration.RelyingPartyId is required for passkeys (no fallback to the pool's domain)",
		"CreateUserPoolDomain":                 "prefix and custom domains; a custom domain is stored with a made-up CloudFront name",
	}
}
