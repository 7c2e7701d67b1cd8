package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/testserver"
)

var smsConfig = &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/sns"), ExternalId: aws.String("x")}

// TestSMSAndEmailMFA signs in with codes sent by SMS and email, chosen
// with SELECT_MFA_TYPE or by preference, through the CustomMessage trigger.
func TestSMSAndEmailMFA(t *testing.T) {
	e := newTriggerEnv(t, &types.LambdaConfigType{CustomMessage: aws.String(fnCustomMessage)}, nil, nil)
	e.fake.Handle(fnCustomMessage, echoResponse(`{"smsMessage":null,"emailMessage":null,"emailSubject":null}`))
	ctx := context.Background()
	_, err := e.s.Client.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool), MfaConfiguration: types.UserPoolMfaTypeOptional,
		SmsMfaConfiguration:           &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Sign-in code {####}"), SmsConfiguration: smsConfig},
		EmailMfaConfiguration:         &types.EmailMfaConfigType{Message: aws.String("Your sign-in code is {####}"), Subject: aws.String("Sign-in code")},
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	noErr(t, err)
	e.s.User(t, e.pool, "ana", "email", "ana@example.com", "email_verified", "true", "phone_number", "+15555550100", "phone_number_verified", "true")
	e.s.User(t, e.pool, "bob")

	_, err = e.s.Client.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(e.pool), Username: aws.String("bob"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}})
	testserver.WantError[*types.InvalidParameterException](t, err, "User does not have delivery config set to turn on SMS_MFA")
	_, err = e.s.Client.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(e.pool), Username: aws.String("ana"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: true}, EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}})
	testserver.WantError[*types.InvalidParameterException](t, err, "Only one MFA method can be set as preferred.")
	_, err = e.s.Client.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(e.pool), Username: aws.String("ana"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}, EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true}})
	noErr(t, err)

	// Two factors and no preference: the user chooses.
	out, err := e.signIn("ana", testserver.Password, nil)
	noErr(t, err)
	wantChallenge(t, out.ChallengeName, out.ChallengeParameters, out.AuthenticationResult, out.Session, types.ChallengeNameTypeSelectMfaType,
		map[string]string{"MFAS_CAN_CHOOSE": `["SMS_MFA","EMAIL_OTP"]`})
	_, err = e.respond(types.ChallengeNameTypeSelectMfaType, out.Session, "ana", "ANSWER", "SOFTWARE_TOKEN_MFA")
	testserver.WantError[*types.InvalidParameterException](t, err, "Invalid MFA type SOFTWARE_TOKEN_MFA selected.")
	sel, err := e.respond(types.ChallengeNameTypeSelectMfaType, out.Session, "ana", "ANSWER", "EMAIL_OTP")
	noErr(t, err)
	wantChallenge(t, sel.ChallengeName, sel.ChallengeParameters, sel.AuthenticationResult, sel.Session, types.ChallengeNameTypeEmailOtp,
		map[string]string{"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": message.Mask(message.Email, "ana@example.com")})
	mails := e.s.Messages(t, e.pool, "ana", "email")
	if len(mails) != 1 || mails[0].Subject != "Sign-in code" || mails[0].Body != "Your sign-in code is "+mails[0].Code {
		t.Fatalf("outbox = %s, want one sign-in code email", testserver.String(mails))
	}

	wrong := "000000"
	if mails[0].Code == wrong {
		wrong = "111111"
	}
	_, err = e.respond(types.ChallengeNameTypeEmailOtp, sel.Session, "ana", "EMAIL_OTP_CODE", wrong)
	testserver.WantError[*types.CodeMismatchException](t, err, "Invalid code or auth state for the user.")
	ans, err := e.respond(types.ChallengeNameTypeEmailOtp, sel.Session, "ana", "EMAIL_OTP_CODE", mails[0].Code)
	noErr(t, err)
	e.wantTokens(t, ans)
	_, err = e.respond(types.ChallengeNameTypeEmailOtp, sel.Session, "ana", "EMAIL_OTP_CODE", mails[0].Code)
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")

	// A preferred factor is asked for at once.
	_, err = e.s.Client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: ans.AuthenticationResult.AccessToken,
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: true}})
	noErr(t, err)
	if list, pref := e.mfaSettings(t, aws.ToString(ans.AuthenticationResult.AccessToken)); strings.Join(list, ",") != "SMS_MFA,EMAIL_OTP" || pref != "SMS_MFA" {
		t.Fatalf("MFA settings = %v, %q", list, pref)
	}
	sms, err := e.signIn("ana", testserver.Password, map[string]string{"tenant": "acme"})
	noErr(t, err)
	ev := e.lastEvent(t, fnCustomMessage)
	e.wantHeader(t, ev, "1", "CustomMessage_Authentication", "ana", e.client)
	if got := stringMap(member(ev, "request")["clientMetadata"]); got["tenant"] != "acme" {
		t.Errorf("CustomMessage clientMetadata = %v, want tenant=acme", got)
	}
	wantChallenge(t, sms.ChallengeName, sms.ChallengeParameters, sms.AuthenticationResult, sms.Session, types.ChallengeNameTypeSmsMfa,
		map[string]string{"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": message.Mask(message.SMS, "+15555550100")})
	texts := e.s.Messages(t, e.pool, "ana", "phone_number")
	if len(texts) != 1 || texts[0].Body != "Sign-in code "+texts[0].Code {
		t.Fatalf("outbox = %s, want one sign-in code SMS", testserver.String(texts))
	}
	ans, err = e.respond(types.ChallengeNameTypeSmsMfa, sms.Session, "ana", "SMS_MFA_CODE", texts[0].Code)
	noErr(t, err)
	e.wantTokens(t, ans)

	// A user with no factor on signs in with the password alone.
	e.s.SignIn(t, e.client, "bob")
}

// TestRequiredMFAPoolRules covers MFA ON from CreateUserPool: SMS MFA
// needs an SMS configuration, a phone number on file is used without a
// preference, and turning MFA off turns the factors off.
func TestRequiredMFAPoolRules(t *testing.T) {
	s := testserver.Start(t)
	ctx := context.Background()
	_, err := s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"), MfaConfiguration: types.UserPoolMfaTypeOn})
	testserver.WantError[*types.InvalidParameterException](t, err, "SMS configuration and Auto verification for phone_number are required when MFA is required/optional")

	pool := s.Pool(t, &cip.CreateUserPoolInput{MfaConfiguration: types.UserPoolMfaTypeOn, SmsConfiguration: smsConfig,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypePhoneNumber}})
	e := &env{s: s, pool: pool, client: s.AppClient(t, pool, nil)}
	e.s.User(t, e.pool, "ana", "phone_number", "+15555550100", "phone_number_verified", "true")
	out, err := e.signIn("ana", testserver.Password, nil)
	noErr(t, err)
	wantChallenge(t, out.ChallengeName, out.ChallengeParameters, out.AuthenticationResult, out.Session, types.ChallengeNameTypeSmsMfa,
		map[string]string{"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": message.Mask(message.SMS, "+15555550100")})
	texts := e.s.Messages(t, e.pool, "ana", "phone_number")
	if len(texts) != 1 || texts[0].Body != "Your authentication code is "+texts[0].Code+". " {
		t.Fatalf("outbox = %s, want the default authentication message", testserver.String(texts))
	}

	// No phone number, no authenticator factor in the pool: nothing can
	// reach the user.
	e.s.User(t, e.pool, "bob")
	_, err = e.signIn("bob", testserver.Password, nil)
	testserver.WantError[*types.InvalidParameterException](t, err, "User does not have delivery config set to turn on SMS_MFA")

	_, err = s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(pool), MfaConfiguration: types.UserPoolMfaTypeOff})
	noErr(t, err)
	got, err := s.Client.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(pool)})
	noErr(t, err)
	if got.MfaConfiguration != types.UserPoolMfaTypeOff || got.SmsMfaConfiguration != nil || got.SoftwareTokenMfaConfiguration != nil {
		t.Fatalf("GetUserPoolMfaConfig after OFF = %s", testserver.String(got))
	}
	e.s.SignIn(t, e.client, "ana")
}
