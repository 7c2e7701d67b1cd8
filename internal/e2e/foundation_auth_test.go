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

func TestFoundationSecretHash(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, &cip.CreateUserPoolInput{
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	})
	out, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String("confidential"), GenerateSecret: true,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	})
	noErr(t, err)
	client, secret := aws.ToString(out.UserPoolClient.ClientId), aws.ToString(out.UserPoolClient.ClientSecret)
	const email = "sam@example.com"
	missing := "Client " + client + " is configured for secret but secret was not received"
	wrong := "Unable to verify secret hash for client " + client

	t.Run("sign-up", func(t *testing.T) {
		_, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String(email), Password: aws.String(testserver.Password)})
		testserver.WantError[*types.NotAuthorizedException](t, err, missing)
		_, err = s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String(email), Password: aws.String(testserver.Password),
			SecretHash: aws.String(testserver.SecretHash("nope", email, client))})
		testserver.WantError[*types.NotAuthorizedException](t, err, wrong)
		su, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String(email), Password: aws.String(testserver.Password),
			SecretHash: aws.String(testserver.SecretHash(secret, email, client))})
		noErr(t, err)
		code := s.LastCode(t, pool, aws.ToString(su.UserSub), "email")
		_, err = s.Client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String(email), ConfirmationCode: aws.String(code)})
		testserver.WantError[*types.NotAuthorizedException](t, err, missing)
		_, err = s.Client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String(email), ConfirmationCode: aws.String(code),
			SecretHash: aws.String(testserver.SecretHash(secret, email, client))})
		noErr(t, err)
	})
	auth := func(params map[string]string) (*cip.InitiateAuthOutput, error) {
		return s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(client), AuthParameters: params})
	}
	t.Run("password auth", func(t *testing.T) {
		_, err := auth(map[string]string{"USERNAME": email, "PASSWORD": testserver.Password})
		testserver.WantError[*types.NotAuthorizedException](t, err, missing)
		_, err = auth(map[string]string{"USERNAME": email, "PASSWORD": testserver.Password, "SECRET_HASH": testserver.SecretHash(secret, "other", client)})
		testserver.WantError[*types.NotAuthorizedException](t, err, wrong)
		_, err = auth(map[string]string{"USERNAME": email, "PASSWORD": testserver.Password, "SECRET_HASH": testserver.SecretHash(secret, email, client)})
		noErr(t, err)
	})
	t.Run("refresh uses the internal username", func(t *testing.T) {
		res, err := auth(map[string]string{"USERNAME": email, "PASSWORD": testserver.Password, "SECRET_HASH": testserver.SecretHash(secret, email, client)})
		noErr(t, err)
		sub, _ := testserver.JWTClaims(t, aws.ToString(res.AuthenticationResult.AccessToken))["sub"].(string)
		refresh := func(hash string) error {
			params := map[string]string{"REFRESH_TOKEN": aws.ToString(res.AuthenticationResult.RefreshToken)}
			if hash != "" {
				params["SECRET_HASH"] = hash
			}
			_, err := s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(client), AuthParameters: params})
			return err
		}
		testserver.WantError[*types.NotAuthorizedException](t, refresh(""), missing)
		testserver.WantError[*types.NotAuthorizedException](t, refresh(testserver.SecretHash(secret, email, client)), wrong)
		noErr(t, refresh(testserver.SecretHash(secret, sub, client)))
	})
	t.Run("forgot password", func(t *testing.T) {
		_, err := s.Client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String(email)})
		testserver.WantError[*types.NotAuthorizedException](t, err, missing)
		_, err = s.Client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String(email),
			SecretHash: aws.String(testserver.SecretHash(secret, email, client))})
		noErr(t, err)
	})
}

func TestFoundationPasswords(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)
	initiate := func(name, password string) error {
		_, err := s.PasswordAuth(client, name, password, nil)
		return err
	}
	t.Run("change password", func(t *testing.T) {
		s.User(t, pool, "chg")
		tokens := s.SignIn(t, client, "chg")
		_, err := s.Client.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tokens.AccessToken,
			PreviousPassword: aws.String("Wr0ng-pass"), ProposedPassword: aws.String("N3w-Passw0rd")})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		_, err = s.Client.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tokens.AccessToken,
			PreviousPassword: aws.String(testserver.Password), ProposedPassword: aws.String("weak")})
		testserver.WantError[*types.InvalidPasswordException](t, err, "Password did not conform with policy: Password not long enough")
		_, err = s.Client.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tokens.AccessToken,
			PreviousPassword: aws.String(testserver.Password), ProposedPassword: aws.String("N3w-Passw0rd")})
		noErr(t, err)
		testserver.WantError[*types.NotAuthorizedException](t, initiate("chg", testserver.Password), "Incorrect username or password.")
		noErr(t, initiate("chg", "N3w-Passw0rd"))
	})
	t.Run("forgot password", func(t *testing.T) {
		s.User(t, pool, "fgt", "email", "fgt@example.com", "email_verified", "true")
		out, err := s.Client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("fgt")})
		noErr(t, err)
		d := out.CodeDeliveryDetails
		if d == nil || aws.ToString(d.AttributeName) != "email" || d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.Destination) != "f***@e***" {
			t.Errorf("CodeDeliveryDetails = %s", testserver.String(d))
		}
		_, err = s.Client.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("fgt"),
			ConfirmationCode: aws.String("000000"), Password: aws.String("Res3t-Passw0rd")})
		testserver.WantError[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
		code := s.LastCode(t, pool, "fgt", "email")
		_, err = s.Client.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("fgt"),
			ConfirmationCode: aws.String(code), Password: aws.String("weak")})
		testserver.WantError[*types.InvalidPasswordException](t, err, "Password did not conform with policy: Password not long enough")
		_, err = s.Client.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("fgt"),
			ConfirmationCode: aws.String(code), Password: aws.String("Res3t-Passw0rd")})
		noErr(t, err)
		noErr(t, initiate("fgt", "Res3t-Passw0rd"))
		_, err = s.Client.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("fgt"),
			ConfirmationCode: aws.String(code), Password: aws.String("Oth3r-Passw0rd")})
		if err == nil {
			t.Fatal("a reset code worked twice")
		}
	})
	t.Run("forgot password without verified address", func(t *testing.T) {
		s.User(t, pool, "nover", "email", "nover@example.com")
		_, err := s.Client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("nover")})
		testserver.WantError[*types.InvalidParameterException](t, err, "Cannot reset password for the user as there is no registered/verified email or phone_number")
	})
	t.Run("forgot password unknown user", func(t *testing.T) {
		_, err := s.Client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("ghost")})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
	})
	t.Run("wrong password", func(t *testing.T) {
		s.User(t, pool, "wp")
		testserver.WantError[*types.NotAuthorizedException](t, initiate("wp", "Wr0ng-pass!"), "Incorrect username or password.")
	})
}

func TestFoundationSessions(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)
	other := s.AppClient(t, pool, nil)
	refresh := func(clientID string, tokens *types.AuthenticationResultType) (*types.AuthenticationResultType, error) {
		out, err := s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(clientID),
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(tokens.RefreshToken)}})
		if err != nil {
			return nil, err
		}
		return out.AuthenticationResult, nil
	}
	getUser := func(tokens *types.AuthenticationResultType) error {
		_, err := s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: tokens.AccessToken})
		return err
	}

	t.Run("refresh", func(t *testing.T) {
		s.User(t, pool, "ref", "email", "ref@example.com")
		first := s.SignIn(t, client, "ref")
		s.Clock.Advance(90 * time.Second)
		again, err := refresh(client, first)
		noErr(t, err)
		if again.RefreshToken != nil {
			t.Errorf("refresh returned a new refresh token")
		}
		if again.ExpiresIn != 3600 || aws.ToString(again.TokenType) != "Bearer" {
			t.Errorf("result = %s", testserver.String(again))
		}
		a0, a1 := testserver.JWTClaims(t, aws.ToString(first.AccessToken)), testserver.JWTClaims(t, aws.ToString(again.AccessToken))
		i0, i1 := testserver.JWTClaims(t, aws.ToString(first.IdToken)), testserver.JWTClaims(t, aws.ToString(again.IdToken))
		for _, c := range []string{"auth_time", "origin_jti", "event_id"} {
			if a0[c] != a1[c] || i0[c] != i1[c] || a0[c] != i1[c] {
				t.Errorf("%s not carried: %v %v %v %v", c, a0[c], a1[c], i0[c], i1[c])
			}
		}
		if a0["jti"] == a1["jti"] || a1["iat"].(float64) <= a0["iat"].(float64) {
			t.Errorf("refreshed token reuses jti or iat")
		}
		noErr(t, getUser(again))
		_, err = refresh(other, first)
		testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid Refresh Token")
		_, err = refresh(client, &types.AuthenticationResultType{RefreshToken: aws.String("a.b.c.d.e")})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid Refresh Token")
	})
	t.Run("expiry", func(t *testing.T) {
		s := testserver.Start(t)
		pool := s.Pool(t, nil)
		client := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{
			RefreshTokenValidity: 60, TokenValidityUnits: &types.TokenValidityUnitsType{RefreshToken: types.TimeUnitsTypeMinutes},
		})
		s.User(t, pool, "exp")
		tokens := s.SignIn(t, client, "exp")
		s.Clock.Advance(time.Hour)
		_, err := s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: tokens.AccessToken})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token has expired")
		_, err = s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(client),
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(tokens.RefreshToken)}})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has expired")
	})
	t.Run("global sign-out", func(t *testing.T) {
		s.User(t, pool, "gso")
		a := s.SignIn(t, client, "gso")
		b := s.SignIn(t, other, "gso")
		_, err := s.Client.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: a.AccessToken})
		noErr(t, err)
		for _, tok := range []*types.AuthenticationResultType{a, b} {
			testserver.WantError[*types.NotAuthorizedException](t, getUser(tok), "Access Token has been revoked")
		}
		_, err = refresh(client, a)
		testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
		_, err = refresh(other, b)
		testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
		_, err = s.Client.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: a.AccessToken})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
		// A sign-in in the same second as the sign-out is not revoked by it.
		fresh := s.SignIn(t, client, "gso")
		noErr(t, getUser(fresh))
		_, err = refresh(client, fresh)
		noErr(t, err)
	})
	t.Run("admin global sign-out", func(t *testing.T) {
		s.User(t, pool, "agso")
		a := s.SignIn(t, client, "agso")
		_, err := s.Client.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(pool), Username: aws.String("agso")})
		noErr(t, err)
		testserver.WantError[*types.NotAuthorizedException](t, getUser(a), "Access Token has been revoked")
		_, err = refresh(client, a)
		testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
		_, err = s.Client.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(pool), Username: aws.String("ghost")})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
	})
	t.Run("revoke token", func(t *testing.T) {
		s.User(t, pool, "rvk")
		a := s.SignIn(t, client, "rvk")
		b := s.SignIn(t, client, "rvk")
		aRefreshed, err := refresh(client, a)
		noErr(t, err)
		_, err = s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(client), Token: a.AccessToken})
		testserver.WantError[*types.UnsupportedTokenTypeException](t, err, "Unsupported token type.")
		_, err = s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(other), Token: a.RefreshToken})
		testserver.WantError[*types.UnauthorizedException](t, err, "Invalid client credentials.")
		_, err = s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(client), Token: a.RefreshToken})
		noErr(t, err)
		testserver.WantError[*types.NotAuthorizedException](t, getUser(a), "Access Token has been revoked")
		testserver.WantError[*types.NotAuthorizedException](t, getUser(aRefreshed), "Access Token has been revoked")
		_, err = refresh(client, a)
		testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
		// The other session is untouched.
		noErr(t, getUser(b))
		_, err = refresh(client, b)
		noErr(t, err)
		// Revoking again succeeds.
		_, err = s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(client), Token: a.RefreshToken})
		noErr(t, err)
	})
	t.Run("revoke token with secret", func(t *testing.T) {
		out, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("sec"),
			GenerateSecret: true, ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
		noErr(t, err)
		c := out.UserPoolClient
		s.User(t, pool, "rvks")
		res, err := s.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: c.ClientId,
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{
				"USERNAME": "rvks", "PASSWORD": testserver.Password, "SECRET_HASH": testserver.SecretHash(aws.ToString(c.ClientSecret), "rvks", aws.ToString(c.ClientId)),
			}})
		noErr(t, err)
		_, err = s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: c.ClientId, Token: res.AuthenticationResult.RefreshToken})
		testserver.WantError[*types.UnauthorizedException](t, err, "Invalid client credentials.")
		_, err = s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: c.ClientId, ClientSecret: c.ClientSecret, Token: res.AuthenticationResult.RefreshToken})
		noErr(t, err)
	})
	t.Run("revocation disabled", func(t *testing.T) {
		id := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{EnableTokenRevocation: aws.Bool(false)})
		s.User(t, pool, "norvk")
		a := s.SignIn(t, id, "norvk")
		if _, ok := testserver.JWTClaims(t, aws.ToString(a.AccessToken))["origin_jti"]; ok {
			t.Errorf("origin_jti present with revocation disabled")
		}
		_, err := s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(id), Token: a.RefreshToken})
		testserver.WantError[*types.UnsupportedOperationException](t, err, "Token revocation is not enabled for this client.")
	})
}
