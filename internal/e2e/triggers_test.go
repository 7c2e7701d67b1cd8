package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

const placeholderPattern = `[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`

// TestTriggerCustomMessageAttributes drives the CustomMessage trigger
// through UpdateUserAttributes, AdminUpdateUserAttributes and
// GetUserAttributeVerificationCode.
func TestTriggerCustomMessageAttributes(t *testing.T) {
	t.Parallel()
	e := newTriggerEnv(t, &types.LambdaConfigType{CustomMessage: aws.String(fnCustomMessage)},
		&cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}, nil)
	ctx := context.Background()
	e.s.User(t, e.pool, "jane", "email", "jane@example.com", "email_verified", "true")
	tok := e.s.SignIn(t, e.client, "jane").AccessToken

	t.Run("function error writes nothing", func(t *testing.T) {
		e.fake.Handle(fnCustomMessage, lambdafake.FunctionError("Error", "no messages today"))
		_, err := e.s.Client.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
			AccessToken: tok, UserAttributes: testserver.AttrList("email", "broken@example.com", "name", "Jane"),
		})
		testserver.WantError[*types.UserLambdaValidationException](t, err, "CustomMessage failed with error no messages today.")
		wantEntries(t, "after failed update", e.adminAttrs(t, "jane"),
			map[string]string{"email": "jane@example.com", "email_verified": "true", "name": ""})
		if ms := e.s.Messages(t, e.pool, "jane", ""); len(ms) != 0 {
			t.Errorf("outbox = %s, want empty", testserver.String(ms))
		}
	})

	t.Run("body without placeholder", func(t *testing.T) {
		e.fake.Handle(fnCustomMessage, echoResponse(`{"smsMessage":null,"emailMessage":"no code here","emailSubject":null}`))
		_, err := e.s.Client.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
			AccessToken: tok, UserAttributes: testserver.AttrList("email", "broken@example.com"),
		})
		testserver.WantError[*types.InvalidParameterException](t, err,
			"1 validation error detected: Value 'no code here' at 'emailBody' failed to satisfy constraint: Member must satisfy regular expression pattern: "+placeholderPattern)
		wantEntries(t, "after rejected message", e.adminAttrs(t, "jane"), map[string]string{"email": "jane@example.com"})
	})

	var sub string
	t.Run("UpdateUserAttributes", func(t *testing.T) {
		before := len(e.fake.Events(fnCustomMessage))
		e.fake.Handle(fnCustomMessage, echoResponse(`{"smsMessage":null,"emailMessage":"<b>Your code: {####}</b>","emailSubject":"Confirm it"}`))
		out, err := e.s.Client.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
			AccessToken: tok, UserAttributes: testserver.AttrList("email", "new@example.com"),
			ClientMetadata: map[string]string{"tenant": "acme", "step": "2"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.CodeDeliveryDetailsList) != 1 {
			t.Fatalf("CodeDeliveryDetailsList = %s", testserver.String(out.CodeDeliveryDetailsList))
		}
		evs := e.events(t, fnCustomMessage)
		if len(evs) != before+1 {
			t.Fatalf("%d new events, want 1", len(evs)-before)
		}
		ev := evs[len(evs)-1]
		e.wantHeader(t, ev, "1", "CustomMessage_UpdateUserAttribute", "jane", e.client)
		req := member(ev, "request")
		ua := stringMap(req["userAttributes"])
		sub = ua["sub"]
		if sub == "" {
			t.Errorf("userAttributes has no sub: %s", testserver.String(ua))
		}
		wantJSON(t, "request", req, `{
			"userAttributes": {"sub": "`+sub+`", "email": "new@example.com", "email_verified": "false", "cognito:user_status": "CONFIRMED"},
			"codeParameter": "{####}", "linkParameter": "{##Click Here##}", "usernameParameter": null,
			"clientMetadata": {"tenant": "acme", "step": "2"}}`)
		wantJSON(t, "response", ev["response"], `{"smsMessage": null, "emailMessage": null, "emailSubject": null}`)

		ms := e.s.Messages(t, e.pool, "jane", "email")
		if len(ms) != 1 {
			t.Fatalf("outbox = %s, want one message", testserver.String(ms))
		}
		m := ms[0]
		if len(m.Code) != 6 || m.Body != "<b>Your code: "+m.Code+"</b>" || m.Subject != "Confirm it" || m.Destination != "new@example.com" {
			t.Errorf("message = %s", testserver.String(m))
		}
	})

	t.Run("AdminUpdateUserAttributes", func(t *testing.T) {
		e.fake.Handle(fnCustomMessage, lambdafake.Echo(nil))
		if _, err := e.s.Client.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: aws.String(e.pool), Username: aws.String("jane"), UserAttributes: testserver.AttrList("email", "admin@example.com"),
		}); err != nil {
			t.Fatal(err)
		}
		ev := e.lastEvent(t, fnCustomMessage)
		e.wantHeader(t, ev, "1", "CustomMessage_UpdateUserAttribute", "jane", "CLIENT_ID_NOT_APPLICABLE")
		if _, ok := member(ev, "request")["clientMetadata"]; ok {
			t.Errorf("clientMetadata present without ClientMetadata: %s", testserver.String(ev["request"]))
		}
		m := e.s.Messages(t, e.pool, "jane", "email")[0]
		if m.Destination != "admin@example.com" || !strings.Contains(m.Body, m.Code) {
			t.Errorf("template message = %s", testserver.String(m))
		}
	})

	t.Run("GetUserAttributeVerificationCode", func(t *testing.T) {
		e.fake.Handle(fnCustomMessage, echoResponse(`{"emailMessage":"Verify with {####}.","emailSubject":null,"smsMessage":null}`))
		_, err := e.s.Client.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{
			AccessToken: tok, AttributeName: aws.String("email"), ClientMetadata: map[string]string{"from": "settings"},
		})
		if err != nil {
			t.Fatal(err)
		}
		ev := e.lastEvent(t, fnCustomMessage)
		e.wantHeader(t, ev, "1", "CustomMessage_VerifyUserAttribute", "jane", e.client)
		wantJSON(t, "request", member(ev, "request"), `{
			"userAttributes": {"sub": "`+sub+`", "email": "admin@example.com", "email_verified": "false", "cognito:user_status": "CONFIRMED"},
			"codeParameter": "{####}", "linkParameter": "{##Click Here##}", "usernameParameter": null,
			"clientMetadata": {"from": "settings"}}`)
		m := e.s.Messages(t, e.pool, "jane", "email")[0]
		if m.Body != "Verify with "+m.Code+"." {
			t.Errorf("body = %q (code %s)", m.Body, m.Code)
		}
	})
}

// TestTriggerSignUp covers PreSignUp and CustomMessage_SignUp.
func TestTriggerSignUp(t *testing.T) {
	t.Parallel()
	e := newTriggerEnv(t, &types.LambdaConfigType{
		PreSignUp: aws.String(fnPreSignUp), CustomMessage: aws.String(fnCustomMessage),
	}, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
	}, nil)
	ctx := context.Background()
	signUp := func(name, email string, md map[string]string) (*cip.SignUpOutput, error) {
		return e.s.Client.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(e.client), Username: aws.String(name), Password: aws.String(testserver.Password),
			UserAttributes: testserver.AttrList("email", email, "name", "N"), ValidationData: testserver.AttrList("invite", "X1"), ClientMetadata: md,
		})
	}

	t.Run("events", func(t *testing.T) {
		e.fake.Handle(fnPreSignUp, lambdafake.Echo(nil))
		e.fake.Handle(fnCustomMessage, echoResponse(`{"emailMessage":"Welcome! Code {####}","emailSubject":"Hi","smsMessage":null}`))
		out, err := signUp("ann", "ann@example.com", map[string]string{"src": "web"})
		if err != nil {
			t.Fatal(err)
		}
		if out.UserConfirmed {
			t.Error("UserConfirmed = true without autoConfirmUser")
		}
		ev := e.onlyEvent(t, fnPreSignUp)
		e.wantHeader(t, ev, "1", "PreSignUp_SignUp", "ann", e.client)
		wantJSON(t, "PreSignUp request", ev["request"], `{
			"userAttributes": {"email": "ann@example.com", "name": "N"},
			"validationData": {"invite": "X1"}, "clientMetadata": {"src": "web"}}`)
		wantJSON(t, "PreSignUp response", ev["response"], `{"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}`)

		cm := e.onlyEvent(t, fnCustomMessage)
		e.wantHeader(t, cm, "1", "CustomMessage_SignUp", "ann", e.client)
		wantJSON(t, "CustomMessage request", cm["request"], `{
			"userAttributes": {"sub": "`+aws.ToString(out.UserSub)+`", "email": "ann@example.com", "email_verified": "false",
				"name": "N", "cognito:user_status": "UNCONFIRMED"},
			"codeParameter": "{####}", "linkParameter": "{##Click Here##}", "usernameParameter": null,
			"clientMetadata": {"src": "web"}}`)
		m := e.s.Messages(t, e.pool, "ann", "email")
		if len(m) != 1 || m[0].Body != "Welcome! Code "+m[0].Code || m[0].Subject != "Hi" {
			t.Fatalf("outbox = %s", testserver.String(m))
		}
		status, _, err := e.adminUser("ann")
		if err != nil || status != "UNCONFIRMED" {
			t.Errorf("status = %q, %v", status, err)
		}
	})

	t.Run("function error creates nothing", func(t *testing.T) {
		e.fake.Handle(fnPreSignUp, lambdafake.FunctionError("Error", "invite code X1 is used up"))
		_, err := signUp("bob", "bob@example.com", nil)
		testserver.WantError[*types.UserLambdaValidationException](t, err, "PreSignUp failed with error invite code X1 is used up.")
		_, _, err = e.adminUser("bob")
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		if ms := e.s.Messages(t, e.pool, "bob", ""); len(ms) != 0 {
			t.Errorf("outbox = %s", testserver.String(ms))
		}
	})

	t.Run("autoConfirmUser and autoVerifyEmail", func(t *testing.T) {
		e.fake.Handle(fnPreSignUp, echoResponse(`{"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false}`))
		calls := len(e.fake.Events(fnCustomMessage))
		out, err := signUp("cy", "cy@example.com", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !out.UserConfirmed || out.CodeDeliveryDetails != nil {
			t.Errorf("SignUp = confirmed %v, delivery %s", out.UserConfirmed, testserver.String(out.CodeDeliveryDetails))
		}
		status, a, err := e.adminUser("cy")
		if err != nil || status != "CONFIRMED" || a["email_verified"] != "true" {
			t.Errorf("user = %q %v, %v", status, a, err)
		}
		if len(e.fake.Events(fnCustomMessage)) != calls || len(e.s.Messages(t, e.pool, "cy", "")) != 0 {
			t.Error("a confirmation message was composed for an auto-confirmed user")
		}
		// The verified email is an alias: the user signs in with it.
		if _, err := e.signIn("cy@example.com", testserver.Password, nil); err != nil {
			t.Errorf("sign-in by auto-verified alias: %v", err)
		}
	})

	t.Run("autoVerifyEmail without autoConfirmUser is ignored", func(t *testing.T) {
		e.fake.Handle(fnPreSignUp, echoResponse(`{"autoConfirmUser": false, "autoVerifyEmail": true}`))
		if _, err := signUp("dee", "dee@example.com", nil); err != nil {
			t.Fatal(err)
		}
		status, a, err := e.adminUser("dee")
		if err != nil || status != "UNCONFIRMED" || a["email_verified"] != "false" {
			t.Errorf("user = %q %v, %v", status, a, err)
		}
	})
}

// TestTriggerAdminCreateUser covers PreSignUp_AdminCreateUser and the
// invitation's CustomMessage_AdminCreateUser with usernameParameter.
func TestTriggerAdminCreateUser(t *testing.T) {
	t.Parallel()
	e := newTriggerEnv(t, &types.LambdaConfigType{
		PreSignUp: aws.String(fnPreSignUp), CustomMessage: aws.String(fnCustomMessage),
	}, nil, nil)
	ctx := context.Background()
	e.fake.Handle(fnPreSignUp, lambdafake.Echo(nil))
	e.fake.Handle(fnCustomMessage, echoResponse(`{"emailMessage":"Hello {username}, your password is {####}","emailSubject":"Invite","smsMessage":null}`))
	out, err := e.s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("eve"), TemporaryPassword: aws.String("Temp0rary!"),
		UserAttributes:         testserver.AttrList("email", "eve@example.com", "email_verified", "true"),
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		ClientMetadata:         map[string]string{"by": "admin"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ps := e.onlyEvent(t, fnPreSignUp)
	e.wantHeader(t, ps, "1", "PreSignUp_AdminCreateUser", "eve", "CLIENT_ID_NOT_APPLICABLE")
	wantJSON(t, "PreSignUp request", ps["request"], `{
		"userAttributes": {"email": "eve@example.com", "email_verified": "true"},
		"validationData": null, "clientMetadata": {"by": "admin"}}`)

	cm := e.onlyEvent(t, fnCustomMessage)
	e.wantHeader(t, cm, "1", "CustomMessage_AdminCreateUser", "eve", "CLIENT_ID_NOT_APPLICABLE")
	sub := testserver.Attrs(out.User.Attributes)["sub"]
	wantJSON(t, "CustomMessage request", cm["request"], `{
		"userAttributes": {"sub": "`+sub+`", "email": "eve@example.com", "email_verified": "true",
			"cognito:user_status": "FORCE_CHANGE_PASSWORD"},
		"codeParameter": "{####}", "linkParameter": "{##Click Here##}", "usernameParameter": "{username}",
		"clientMetadata": {"by": "admin"}}`)
	ms := e.s.Messages(t, e.pool, "eve", "email")
	if len(ms) != 1 || ms[0].Body != "Hello eve, your password is Temp0rary!" || ms[0].Subject != "Invite" {
		t.Errorf("outbox = %s", testserver.String(ms))
	}

	t.Run("function error creates nothing", func(t *testing.T) {
		e.fake.Handle(fnPreSignUp, lambdafake.FunctionError("Error", "closed"))
		_, err := e.s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(e.pool), Username: aws.String("fay"), MessageAction: types.MessageActionTypeSuppress,
		})
		testserver.WantError[*types.UserLambdaValidationException](t, err, "PreSignUp failed with error closed.")
		_, _, err = e.adminUser("fay")
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
	})
}

// TestTriggerWithoutLambdaEndpoint checks that a pool naming functions
// fails the affected operations when Cognate has no Lambda endpoint,
// instead of skipping the trigger.
func TestTriggerWithoutLambdaEndpoint(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	auto := []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	pool := s.Pool(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: auto})
	client := s.AppClient(t, pool, nil)
	s.User(t, pool, "gil", "email", "gil@example.com", "email_verified", "true")
	// Triggers are per pool: UpdateUserPool adds them.
	if _, err := s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
		UserPoolId: aws.String(pool), AutoVerifiedAttributes: auto,
		LambdaConfig: &types.LambdaConfigType{
			PreSignUp: aws.String(fnPreSignUp), PreAuthentication: aws.String(fnPreAuth),
			CustomMessage: aws.String(fnCustomMessage),
		},
	}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		call    func() error
		trigger string
	}{
		{"SignUp runs PreSignUp", func() error {
			_, err := s.Client.SignUp(ctx, &cip.SignUpInput{
				ClientId: aws.String(client), Username: aws.String("hal"), Password: aws.String(testserver.Password),
				UserAttributes: testserver.AttrList("email", "hal@example.com"),
			})
			return err
		}, "PreSignUp"},
		{"InitiateAuth runs PreAuthentication", func() error {
			_, err := s.PasswordAuth(client, "gil", testserver.Password, nil)
			return err
		}, "PreAuthentication"},
		{"AdminUpdateUserAttributes runs CustomMessage", func() error {
			_, err := s.Client.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
				UserPoolId: aws.String(pool), Username: aws.String("gil"), UserAttributes: testserver.AttrList("email", "other@example.com"),
			})
			return err
		}, "CustomMessage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testserver.WantError[*types.UnexpectedLambdaException](t, tt.call(),
				tt.trigger+" invocation failed due to error ResourceNotFoundException.")
		})
	}
	if _, err := s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("hal")}); err == nil {
		t.Error("SignUp created the user although PreSignUp could not run")
	}
	if got := s.UserAttrs(t, pool, "gil")["email"]; got != "gil@example.com" {
		t.Errorf("email = %q after the failed update, want unchanged", got)
	}
}
