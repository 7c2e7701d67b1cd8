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

// TestAdminResetUserPassword resets a password: RESET_REQUIRED, a code
// by email, PasswordResetRequiredException at sign-in and on the user's
// tokens, until ConfirmForgotPassword sets a new password.
func TestAdminResetUserPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	c := e.s.Client
	e.s.User(t, e.pool, "rita", "email", "rita@example.com", "email_verified", "true")
	tok := e.s.SignIn(t, e.client, "rita")

	_, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(e.pool), Username: aws.String("rita"),
		ClientMetadata: map[string]string{"why": "support ticket"}})
	noErr(t, err)
	status, _, err := e.adminUser("rita")
	noErr(t, err)
	if status != string(types.UserStatusTypeResetRequired) {
		t.Errorf("status = %s, want RESET_REQUIRED", status)
	}
	msgs := e.s.Messages(t, e.pool, "rita", "email")
	if len(msgs) == 0 {
		t.Fatal("no reset message")
	}
	code := e.s.LastCode(t, e.pool, "rita", "email")

	err = e.signInErr("rita")
	testserver.WantError[*types.PasswordResetRequiredException](t, err, "Password reset required for the user")
	_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
	testserver.WantError[*types.PasswordResetRequiredException](t, err, "Password reset required for the user")

	_, err = c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(e.client), Username: aws.String("rita"),
		ConfirmationCode: aws.String(code), Password: aws.String("N3w-Passw0rd!")})
	noErr(t, err)
	status, _, err = e.adminUser("rita")
	noErr(t, err)
	if status != string(types.UserStatusTypeConfirmed) {
		t.Errorf("after ConfirmForgotPassword status = %s", status)
	}
	if _, err := e.signIn("rita", "N3w-Passw0rd!", nil); err != nil {
		t.Errorf("sign-in with the new password: %v", err)
	}

	t.Run("errors", func(t *testing.T) {
		e.s.User(t, e.pool, "nomail")
		_, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(e.pool), Username: aws.String("nomail")})
		testserver.WantError[*types.InvalidParameterException](t, err, "Cannot reset password for the user as there is no registered/verified email or phone_number")
		if status, _, _ := e.adminUser("nomail"); status != string(types.UserStatusTypeConfirmed) {
			t.Errorf("a refused reset changed the status to %s", status)
		}
		_, err = c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(e.pool), Username: aws.String("ghost")})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		e.s.TempUser(t, e.pool, "fresh", "Temp0rary!", "email", "fresh@example.com", "email_verified", "true")
		_, err = c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(e.pool), Username: aws.String("fresh")})
		testserver.WantError[*types.NotAuthorizedException](t, err, "User password cannot be reset in the current state.")
	})
}

// TestUserSettings sets legacy SMS MFA options as an administrator and as
// the user, and reads them back.
func TestUserSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	c := e.s.Client
	e.s.User(t, e.pool, "sam", "phone_number", "+15555550100")
	sms := []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeSms, AttributeName: aws.String("phone_number")}}

	_, err := c.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{UserPoolId: aws.String(e.pool), Username: aws.String("sam"), MFAOptions: sms})
	noErr(t, err)
	got, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("sam")})
	noErr(t, err)
	if len(got.MFAOptions) != 1 || got.MFAOptions[0].DeliveryMedium != types.DeliveryMediumTypeSms || aws.ToString(got.MFAOptions[0].AttributeName) != "phone_number" {
		t.Errorf("AdminGetUser MFAOptions = %+v", got.MFAOptions)
	}

	tok := e.s.SignIn(t, e.client, "sam")
	_, err = c.SetUserSettings(ctx, &cip.SetUserSettingsInput{AccessToken: tok.AccessToken, MFAOptions: []types.MFAOptionType{}})
	noErr(t, err)
	me, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
	noErr(t, err)
	if len(me.MFAOptions) != 0 {
		t.Errorf("after clearing, GetUser MFAOptions = %+v", me.MFAOptions)
	}
	_, err = c.SetUserSettings(ctx, &cip.SetUserSettingsInput{AccessToken: tok.AccessToken, MFAOptions: sms})
	noErr(t, err)
	me, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
	noErr(t, err)
	if len(me.MFAOptions) != 1 {
		t.Errorf("GetUser MFAOptions = %+v", me.MFAOptions)
	}

	_, err = c.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{UserPoolId: aws.String(e.pool), Username: aws.String("sam"),
		MFAOptions: []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeEmail, AttributeName: aws.String("email")}}})
	testserver.WantError[*types.InvalidParameterException](t, err, "Only SMS MFA to phone_number can be set with MFAOptions.")
	_, err = c.SetUserSettings(ctx, &cip.SetUserSettingsInput{AccessToken: aws.String("nope"), MFAOptions: sms})
	if _, ok := errorAs[*types.NotAuthorizedException](err); !ok {
		t.Errorf("SetUserSettings with a bad token: %v", err)
	}
	_, err = c.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{UserPoolId: aws.String(e.pool), Username: aws.String("ghost"), MFAOptions: sms})
	testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
}

// TestAdminListUserAuthEvents records sign-ins while threat protection is
// on and lists them newest first, page by page.
func TestAdminListUserAuthEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &cip.CreateUserPoolInput{UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit}}, nil)
	ctx := context.Background()
	c := e.s.Client
	e.s.User(t, e.pool, "ava")

	before := time.Now().Add(-time.Second)
	e.s.SignIn(t, e.client, "ava")
	if _, err := e.signIn("ava", "Wr0ng-password!", nil); err == nil {
		t.Fatal("a wrong password signed in")
	}
	e.s.SignIn(t, e.client, "ava")

	var all []types.AuthEventType
	p := cip.NewAdminListUserAuthEventsPaginator(c, &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(e.pool), Username: aws.String("ava"), MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		noErr(t, err)
		pages++
		all = append(all, page.AuthEvents...)
	}
	if len(all) != 3 || pages != 2 {
		t.Fatalf("%d events in %d pages, want 3 in 2", len(all), pages)
	}
	wantResponses := []types.EventResponseType{types.EventResponseTypePass, types.EventResponseTypeFail, types.EventResponseTypePass}
	for i, ev := range all {
		if ev.EventType != types.EventTypeSignIn || ev.EventResponse != wantResponses[i] || aws.ToString(ev.EventId) == "" ||
			ev.CreationDate == nil || ev.CreationDate.Before(before) {
			t.Errorf("event %d = %+v", i, ev)
		}
		if i > 0 && ev.CreationDate.After(*all[i-1].CreationDate) {
			t.Errorf("event %d is newer than event %d", i, i-1)
		}
		if len(ev.ChallengeResponses) != 1 || ev.ChallengeResponses[0].ChallengeName != types.ChallengeNamePassword {
			t.Errorf("event %d challenges = %+v", i, ev.ChallengeResponses)
		}
		if ev.EventRisk == nil || ev.EventRisk.RiskDecision != types.RiskDecisionTypeNoRisk {
			t.Errorf("event %d risk = %+v", i, ev.EventRisk)
		}
	}
	if all[1].ChallengeResponses[0].ChallengeResponse != types.ChallengeResponseFailure {
		t.Errorf("the failed sign-in's password challenge = %s", all[1].ChallengeResponses[0].ChallengeResponse)
	}

	t.Run("errors", func(t *testing.T) {
		_, err := c.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(e.pool), Username: aws.String("ghost")})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		plain := e.s.Pool(t, nil)
		e.s.User(t, plain, "bo")
		_, err = c.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(plain), Username: aws.String("bo")})
		testserver.WantError[*types.UserPoolAddOnNotEnabledException](t, err, "Advanced security features are not enabled for this user pool.")
	})
}
