package e2e

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

// trigSRP signs in with USER_SRP_AUTH, sending md with both calls, and
// returns the final answer.
func (e *env) trigSRP(t *testing.T, username, password string, md map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	ctx := context.Background()
	c, err := srp.NewClient(rand.Reader, e.pool)
	if err != nil {
		t.Fatal(err)
	}
	init, err := e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientMetadata: md,
		AuthParameters: map[string]string{"USERNAME": username, "SRP_A": c.SrpAHex()},
	})
	if err != nil {
		return nil, err
	}
	si := &srpSignIn{client: c, params: init.ChallengeParameters}
	return e.s.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(e.client), ChallengeName: types.ChallengeNameTypePasswordVerifier, ClientMetadata: md,
		ChallengeResponses: si.answer(t, e.s, password, ""),
	})
}

// TestTriggerAuthentication covers PreAuthentication and
// PostAuthentication for the password, admin password and SRP sign-ins.
func TestTriggerAuthentication(t *testing.T) {
	t.Parallel()
	e := newTriggerEnv(t, &types.LambdaConfigType{
		PreAuthentication: aws.String(fnPreAuth), PostAuthentication: aws.String(fnPostAuth),
	}, nil, nil)
	ctx := context.Background()
	e.s.User(t, e.pool, "ivy", "email", "ivy@example.com", "email_verified", "true")
	sub := e.adminAttrs(t, "ivy")["sub"]
	userAttrs := `{"sub": "` + sub + `", "email": "ivy@example.com", "email_verified": "true", "cognito:user_status": "CONFIRMED"}`
	md := map[string]string{"device": "phone"}

	flows := []struct {
		name     string
		clientID string
		signIn   func(password string) (tokens *types.AuthenticationResultType, err error)
	}{
		{"USER_PASSWORD_AUTH", e.client, func(pw string) (*types.AuthenticationResultType, error) {
			out, err := e.signIn("ivy", pw, md)
			if err != nil {
				return nil, err
			}
			return out.AuthenticationResult, nil
		}},
		{"ADMIN_USER_PASSWORD_AUTH", e.client, func(pw string) (*types.AuthenticationResultType, error) {
			out, err := e.s.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
				UserPoolId: aws.String(e.pool), ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": "ivy", "PASSWORD": pw}, ClientMetadata: md,
			})
			if err != nil {
				return nil, err
			}
			return out.AuthenticationResult, nil
		}},
		{"USER_SRP_AUTH", e.client, func(pw string) (*types.AuthenticationResultType, error) {
			out, err := e.trigSRP(t, "ivy", pw, md)
			if err != nil {
				return nil, err
			}
			return out.AuthenticationResult, nil
		}},
	}
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			e.fake.Handle(fnPreAuth, lambdafake.Echo(nil))
			e.fake.Handle(fnPostAuth, lambdafake.Echo(nil))
			pre0, post0 := len(e.fake.Events(fnPreAuth)), len(e.fake.Events(fnPostAuth))
			tokens, err := f.signIn(testserver.Password)
			if err != nil || tokens == nil || tokens.AccessToken == nil {
				t.Fatalf("sign-in = %v, %v", tokens, err)
			}
			pre, post := e.events(t, fnPreAuth), e.events(t, fnPostAuth)
			if len(pre) != pre0+1 || len(post) != post0+1 {
				t.Fatalf("PreAuthentication ran %d times, PostAuthentication %d, want 1 each", len(pre)-pre0, len(post)-post0)
			}
			e.wantHeader(t, pre[pre0], "1", "PreAuthentication_Authentication", "ivy", f.clientID)
			wantJSON(t, "PreAuthentication request", pre[pre0]["request"],
				`{"userAttributes": `+userAttrs+`, "validationData": {"device": "phone"}}`)
			wantJSON(t, "PreAuthentication response", pre[pre0]["response"], `{}`)
			e.wantHeader(t, post[post0], "1", "PostAuthentication_Authentication", "ivy", f.clientID)
			wantJSON(t, "PostAuthentication request", post[post0]["request"],
				`{"userAttributes": `+userAttrs+`, "newDeviceUsed": false, "clientMetadata": {"device": "phone"}}`)

			// A wrong password still runs PreAuthentication (it comes first)
			// but never PostAuthentication.
			if _, err := f.signIn("Wr0ng-password"); err == nil {
				t.Fatal("wrong password accepted")
			}
			if got := len(e.fake.Events(fnPostAuth)); got != post0+1 {
				t.Errorf("PostAuthentication ran after a failed sign-in")
			}

			e.fake.Handle(fnPreAuth, lambdafake.FunctionError("Error", "account locked"))
			_, err = f.signIn(testserver.Password)
			testserver.WantError[*types.UserLambdaValidationException](t, err, "PreAuthentication failed with error account locked.")

			e.fake.Handle(fnPreAuth, lambdafake.Echo(nil))
			e.fake.Handle(fnPostAuth, lambdafake.FunctionError("Error", "audit down"))
			tokens, err = f.signIn(testserver.Password)
			testserver.WantError[*types.UserLambdaValidationException](t, err, "PostAuthentication failed with error audit down.")
			if tokens != nil {
				t.Error("tokens returned although PostAuthentication failed")
			}
		})
	}

	t.Run("unknown user", func(t *testing.T) {
		n := len(e.fake.Events(fnPreAuth))
		_, err := e.signIn("nobody", testserver.Password, nil)
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		if len(e.fake.Events(fnPreAuth)) != n {
			t.Error("PreAuthentication ran for an unknown user without PreventUserExistenceErrors")
		}
	})
}

// TestTriggerPreAuthenticationUserNotFound checks userNotFound for clients
// that hide user existence.
func TestTriggerPreAuthenticationUserNotFound(t *testing.T) {
	t.Parallel()
	e := newTriggerEnv(t, &types.LambdaConfigType{PreAuthentication: aws.String(fnPreAuth)}, nil,
		&cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
	e.fake.Handle(fnPreAuth, lambdafake.Echo(nil))
	_, err := e.signIn("ghost", testserver.Password, nil)
	testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	ev := e.onlyEvent(t, fnPreAuth)
	e.wantHeader(t, ev, "1", "PreAuthentication_Authentication", "ghost", e.client)
	wantJSON(t, "request", ev["request"], `{"userAttributes": {}, "validationData": null, "userNotFound": true}`)
}

// TestTriggerPostConfirmation covers ConfirmSignUp, AdminConfirmSignUp and
// ConfirmForgotPassword.
func TestTriggerPostConfirmation(t *testing.T) {
	t.Parallel()
	e := newTriggerEnv(t, &types.LambdaConfigType{PostConfirmation: aws.String(fnPostConfirm)},
		&cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}, nil)
	ctx := context.Background()
	signUp := func(t *testing.T, name string) string {
		t.Helper()
		out, err := e.s.Client.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(e.client), Username: aws.String(name), Password: aws.String(testserver.Password),
			UserAttributes: testserver.AttrList("email", name+"@example.com"),
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.UserSub)
	}
	t.Run("ConfirmSignUp", func(t *testing.T) {
		e.fake.Handle(fnPostConfirm, lambdafake.Echo(nil))
		sub := signUp(t, "jon")
		if len(e.fake.Events(fnPostConfirm)) != 0 {
			t.Fatal("PostConfirmation ran at SignUp")
		}
		_, err := e.s.Client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
			ClientId: aws.String(e.client), Username: aws.String("jon"),
			ConfirmationCode: aws.String(e.s.LastCode(t, e.pool, "jon", "email")), ClientMetadata: map[string]string{"k": "v"},
		})
		if err != nil {
			t.Fatal(err)
		}
		ev := e.lastEvent(t, fnPostConfirm)
		e.wantHeader(t, ev, "1", "PostConfirmation_ConfirmSignUp", "jon", e.client)
		wantJSON(t, "request", ev["request"], `{"userAttributes": {"sub": "`+sub+`", "email": "jon@example.com",
			"email_verified": "true", "cognito:user_status": "CONFIRMED"}, "clientMetadata": {"k": "v"}}`)
		wantJSON(t, "response", ev["response"], `{}`)
	})

	t.Run("error keeps the confirmation", func(t *testing.T) {
		e.fake.Handle(fnPostConfirm, lambdafake.FunctionError("Error", "crm offline"))
		signUp(t, "kim")
		_, err := e.s.Client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
			ClientId: aws.String(e.client), Username: aws.String("kim"),
			ConfirmationCode: aws.String(e.s.LastCode(t, e.pool, "kim", "email")),
		})
		testserver.WantError[*types.UserLambdaValidationException](t, err, "PostConfirmation failed with error crm offline.")
		if status, _, err := e.adminUser("kim"); err != nil || status != "CONFIRMED" {
			t.Errorf("status = %q, %v; want CONFIRMED", status, err)
		}
	})

	t.Run("AdminConfirmSignUp", func(t *testing.T) {
		e.fake.Handle(fnPostConfirm, lambdafake.Echo(nil))
		signUp(t, "lea")
		_, err := e.s.Client.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{
			UserPoolId: aws.String(e.pool), Username: aws.String("lea"), ClientMetadata: map[string]string{"by": "ops"},
		})
		if err != nil {
			t.Fatal(err)
		}
		ev := e.lastEvent(t, fnPostConfirm)
		e.wantHeader(t, ev, "1", "PostConfirmation_ConfirmSignUp", "lea", "CLIENT_ID_NOT_APPLICABLE")
		if md := stringMap(member(ev, "request")["clientMetadata"]); md["by"] != "ops" {
			t.Errorf("clientMetadata = %v", md)
		}
	})

	t.Run("ConfirmForgotPassword", func(t *testing.T) {
		e.fake.Handle(fnPostConfirm, lambdafake.Echo(nil))
		e.s.User(t, e.pool, "max", "email", "max@example.com", "email_verified", "true")
		if _, err := e.s.Client.ForgotPassword(ctx, &cip.ForgotPasswordInput{
			ClientId: aws.String(e.client), Username: aws.String("max"),
		}); err != nil {
			t.Fatal(err)
		}
		_, err := e.s.Client.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
			ClientId: aws.String(e.client), Username: aws.String("max"), Password: aws.String("N3w-passw0rd"),
			ConfirmationCode: aws.String(e.s.LastCode(t, e.pool, "max", "email")), ClientMetadata: map[string]string{"reset": "1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		ev := e.lastEvent(t, fnPostConfirm)
		e.wantHeader(t, ev, "1", "PostConfirmation_ConfirmForgotPassword", "max", e.client)
		req := member(ev, "request")
		if ua := stringMap(req["userAttributes"]); ua["cognito:user_status"] != "CONFIRMED" || ua["email"] != "max@example.com" {
			t.Errorf("userAttributes = %v", ua)
		}
		if md := stringMap(req["clientMetadata"]); md["reset"] != "1" {
			t.Errorf("clientMetadata = %v", md)
		}
	})
}

// TestTriggerUserMigration imports users at sign-in and at ForgotPassword.
func TestTriggerUserMigration(t *testing.T) {
	t.Parallel()
	e := newTriggerEnv(t, &types.LambdaConfigType{UserMigration: aws.String(fnMigration)}, nil, nil)
	ctx := context.Background()

	t.Run("sign-in", func(t *testing.T) {
		e.fake.Handle(fnMigration, echoResponse(`{"userAttributes": {"email": "old@example.com", "email_verified": "true", "name": "Old"},
			"finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS"}`))
		out, err := e.signIn("olduser", "Legacy-pass1", map[string]string{"app": "v1"})
		if err != nil {
			t.Fatal(err)
		}
		if out.AuthenticationResult == nil || testserver.JWTClaims(t, aws.ToString(out.AuthenticationResult.IdToken))["email"] != "old@example.com" {
			t.Fatalf("sign-in result = %s", testserver.String(out))
		}
		ev := e.onlyEvent(t, fnMigration)
		e.wantHeader(t, ev, "1", "UserMigration_Authentication", "olduser", e.client)
		wantJSON(t, "request", ev["request"], `{"password": "Legacy-pass1", "validationData": {"app": "v1"}, "clientMetadata": {"app": "v1"}}`)
		wantJSON(t, "response", ev["response"], `{"userAttributes": null, "finalUserStatus": null, "messageAction": null,
			"desiredDeliveryMediums": null, "forceAliasCreation": null, "enableSMSMFA": null}`)
		status, a, err := e.adminUser("olduser")
		if err != nil || status != "CONFIRMED" || a["name"] != "Old" || a["email_verified"] != "true" {
			t.Errorf("migrated user = %q %v, %v", status, a, err)
		}
		// The user now exists: the next sign-in does not migrate again.
		if _, err := e.signIn("olduser", "Legacy-pass1", nil); err != nil {
			t.Fatal(err)
		}
		if n := len(e.fake.Events(fnMigration)); n != 1 {
			t.Errorf("UserMigration ran %d times, want 1", n)
		}
	})

	t.Run("no attributes means not found", func(t *testing.T) {
		e.fake.Handle(fnMigration, lambdafake.Echo(nil))
		_, err := e.signIn("stranger", "Whatever-1", nil)
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
	})

	t.Run("function error", func(t *testing.T) {
		e.fake.Handle(fnMigration, lambdafake.FunctionError("Error", "Bad password"))
		_, err := e.signIn("wrongpw", "Whatever-1", nil)
		testserver.WantError[*types.UserLambdaValidationException](t, err, "UserMigration failed with error Bad password.")
		if _, _, err := e.adminUser("wrongpw"); err == nil {
			t.Error("user created although UserMigration failed")
		}
	})

	t.Run("ForgotPassword", func(t *testing.T) {
		e.fake.Handle(fnMigration, echoResponse(`{"userAttributes": {"email": "fp@example.com", "email_verified": "true"}}`))
		n := len(e.fake.Events(fnMigration))
		out, err := e.s.Client.ForgotPassword(ctx, &cip.ForgotPasswordInput{
			ClientId: aws.String(e.client), Username: aws.String("fpuser"), ClientMetadata: map[string]string{"m": "1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if out.CodeDeliveryDetails == nil || out.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
			t.Errorf("CodeDeliveryDetails = %s", testserver.String(out.CodeDeliveryDetails))
		}
		evs := e.events(t, fnMigration)
		if len(evs) != n+1 {
			t.Fatalf("UserMigration ran %d times", len(evs)-n)
		}
		e.wantHeader(t, evs[n], "1", "UserMigration_ForgotPassword", "fpuser", e.client)
		wantJSON(t, "request", evs[n]["request"], `{"validationData": {"m": "1"}, "clientMetadata": {"m": "1"}}`)
		if status, _, err := e.adminUser("fpuser"); err != nil || status != "RESET_REQUIRED" {
			t.Errorf("status = %q, %v", status, err)
		}
		_, err = e.s.Client.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
			ClientId: aws.String(e.client), Username: aws.String("fpuser"), Password: aws.String(testserver.Password),
			ConfirmationCode: aws.String(e.s.LastCode(t, e.pool, "fpuser", "email")),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.signIn("fpuser", testserver.Password, nil); err != nil {
			t.Errorf("sign-in after reset: %v", err)
		}
	})
}
