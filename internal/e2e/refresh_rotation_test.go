package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// getTokens calls GetTokensFromRefreshToken for client with rt.
func (e *env) getTokens(client, rt, secret string) (*types.AuthenticationResultType, error) {
	in := &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(client), RefreshToken: aws.String(rt)}
	if secret != "" {
		in.ClientSecret = aws.String(secret)
	}
	out, err := e.s.Client.GetTokensFromRefreshToken(context.Background(), in)
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

// rotatingClient creates an app client with refresh token rotation and the
// given grace period.
func (e *env) rotatingClient(t *testing.T, grace int32) string {
	t.Helper()
	return e.s.AppClient(t, e.pool, &cip.CreateUserPoolClientInput{
		ClientName:        aws.String("rotating"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		RefreshTokenRotation: &types.RefreshTokenRotationType{
			Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(grace),
		},
	})
}

// TestGetTokensFromRefreshToken refreshes without rotation: new ID and
// access tokens of the same session, no new refresh token, and the same
// checks as REFRESH_TOKEN_AUTH.
func TestGetTokensFromRefreshToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	v := newJWTVerifier(t, e.s.URL+"/"+e.pool)
	e.s.User(t, e.pool, "rae", "email", "rae@example.com")
	signIn := e.s.SignIn(t, e.client, "rae")
	rt := aws.ToString(signIn.RefreshToken)

	res, err := e.getTokens(e.client, rt, "")
	noErr(t, err)
	if res.RefreshToken != nil {
		t.Errorf("without rotation, a new refresh token was issued")
	}
	if res.ExpiresIn != 3600 || aws.ToString(res.TokenType) != "Bearer" {
		t.Errorf("ExpiresIn %d, TokenType %q", res.ExpiresIn, aws.ToString(res.TokenType))
	}
	before, after := verified(t, v, aws.ToString(signIn.AccessToken)), verified(t, v, aws.ToString(res.AccessToken))
	if after["origin_jti"] != before["origin_jti"] || after["event_id"] != before["event_id"] || after["jti"] == before["jti"] {
		t.Errorf("refreshed access token: origin_jti %v/%v, event_id %v/%v, jti %v/%v",
			after["origin_jti"], before["origin_jti"], after["event_id"], before["event_id"], after["jti"], before["jti"])
	}
	if verified(t, v, aws.ToString(res.IdToken))["email"] != "rae@example.com" {
		t.Errorf("refreshed ID token lacks the email")
	}
	if _, err := e.s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken}); err != nil {
		t.Errorf("GetUser with the refreshed access token: %v", err)
	}
	// The same token keeps working, also through REFRESH_TOKEN_AUTH.
	if _, err := e.getTokens(e.client, rt, ""); err != nil {
		t.Errorf("second GetTokensFromRefreshToken: %v", err)
	}
	_, err = e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(e.client),
		AuthParameters: map[string]string{"REFRESH_TOKEN": rt}})
	noErr(t, err)

	t.Run("errors", func(t *testing.T) {
		_, err := e.getTokens(e.client, "garbage", "")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid Refresh Token")
		_, err = e.getTokens("1234567890abcdefghijklmnop", rt, "")
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client 1234567890abcdefghijklmnop does not exist.")
		other := e.s.AppClient(t, e.pool, nil)
		_, err = e.getTokens(other, rt, "")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid Refresh Token")
		noRefresh := e.s.AppClient(t, e.pool, &cip.CreateUserPoolClientInput{ClientName: aws.String("srp-only"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth}})
		_, err = e.getTokens(noRefresh, rt, "")
		testserver.WantError[*types.InvalidParameterException](t, err, "REFRESH_TOKEN_AUTH flow not enabled for this client")
	})

	t.Run("client secret", func(t *testing.T) {
		out, err := e.s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientName: aws.String("secret"),
			GenerateSecret: true, ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
		noErr(t, err)
		id, secret := aws.ToString(out.UserPoolClient.ClientId), aws.ToString(out.UserPoolClient.ClientSecret)
		auth, err := e.s.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(id),
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{
				"USERNAME": "rae", "PASSWORD": testserver.Password, "SECRET_HASH": testserver.SecretHash(secret, "rae", id)}})
		noErr(t, err)
		srt := aws.ToString(auth.AuthenticationResult.RefreshToken)
		_, err = e.getTokens(id, srt, "")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Client "+id+" is configured for secret but secret was not received")
		_, err = e.getTokens(id, srt, secret+"x")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Unable to verify secret hash for client "+id)
		if _, err := e.getTokens(id, srt, secret); err != nil {
			t.Errorf("with the right secret: %v", err)
		}
	})

	t.Run("revoked and signed out", func(t *testing.T) {
		s1 := e.s.SignIn(t, e.client, "rae")
		_, err := e.s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(e.client), Token: s1.RefreshToken})
		noErr(t, err)
		_, err = e.getTokens(e.client, aws.ToString(s1.RefreshToken), "")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
		s2 := e.s.SignIn(t, e.client, "rae")
		_, err = e.s.Client.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: s2.AccessToken})
		noErr(t, err)
		_, err = e.getTokens(e.client, aws.ToString(s2.RefreshToken), "")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
	})
}

// TestRefreshTokenRotation rotates refresh tokens: each refresh returns a
// new one, the old one works for the grace period and then answers
// RefreshTokenReuseException, and revocation covers the whole chain.
func TestRefreshTokenRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	e.s.User(t, e.pool, "ron")

	t.Run("settings are kept", func(t *testing.T) {
		id := e.rotatingClient(t, 30)
		out, err := e.s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(id)})
		noErr(t, err)
		r := out.UserPoolClient.RefreshTokenRotation
		if r == nil || r.Feature != types.FeatureTypeEnabled || aws.ToInt32(r.RetryGracePeriodSeconds) != 30 {
			t.Errorf("RefreshTokenRotation = %+v", r)
		}
		_, err = e.s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientName: aws.String("bad"),
			RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(61)}})
		if _, ok := errorAs[*types.InvalidParameterException](err); !ok {
			t.Errorf("grace period 61: %v", err)
		}
	})

	t.Run("no grace period", func(t *testing.T) {
		client := e.rotatingClient(t, 0)
		r0 := aws.ToString(e.s.SignIn(t, client, "ron").RefreshToken)
		res, err := e.getTokens(client, r0, "")
		noErr(t, err)
		r1 := aws.ToString(res.RefreshToken)
		if r1 == "" || r1 == r0 {
			t.Fatalf("rotation returned refresh token %q", r1)
		}
		_, err = e.getTokens(client, r0, "")
		testserver.WantError[*types.RefreshTokenReuseException](t, err, "Refresh Token has been rotated and is no longer valid.")
		res, err = e.getTokens(client, r1, "")
		noErr(t, err)
		if aws.ToString(res.RefreshToken) == "" {
			t.Fatal("second rotation returned no refresh token")
		}
		_, err = e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(client),
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)}})
		testserver.WantError[*types.InvalidParameterException](t, err,
			"Refresh token rotation is enabled for this client; refresh with GetTokensFromRefreshToken.")
	})

	t.Run("grace period", func(t *testing.T) {
		client := e.rotatingClient(t, 10)
		r0 := aws.ToString(e.s.SignIn(t, client, "ron").RefreshToken)
		first, err := e.getTokens(client, r0, "")
		noErr(t, err)
		e.s.Clock.Advance(5 * time.Second)
		retry, err := e.getTokens(client, r0, "")
		noErr(t, err) // a client retrying within the grace period
		if aws.ToString(retry.RefreshToken) == aws.ToString(first.RefreshToken) {
			t.Error("the retry returned the same refresh token")
		}
		e.s.Clock.Advance(5 * time.Second)
		_, err = e.getTokens(client, r0, "")
		testserver.WantError[*types.RefreshTokenReuseException](t, err, "Refresh Token has been rotated and is no longer valid.")
		for _, rt := range []*string{first.RefreshToken, retry.RefreshToken} {
			if _, err := e.getTokens(client, aws.ToString(rt), ""); err != nil {
				t.Errorf("a rotated-in token: %v", err)
			}
		}
	})

	t.Run("revoking an old token revokes the chain", func(t *testing.T) {
		client := e.rotatingClient(t, 60)
		r0 := aws.ToString(e.s.SignIn(t, client, "ron").RefreshToken)
		res, err := e.getTokens(client, r0, "")
		noErr(t, err)
		_, err = e.s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(client), Token: aws.String(r0)})
		noErr(t, err)
		_, err = e.getTokens(client, aws.ToString(res.RefreshToken), "")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
		_, err = e.s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
		// Two days on, past any access token's life, and after another
		// revocation has pruned what expired, the chain stays revoked.
		e.s.Clock.Advance(48 * time.Hour)
		later := e.s.SignIn(t, client, "ron")
		_, err = e.s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(client), Token: later.RefreshToken})
		noErr(t, err)
		_, err = e.getTokens(client, aws.ToString(res.RefreshToken), "")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
	})

	t.Run("global sign-out covers rotated tokens", func(t *testing.T) {
		client := e.rotatingClient(t, 0)
		s0 := e.s.SignIn(t, client, "ron")
		res, err := e.getTokens(client, aws.ToString(s0.RefreshToken), "")
		noErr(t, err)
		e.s.Clock.Advance(time.Second)
		_, err = e.s.Client.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(e.pool), Username: aws.String("ron")})
		noErr(t, err)
		_, err = e.getTokens(client, aws.ToString(res.RefreshToken), "")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
	})
}
