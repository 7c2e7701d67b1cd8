package e2e

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

func oidcDetails() map[string]string {
	return map[string]string{"client_id": "rp", "client_secret": "s3cret", "attributes_request_method": "GET",
		"oidc_issuer": "https://idp.example.com", "authorize_scopes": "openid email"}
}

func TestIdentityProviders(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	pool := aws.String(e.pool)
	create := func(name, typ string, details map[string]string, ids ...string) (*cip.CreateIdentityProviderOutput, error) {
		return e.s.Client.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: pool, ProviderName: aws.String(name),
			ProviderType: types.IdentityProviderTypeType(typ), ProviderDetails: details, IdpIdentifiers: ids})
	}
	out, err := create("Corp", "OIDC", oidcDetails(), "corp.example.com")
	noErr(t, err)
	idp := out.IdentityProvider
	described := oidcDetails()
	described["attributes_url_add_attributes"] = "false" // read-only, set by Cognito
	if aws.ToString(idp.ProviderName) != "Corp" || idp.ProviderType != "OIDC" || !reflect.DeepEqual(idp.ProviderDetails, described) ||
		idp.AttributeMapping["username"] != "sub" || !reflect.DeepEqual(idp.IdpIdentifiers, []string{"corp.example.com"}) || idp.CreationDate == nil {
		t.Fatalf("CreateIdentityProvider = %s", testserver.String(idp))
	}
	_, err = create("Corp", "OIDC", oidcDetails())
	testserver.WantError[*types.DuplicateProviderException](t, err, "Corp already exists in user pool "+e.pool)
	_, err = create("MyGoogle", "Google", map[string]string{"client_id": "a", "client_secret": "b", "authorize_scopes": "email"})
	testserver.WantError[*types.InvalidParameterException](t, err, "Provider MyGoogle cannot be of type Google.")
	_, err = create("Google", "Google", map[string]string{"client_id": "a", "authorize_scopes": "email"})
	testserver.WantError[*types.InvalidParameterException](t, err, "ProviderDetails of a Google provider must include client_secret.")
	_, err = create("Other", "OIDC", oidcDetails(), "corp.example.com")
	testserver.WantError[*types.InvalidParameterException](t, err, "The IdP identifier corp.example.com is already used by provider Corp.")
	g, err := create("Google", "Google", map[string]string{"client_id": "a", "client_secret": "b", "authorize_scopes": "email"})
	noErr(t, err)
	if g.IdentityProvider.AttributeMapping["username"] != "sub" {
		t.Errorf("Google mapping = %v", g.IdentityProvider.AttributeMapping)
	}
	_, err = create("Okta", "SAML", map[string]string{"MetadataURL": "https://okta.example.com/metadata"})
	noErr(t, err)

	byID, err := e.s.Client.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: pool, IdpIdentifier: aws.String("corp.example.com")})
	noErr(t, err)
	if aws.ToString(byID.IdentityProvider.ProviderName) != "Corp" {
		t.Fatalf("by identifier = %s", testserver.String(byID.IdentityProvider))
	}

	// Update merges details, replaces mapping and identifiers.
	up, err := e.s.Client.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: pool, ProviderName: aws.String("Corp"),
		ProviderDetails: map[string]string{"authorize_scopes": "openid"}, AttributeMapping: map[string]string{"email": "email", "username": "sub"},
		IdpIdentifiers: []string{"corp.example.org"}})
	noErr(t, err)
	if up.IdentityProvider.ProviderDetails["client_secret"] != "s3cret" || up.IdentityProvider.ProviderDetails["authorize_scopes"] != "openid" ||
		up.IdentityProvider.AttributeMapping["email"] != "email" {
		t.Fatalf("UpdateIdentityProvider = %s", testserver.String(up.IdentityProvider))
	}
	_, err = e.s.Client.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: pool, IdpIdentifier: aws.String("corp.example.com")})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "Identity provider does not exist.")

	// Listing pages in name order.
	var names []string
	var next *string
	for {
		page, err := e.s.Client.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: pool, MaxResults: aws.Int32(2), NextToken: next})
		noErr(t, err)
		for _, p := range page.Providers {
			names = append(names, aws.ToString(p.ProviderName))
		}
		if next = page.NextToken; next == nil {
			break
		}
	}
	if !reflect.DeepEqual(names, []string{"Corp", "Google", "Okta"}) {
		t.Fatalf("ListIdentityProviders = %v", names)
	}

	_, err = e.s.Client.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: pool, ProviderName: aws.String("Okta")})
	noErr(t, err)
	_, err = e.s.Client.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: pool, ProviderName: aws.String("Okta")})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "Identity provider does not exist.")
	// A deleted provider's identifiers are free again.
	_, err = e.s.Client.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: pool, ProviderName: aws.String("Corp")})
	noErr(t, err)
	_, err = create("Corp2", "OIDC", oidcDetails(), "corp.example.org")
	noErr(t, err)
}

func TestLinkProviderForUser(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	pool := aws.String(e.pool)
	_, err := e.s.Client.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: pool, ProviderName: aws.String("Corp"),
		ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails()})
	noErr(t, err)
	e.s.User(t, e.pool, "ana")
	e.s.User(t, e.pool, "bob")
	src := func(v string) *types.ProviderUserIdentifierType {
		return &types.ProviderUserIdentifierType{ProviderName: aws.String("Corp"), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String(v)}
	}
	dst := func(name string) *types.ProviderUserIdentifierType {
		return &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String(name)}
	}
	link := func(d, s *types.ProviderUserIdentifierType) error {
		_, err := e.s.Client.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{UserPoolId: pool, DestinationUser: d, SourceUser: s})
		return err
	}
	noErr(t, link(dst("ana"), src("corp-123")))
	testserver.WantError[*types.AliasExistsException](t, link(dst("bob"), src("corp-123")), "The SourceUser is already linked to a user.")
	testserver.WantError[*types.UserNotFoundException](t, link(dst("nobody"), src("corp-9")), "User does not exist.")
	testserver.WantError[*types.InvalidParameterException](t, link(&types.ProviderUserIdentifierType{ProviderName: aws.String("Corp"),
		ProviderAttributeValue: aws.String("ana")}, src("corp-9")), "DestinationUser must be a Cognito user: its ProviderName must be Cognito.")
	bad := src("corp-9")
	bad.ProviderName = aws.String("Nope")
	testserver.WantError[*types.ResourceNotFoundException](t, link(dst("ana"), bad), "Identity provider does not exist.")
	for i := 1; i < 5; i++ {
		noErr(t, link(dst("ana"), src("corp-"+string(rune('a'+i)))))
	}
	testserver.WantError[*types.LimitExceededException](t, link(dst("ana"), src("corp-z")), "A user can have at most 5 linked identities.")

	// Unlinking frees the identity for another user.
	disable := func(v string) error {
		_, err := e.s.Client.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: pool, User: src(v)})
		return err
	}
	noErr(t, disable("corp-123"))
	testserver.WantError[*types.UserNotFoundException](t, disable("corp-123"), "User does not exist.")
	noErr(t, link(dst("bob"), src("corp-123")))
}
