package e2e

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// secretClient creates an app client with GenerateSecret (or none, for a
// public client) allowing password and refresh sign-in.
func (e *env) secretClient(t *testing.T, generate bool) *types.UserPoolClientType {
	t.Helper()
	out, err := e.s.Client.CreateUserPoolClient(context.Background(), &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.pool), ClientName: aws.String("rotating-secret"), GenerateSecret: generate,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	noErr(t, err)
	return out.UserPoolClient
}

// secretIDs lists a client's secrets, failing the test if any carries its
// value.
func (e *env) secretIDs(t *testing.T, client string) []string {
	t.Helper()
	out, err := e.s.Client.ListUserPoolClientSecrets(context.Background(), &cip.ListUserPoolClientSecretsInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(client),
	})
	noErr(t, err)
	ids := []string{}
	for _, d := range out.ClientSecrets {
		if d.ClientSecretValue != nil {
			t.Errorf("ListUserPoolClientSecrets revealed the value of %s", aws.ToString(d.ClientSecretId))
		}
		if d.ClientSecretCreateDate == nil {
			t.Errorf("secret %s has no ClientSecretCreateDate", aws.ToString(d.ClientSecretId))
		}
		ids = append(ids, aws.ToString(d.ClientSecretId))
	}
	return ids
}

func (e *env) addSecret(client string, value *string) (*types.ClientSecretDescriptorType, error) {
	out, err := e.s.Client.AddUserPoolClientSecret(context.Background(), &cip.AddUserPoolClientSecretInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(client), ClientSecret: value,
	})
	if err != nil {
		return nil, err
	}
	return out.ClientSecretDescriptor, nil
}

func (e *env) deleteSecret(client, id string) error {
	_, err := e.s.Client.DeleteUserPoolClientSecret(context.Background(), &cip.DeleteUserPoolClientSecretInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(client), ClientSecretId: aws.String(id),
	})
	return err
}

// describedSecret returns DescribeUserPoolClient's ClientSecret ("" when
// absent).
func (e *env) describedSecret(t *testing.T, client string) string {
	t.Helper()
	out, err := e.s.Client.DescribeUserPoolClient(context.Background(), &cip.DescribeUserPoolClientInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(client),
	})
	noErr(t, err)
	return aws.ToString(out.UserPoolClient.ClientSecret)
}

// secretSignIn signs "sec" in through client with SECRET_HASH under secret.
func (e *env) secretSignIn(client, secret string) (*types.AuthenticationResultType, error) {
	out, err := e.s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(client),
		AuthParameters: map[string]string{"USERNAME": "sec", "PASSWORD": testserver.Password, "SECRET_HASH": testserver.SecretHash(secret, "sec", client)},
	})
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

// TestClientSecretRotation rotates a client's secret: the secret from
// CreateUserPoolClient is the first of the list, an added one works
// alongside it for SECRET_HASH, GetTokensFromRefreshToken and
// RevokeToken, and once the first is deleted only the new one does.
func TestClientSecretRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	e.s.User(t, e.pool, "sec")
	c := e.secretClient(t, true)
	client, first := aws.ToString(c.ClientId), aws.ToString(c.ClientSecret)
	wrong := "Unable to verify secret hash for client " + client

	// The existing secret is the first, with an ID from its creation time.
	ids := e.secretIDs(t, client)
	wantFirst := client + "--" + strconv.FormatInt(aws.ToTime(c.CreationDate).UnixMilli(), 10)
	if len(ids) != 1 || ids[0] != wantFirst {
		t.Fatalf("secrets of a new client = %v, want [%s]", ids, wantFirst)
	}
	if again := e.secretIDs(t, client); again[0] != ids[0] {
		t.Errorf("secret ID changed between reads: %s, %s", ids[0], again[0])
	}

	before := time.Now()
	added, err := e.addSecret(client, nil)
	noErr(t, err)
	second := aws.ToString(added.ClientSecretValue)
	if len(second) < 24 || second == first {
		t.Fatalf("generated secret %q", second)
	}
	if !strings.HasPrefix(aws.ToString(added.ClientSecretId), client+"--") {
		t.Errorf("ClientSecretId %q lacks the client ID", aws.ToString(added.ClientSecretId))
	}
	if d := aws.ToTime(added.ClientSecretCreateDate).Sub(before); d < -time.Second || d > 5*time.Second {
		t.Errorf("ClientSecretCreateDate %v, added about %v", aws.ToTime(added.ClientSecretCreateDate), before)
	}
	if got := e.secretIDs(t, client); len(got) != 2 || got[0] != wantFirst || got[1] != aws.ToString(added.ClientSecretId) {
		t.Errorf("secrets = %v, want [%s %s]", got, wantFirst, aws.ToString(added.ClientSecretId))
	}
	if got := e.describedSecret(t, client); got != first {
		t.Errorf("DescribeUserPoolClient ClientSecret = %q, want the original %q", got, first)
	}

	// Both secrets work everywhere a secret is checked.
	var refresh string
	for _, secret := range []string{first, second} {
		res, err := e.secretSignIn(client, secret)
		noErr(t, err)
		refresh = aws.ToString(res.RefreshToken)
		if _, err := e.getTokens(client, refresh, secret); err != nil {
			t.Errorf("GetTokensFromRefreshToken: %v", err)
		}
	}
	_, err = e.secretSignIn(client, "neither-secret-of-this-client")
	testserver.WantError[*types.NotAuthorizedException](t, err, wrong)

	// A third secret is over the limit; the failed request adds nothing.
	_, err = e.addSecret(client, nil)
	testserver.WantError[*types.LimitExceededException](t, err, "The app client already has the maximum number of client secrets (2).")
	if got := e.secretIDs(t, client); len(got) != 2 {
		t.Errorf("after the refused add, %d secrets", len(got))
	}

	err = e.deleteSecret(client, client+"--1")
	testserver.WantError[*types.ResourceNotFoundException](t, err, "Client secret "+client+"--1 does not exist.")

	// Deleting the original retires it; nothing takes its place in
	// DescribeUserPoolClient.
	noErr(t, e.deleteSecret(client, wantFirst))
	if got := e.secretIDs(t, client); len(got) != 1 || got[0] != aws.ToString(added.ClientSecretId) {
		t.Errorf("after deleting the first, secrets = %v", got)
	}
	if got := e.describedSecret(t, client); got != "" {
		t.Errorf("DescribeUserPoolClient ClientSecret = %q after its deletion", got)
	}
	_, err = e.secretSignIn(client, first)
	testserver.WantError[*types.NotAuthorizedException](t, err, wrong)
	_, err = e.getTokens(client, refresh, first)
	testserver.WantError[*types.NotAuthorizedException](t, err, wrong)
	_, err = e.s.Client.RevokeToken(context.Background(), &cip.RevokeTokenInput{ClientId: aws.String(client), ClientSecret: aws.String(first), Token: aws.String(refresh)})
	testserver.WantError[*types.UnauthorizedException](t, err, "Invalid client credentials.")
	_, err = e.secretSignIn(client, second)
	noErr(t, err)
	_, err = e.s.Client.RevokeToken(context.Background(), &cip.RevokeTokenInput{ClientId: aws.String(client), ClientSecret: aws.String(second), Token: aws.String(refresh)})
	noErr(t, err)

	// The last secret stays.
	err = e.deleteSecret(client, aws.ToString(added.ClientSecretId))
	testserver.WantError[*types.InvalidParameterException](t, err, "The last client secret of an app client cannot be deleted.")
	if got := e.secretIDs(t, client); len(got) != 1 {
		t.Errorf("after the refused delete, %d secrets", len(got))
	}

	// An update of the client's settings keeps its secrets.
	_, err = e.s.Client.UpdateUserPoolClient(context.Background(), &cip.UpdateUserPoolClientInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(client),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	noErr(t, err)
	_, err = e.secretSignIn(client, second)
	noErr(t, err)
}

// TestClientSecretSupplied: a supplied secret is not echoed back and
// works at once.
func TestClientSecretSupplied(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	e.s.User(t, e.pool, "sec")
	c := e.secretClient(t, true)
	client := aws.ToString(c.ClientId)
	const mine = "my_own_secret_of_thirty_chars1"
	d, err := e.addSecret(client, aws.String(mine))
	noErr(t, err)
	if d.ClientSecretValue != nil {
		t.Errorf("a supplied secret was echoed back")
	}
	if d.ClientSecretId == nil || d.ClientSecretCreateDate == nil {
		t.Errorf("descriptor %+v lacks ID or date", d)
	}
	_, err = e.secretSignIn(client, mine)
	noErr(t, err)

	// The model's bounds are checked at the edge.
	var ipe *types.InvalidParameterException
	if _, err := e.addSecret(client, aws.String("short")); !errors.As(err, &ipe) {
		t.Errorf("secret of 5 characters: err = %v, want InvalidParameterException", err)
	}
}

// TestClientSecretPublicClient: a client without a secret lists none and
// can be given one, which it then requires; DescribeUserPoolClient still
// shows no ClientSecret.
func TestClientSecretPublicClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	e.s.User(t, e.pool, "sec")
	c := e.secretClient(t, false)
	client := aws.ToString(c.ClientId)
	if got := e.secretIDs(t, client); len(got) != 0 {
		t.Fatalf("public client lists secrets %v", got)
	}
	err := e.deleteSecret(client, client+"--1")
	testserver.WantError[*types.ResourceNotFoundException](t, err, "Client secret "+client+"--1 does not exist.")

	d, err := e.addSecret(client, nil)
	noErr(t, err)
	if got := e.describedSecret(t, client); got != "" {
		t.Errorf("DescribeUserPoolClient ClientSecret = %q, want none", got)
	}
	_, err = e.s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(client),
		AuthParameters: map[string]string{"USERNAME": "sec", "PASSWORD": testserver.Password},
	})
	testserver.WantError[*types.NotAuthorizedException](t, err, "Client "+client+" is configured for secret but secret was not received")
	_, err = e.secretSignIn(client, aws.ToString(d.ClientSecretValue))
	noErr(t, err)
}

// TestClientSecretNotFound: unknown pools and clients are not found, for
// all three operations.
func TestClientSecretNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	for _, c := range []struct{ name, pool, client, msg string }{
		{"unknown pool", "us-east-1_missing00", e.client, "User pool us-east-1_missing00 does not exist."},
		{"unknown client", e.pool, "nosuchclient", "User pool client nosuchclient does not exist."},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.s.Client.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(c.pool), ClientId: aws.String(c.client)})
			testserver.WantError[*types.ResourceNotFoundException](t, err, c.msg)
			_, err = e.s.Client.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: aws.String(c.pool), ClientId: aws.String(c.client)})
			testserver.WantError[*types.ResourceNotFoundException](t, err, c.msg)
			_, err = e.s.Client.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: aws.String(c.pool), ClientId: aws.String(c.client), ClientSecretId: aws.String("x--1")})
			testserver.WantError[*types.ResourceNotFoundException](t, err, c.msg)
		})
	}
}
