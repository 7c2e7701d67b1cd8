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

// TestHardening covers attacks and settings found in review: each subtest
// failed before its fix.
func TestHardening(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testserver.Start(t)

	t.Run("new-password challenge cannot keep a new email verified", func(t *testing.T) {
		pool := s.Pool(t, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
		client := s.AppClient(t, pool, nil)
		s.TempUser(t, pool, "owner@example.com", "Temp0rary!", "email", "owner@example.com", "email_verified", "true")
		out, err := s.PasswordAuth(client, "owner@example.com", "Temp0rary!", nil)
		noErr(t, err)
		_, err = s.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(client), ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
			ChallengeResponses: map[string]string{
				"USERNAME": out.ChallengeParameters["USER_ID_FOR_SRP"], "NEW_PASSWORD": testserver.Password,
				"userAttributes.email": "ceo@victim.test",
			},
		})
		noErr(t, err)
		attrs := s.UserAttrs(t, pool, "ceo@victim.test")
		if attrs["email"] != "ceo@victim.test" || attrs["email_verified"] != "false" {
			t.Errorf("after the challenge email=%q email_verified=%q, want the new email unverified", attrs["email"], attrs["email_verified"])
		}
	})

	t.Run("a second sign-out in the same second revokes the newer session", func(t *testing.T) {
		pool := s.Pool(t, nil)
		client := s.AppClient(t, pool, nil)
		s.User(t, pool, "sam")
		first := s.SignIn(t, client, "sam")
		_, err := s.Client.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: first.AccessToken})
		noErr(t, err)
		second := s.SignIn(t, client, "sam")
		_, err = s.Client.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(pool), Username: aws.String("sam")})
		noErr(t, err)
		_, err = s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: second.AccessToken})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
	})

	t.Run("SRP proof refused through a client without USER_SRP_AUTH", func(t *testing.T) {
		pool := s.Pool(t, nil)
		srpClient := s.AppClient(t, pool, nil)
		refreshOnly := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_REFRESH_TOKEN_AUTH"}})
		s.User(t, pool, "ria")
		si, err := srpInitiate(t, s, pool, srpClient, "ria", false, nil)
		noErr(t, err)
		_, err = srpRespond(s, "", refreshOnly, types.ChallengeNameTypePasswordVerifier, nil, si.answer(t, s, testserver.Password, ""))
		testserver.WantError[*types.InvalidParameterException](t, err, "USER_SRP_AUTH flow not enabled for this client")
	})

	t.Run("new-password challenge needs SECRET_HASH on a client with a secret", func(t *testing.T) {
		pool := s.Pool(t, nil)
		out, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool),
			ClientName: aws.String("secret"), GenerateSecret: true,
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_ADMIN_USER_PASSWORD_AUTH"}})
		noErr(t, err)
		client, secret := *out.UserPoolClient.ClientId, *out.UserPoolClient.ClientSecret
		s.TempUser(t, pool, "tim", "Temp0rary!")
		auth, err := s.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(client),
			AuthFlow:       types.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "tim", "PASSWORD": "Temp0rary!", "SECRET_HASH": testserver.SecretHash(secret, "tim", client)}})
		noErr(t, err)
		_, err = s.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(client), ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: auth.Session,
			ChallengeResponses: map[string]string{"NEW_PASSWORD": testserver.Password},
		})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Client "+client+" is configured for secret but secret was not received")
	})

	t.Run("empty Read/WriteAttributes mean the defaults", func(t *testing.T) {
		pool := s.Pool(t, nil)
		client := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{ReadAttributes: []string{}, WriteAttributes: []string{}})
		desc, err := s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(client)})
		noErr(t, err)
		if desc.UserPoolClient.ReadAttributes != nil || desc.UserPoolClient.WriteAttributes != nil {
			t.Errorf("empty lists echoed back: read %v write %v", desc.UserPoolClient.ReadAttributes, desc.UserPoolClient.WriteAttributes)
		}
		s.User(t, pool, "eve", "given_name", "Eve")
		tok := s.SignIn(t, client, "eve")
		_, err = s.Client.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok.AccessToken,
			UserAttributes: testserver.AttrList("family_name", "Adams")})
		noErr(t, err)
		user, err := s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
		noErr(t, err)
		if a := testserver.Attrs(user.UserAttributes); a["given_name"] != "Eve" || a["family_name"] != "Adams" {
			t.Errorf("GetUser attributes = %v", a)
		}
	})

	t.Run("Policies without a PasswordPolicy keep the default policy", func(t *testing.T) {
		pool := s.Pool(t, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{
			SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword}}}})
		out, err := s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
		noErr(t, err)
		pp := out.UserPool.Policies.PasswordPolicy
		if !pp.RequireUppercase || !pp.RequireLowercase || !pp.RequireNumbers || !pp.RequireSymbols || aws.ToInt32(pp.MinimumLength) != 8 {
			t.Errorf("password policy = %s", testserver.String(pp))
		}
	})
}

// TestPasswordLockout: after five wrong passwords further attempts are
// refused for a growing while, even with the right password; a success
// clears the count.
func TestPasswordLockout(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)
	s.User(t, pool, "lou")
	for range 5 {
		_, err := s.PasswordAuth(client, "lou", "Wrong-passw0rd!", nil)
		testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	}
	_, err := s.PasswordAuth(client, "lou", testserver.Password, nil)
	testserver.WantError[*types.NotAuthorizedException](t, err, "Password attempts exceeded")
	_, err = srpInitiateAnswer(t, s, pool, client, "lou", testserver.Password)
	testserver.WantError[*types.NotAuthorizedException](t, err, "Password attempts exceeded")

	s.Clock.Advance(2 * time.Second)
	s.SignIn(t, client, "lou")
	// The count starts again: one wrong password is not a lockout.
	_, err = s.PasswordAuth(client, "lou", "Wrong-passw0rd!", nil)
	testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	s.SignIn(t, client, "lou")
}

// srpInitiateAnswer runs USER_SRP_AUTH to the PASSWORD_VERIFIER answer.
func srpInitiateAnswer(t *testing.T, s *testserver.Server, pool, client, username, password string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	si, err := srpInitiate(t, s, pool, client, username, false, nil)
	if err != nil {
		return nil, err
	}
	return srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, si.answer(t, s, password, ""))
}

func TestHardeningCodesAndRefresh(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testserver.Start(t)
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)

	t.Run("refresh after AdminDisableUser names the cause", func(t *testing.T) {
		s.User(t, pool, "dora")
		tok := s.SignIn(t, client, "dora")
		_, err := s.Client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("dora")})
		noErr(t, err)
		_, err = s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(tok.RefreshToken)}})
		testserver.WantError[*types.NotAuthorizedException](t, err, "User is disabled.")
	})

	t.Run("reset code sent to an address the user no longer has is void", func(t *testing.T) {
		s.User(t, pool, "olga", "email", "olga@old.example", "email_verified", "true")
		_, err := s.Client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("olga")})
		noErr(t, err)
		code := s.LastCode(t, pool, "olga", "email")
		_, err = s.Client.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool),
			Username: aws.String("olga"), UserAttributes: testserver.AttrList("email", "olga@new.example", "email_verified", "true")})
		noErr(t, err)
		_, err = s.Client.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client),
			Username: aws.String("olga"), ConfirmationCode: aws.String(code), Password: aws.String("N3w-passw0rd!")})
		testserver.WantError[*types.ExpiredCodeException](t, err, "Invalid code provided, please request a code again.")
	})
}

// TestHiddenUsers: with PreventUserExistenceErrors=ENABLED an unknown name
// gets the same kinds of answers as a real user.
func TestHiddenUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testserver.Start(t)
	pool := s.Pool(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
	client := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})

	t.Run("SRP gives a stable challenge, then the usual failure", func(t *testing.T) {
		first, err := srpInitiate(t, s, pool, client, "ghost", false, nil)
		noErr(t, err)
		again, err := srpInitiate(t, s, pool, client, "ghost", false, nil)
		noErr(t, err)
		if first.params["SALT"] != again.params["SALT"] {
			t.Errorf("salt changes between attempts: %s vs %s", first.params["SALT"], again.params["SALT"])
		}
		_, err = srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, first.answer(t, s, testserver.Password, ""))
		testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	})
	t.Run("ForgotPassword answers with delivery details", func(t *testing.T) {
		out, err := s.Client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("ghost@example.com")})
		noErr(t, err)
		if d := out.CodeDeliveryDetails; d == nil || aws.ToString(d.Destination) != "g***@e***" {
			t.Errorf("CodeDeliveryDetails = %s", testserver.String(d))
		}
	})
	t.Run("codes for unknown names mismatch", func(t *testing.T) {
		_, err := s.Client.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client),
			Username: aws.String("ghost"), ConfirmationCode: aws.String("123456"), Password: aws.String(testserver.Password)})
		testserver.WantError[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
		_, err = s.Client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client),
			Username: aws.String("ghost"), ConfirmationCode: aws.String("123456")})
		testserver.WantError[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
	})
}

// TestNewPasswordSessionBinding: a NEW_PASSWORD_REQUIRED session opened
// with one temporary password is void once an administrator sets another.
func TestNewPasswordSessionBinding(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testserver.Start(t)
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)
	s.TempUser(t, pool, "nia", "Temp0rary!")
	out, err := s.PasswordAuth(client, "nia", "Temp0rary!", nil)
	noErr(t, err)
	_, err = s.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool),
		Username: aws.String("nia"), Password: aws.String("Other-temp0rary!")})
	noErr(t, err)
	_, err = s.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(client), ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "nia", "NEW_PASSWORD": testserver.Password},
	})
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
}
