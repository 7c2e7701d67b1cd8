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

// same fails unless got equals want, field for field.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s read back as %s, want %s", what, testserver.String(got), testserver.String(want))
	}
}

// TestTerraformStyleProvisioning applies a pool, a resource server, an app
// client, a group and a domain with the settings the Terraform AWS
// provider sends, then reads each back as the provider does to detect
// drift: every setting must come back unchanged.
func TestTerraformStyleProvisioning(t *testing.T) {
	s := testserver.Start(t)
	ctx := context.Background()

	poolIn := &cip.CreateUserPoolInput{
		PoolName:                    aws.String("tf-pool"),
		AdminCreateUserConfig:       &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: false},
		AutoVerifiedAttributes:      []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		UsernameAttributes:          []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		UsernameConfiguration:       &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
		DeletionProtection:          types.DeletionProtectionTypeInactive,
		MfaConfiguration:            types.UserPoolMfaTypeOff,
		EmailConfiguration:          &types.EmailConfigurationType{EmailSendingAccount: types.EmailSendingAccountTypeCognitoDefault},
		AccountRecoverySetting:      &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)}}},
		UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}},
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(12), RequireLowercase: true,
			RequireNumbers: true, RequireSymbols: false, RequireUppercase: true, TemporaryPasswordValidityDays: 3}},
		VerificationMessageTemplate: &types.VerificationMessageTemplateType{DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithCode,
			EmailMessage: aws.String("Your code is {####}"), EmailSubject: aws.String("Your code"), SmsMessage: aws.String("Code {####}")},
		Schema: []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true),
			DeveloperOnlyAttribute: aws.Bool(false), Required: aws.Bool(false),
			StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("64")}}},
		UserPoolTags: map[string]string{"env": "test", "owner": "platform"},
	}
	created, err := s.Client.CreateUserPool(ctx, poolIn)
	noErr(t, err)
	pool := aws.ToString(created.UserPool.Id)

	rsIn := &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read")},
			{ScopeName: aws.String("write"), ScopeDescription: aws.String("Write")}}}
	_, err = s.Client.CreateResourceServer(ctx, rsIn)
	noErr(t, err)

	clientIn := &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("web"), GenerateSecret: true,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{"openid", "email", "https://api.example.com/read"},
		CallbackURLs:       []string{"https://app.example.com/callback", "http://localhost:3000/callback"},
		LogoutURLs:         []string{"https://app.example.com/"}, DefaultRedirectURI: aws.String("https://app.example.com/callback"),
		ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"},
		SupportedIdentityProviders: []string{"COGNITO"}, PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		ReadAttributes: []string{"email", "email_verified", "custom:tenant"}, WriteAttributes: []string{"email", "custom:tenant"},
		AccessTokenValidity: aws.Int32(60), IdTokenValidity: aws.Int32(60), RefreshTokenValidity: 30, AuthSessionValidity: aws.Int32(5),
		TokenValidityUnits:    &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes, IdToken: types.TimeUnitsTypeMinutes, RefreshToken: types.TimeUnitsTypeDays},
		EnableTokenRevocation: aws.Bool(true), EnablePropagateAdditionalUserContextData: aws.Bool(false)}
	cl, err := s.Client.CreateUserPoolClient(ctx, clientIn)
	noErr(t, err)

	groupIn := &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins"), Description: aws.String("Administrators"),
		Precedence: aws.Int32(1), RoleArn: aws.String("arn:aws:iam::123456789012:role/admins")}
	_, err = s.Client.CreateGroup(ctx, groupIn)
	noErr(t, err)
	_, err = s.Client.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String("tf-pool-test")})
	noErr(t, err)

	// Read back as the provider's refresh does.
	dp, err := s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
	noErr(t, err)
	p := dp.UserPool
	same(t, "PoolName", p.Name, poolIn.PoolName)
	same(t, "AdminCreateUserConfig.AllowAdminCreateUserOnly", p.AdminCreateUserConfig.AllowAdminCreateUserOnly, false)
	same(t, "AutoVerifiedAttributes", p.AutoVerifiedAttributes, poolIn.AutoVerifiedAttributes)
	same(t, "UsernameAttributes", p.UsernameAttributes, poolIn.UsernameAttributes)
	same(t, "UsernameConfiguration", p.UsernameConfiguration, poolIn.UsernameConfiguration)
	same(t, "DeletionProtection", p.DeletionProtection, poolIn.DeletionProtection)
	same(t, "MfaConfiguration", p.MfaConfiguration, poolIn.MfaConfiguration)
	same(t, "EmailConfiguration.EmailSendingAccount", p.EmailConfiguration.EmailSendingAccount, poolIn.EmailConfiguration.EmailSendingAccount)
	same(t, "AccountRecoverySetting", p.AccountRecoverySetting, poolIn.AccountRecoverySetting)
	same(t, "UserAttributeUpdateSettings", p.UserAttributeUpdateSettings, poolIn.UserAttributeUpdateSettings)
	same(t, "PasswordPolicy", p.Policies.PasswordPolicy, poolIn.Policies.PasswordPolicy)
	same(t, "VerificationMessageTemplate", p.VerificationMessageTemplate, poolIn.VerificationMessageTemplate)
	same(t, "UserPoolTags", p.UserPoolTags, poolIn.UserPoolTags)
	same(t, "Domain", aws.ToString(p.Domain), "tf-pool-test")
	var tenant *types.SchemaAttributeType
	for i := range p.SchemaAttributes {
		if aws.ToString(p.SchemaAttributes[i].Name) == "custom:tenant" {
			tenant = &p.SchemaAttributes[i]
		}
	}
	want := poolIn.Schema[0]
	want.Name = aws.String("custom:tenant")
	if tenant == nil {
		t.Fatalf("custom:tenant missing from SchemaAttributes")
	}
	same(t, "custom:tenant", *tenant, want)

	dc, err := s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: cl.UserPoolClient.ClientId})
	noErr(t, err)
	c := dc.UserPoolClient
	same(t, "ClientName", c.ClientName, clientIn.ClientName)
	same(t, "AllowedOAuthFlows", c.AllowedOAuthFlows, clientIn.AllowedOAuthFlows)
	same(t, "AllowedOAuthFlowsUserPoolClient", aws.ToBool(c.AllowedOAuthFlowsUserPoolClient), true)
	same(t, "AllowedOAuthScopes", c.AllowedOAuthScopes, clientIn.AllowedOAuthScopes)
	same(t, "CallbackURLs", c.CallbackURLs, clientIn.CallbackURLs)
	same(t, "LogoutURLs", c.LogoutURLs, clientIn.LogoutURLs)
	same(t, "DefaultRedirectURI", c.DefaultRedirectURI, clientIn.DefaultRedirectURI)
	same(t, "ExplicitAuthFlows", c.ExplicitAuthFlows, clientIn.ExplicitAuthFlows)
	same(t, "SupportedIdentityProviders", c.SupportedIdentityProviders, clientIn.SupportedIdentityProviders)
	same(t, "PreventUserExistenceErrors", c.PreventUserExistenceErrors, clientIn.PreventUserExistenceErrors)
	same(t, "ReadAttributes", c.ReadAttributes, clientIn.ReadAttributes)
	same(t, "WriteAttributes", c.WriteAttributes, clientIn.WriteAttributes)
	same(t, "AccessTokenValidity", c.AccessTokenValidity, clientIn.AccessTokenValidity)
	same(t, "IdTokenValidity", c.IdTokenValidity, clientIn.IdTokenValidity)
	same(t, "RefreshTokenValidity", c.RefreshTokenValidity, clientIn.RefreshTokenValidity)
	same(t, "AuthSessionValidity", c.AuthSessionValidity, clientIn.AuthSessionValidity)
	same(t, "TokenValidityUnits", c.TokenValidityUnits, clientIn.TokenValidityUnits)
	same(t, "EnableTokenRevocation", c.EnableTokenRevocation, clientIn.EnableTokenRevocation)
	same(t, "EnablePropagateAdditionalUserContextData", c.EnablePropagateAdditionalUserContextData, clientIn.EnablePropagateAdditionalUserContextData)
	if aws.ToString(c.ClientSecret) == "" {
		t.Error("the client's secret is not described")
	}

	g, err := s.Client.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins")})
	noErr(t, err)
	same(t, "group", []any{g.Group.Description, g.Group.Precedence, g.Group.RoleArn}, []any{groupIn.Description, groupIn.Precedence, groupIn.RoleArn})

	rs, err := s.Client.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: rsIn.Identifier})
	noErr(t, err)
	same(t, "resource server", []any{rs.ResourceServer.Name, rs.ResourceServer.Scopes}, []any{rsIn.Name, rsIn.Scopes})

	d, err := s.Client.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("tf-pool-test")})
	noErr(t, err)
	same(t, "domain", []any{aws.ToString(d.DomainDescription.UserPoolId), d.DomainDescription.Status}, []any{pool, types.DomainStatusTypeActive})

	// A second apply with nothing changed is an update with the same
	// settings: it must leave the reads as they were.
	_, err = s.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: cl.UserPoolClient.ClientId,
		ClientName: clientIn.ClientName, AllowedOAuthFlows: clientIn.AllowedOAuthFlows, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: clientIn.AllowedOAuthScopes, CallbackURLs: clientIn.CallbackURLs, LogoutURLs: clientIn.LogoutURLs,
		DefaultRedirectURI: clientIn.DefaultRedirectURI, ExplicitAuthFlows: clientIn.ExplicitAuthFlows,
		SupportedIdentityProviders: clientIn.SupportedIdentityProviders, PreventUserExistenceErrors: clientIn.PreventUserExistenceErrors,
		ReadAttributes: clientIn.ReadAttributes, WriteAttributes: clientIn.WriteAttributes, AccessTokenValidity: clientIn.AccessTokenValidity,
		IdTokenValidity: clientIn.IdTokenValidity, RefreshTokenValidity: clientIn.RefreshTokenValidity, AuthSessionValidity: clientIn.AuthSessionValidity,
		TokenValidityUnits: clientIn.TokenValidityUnits, EnableTokenRevocation: clientIn.EnableTokenRevocation,
		EnablePropagateAdditionalUserContextData: clientIn.EnablePropagateAdditionalUserContextData})
	noErr(t, err)
	again, err := s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: cl.UserPoolClient.ClientId})
	noErr(t, err)
	again.UserPoolClient.LastModifiedDate = c.LastModifiedDate
	same(t, "client after a no-op apply", again.UserPoolClient, c)
}
