package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// mfaConfig returns GetUserPoolMfaConfig's answer, failing the test when
// DescribeUserPool shows another mode or SMS message.
func (e *env) mfaConfig(t *testing.T) *cip.GetUserPoolMfaConfigOutput {
	t.Helper()
	ctx := context.Background()
	out, err := e.s.Client.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool)})
	noErr(t, err)
	d, err := e.s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(e.pool)})
	noErr(t, err)
	if d.UserPool.MfaConfiguration != out.MfaConfiguration {
		t.Fatalf("DescribeUserPool MfaConfiguration %q, GetUserPoolMfaConfig %q", d.UserPool.MfaConfiguration, out.MfaConfiguration)
	}
	if out.SmsMfaConfiguration != nil && aws.ToString(out.SmsMfaConfiguration.SmsAuthenticationMessage) != aws.ToString(d.UserPool.SmsAuthenticationMessage) {
		t.Fatalf("SMS message %q, DescribeUserPool %q", aws.ToString(out.SmsMfaConfiguration.SmsAuthenticationMessage), aws.ToString(d.UserPool.SmsAuthenticationMessage))
	}
	return out
}

// TestUserPoolMfaConfig: SetUserPoolMfaConfig sets the factors as a whole,
// refuses the combinations Cognito refuses without changing anything, and
// GetUserPoolMfaConfig and DescribeUserPool show the result.
func TestUserPoolMfaConfig(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()

	got := e.mfaConfig(t)
	if got.MfaConfiguration != types.UserPoolMfaTypeOff || got.SoftwareTokenMfaConfiguration != nil ||
		got.SmsMfaConfiguration != nil || got.EmailMfaConfiguration != nil || got.WebAuthnConfiguration != nil {
		t.Fatalf("new pool's MFA configuration: %+v", got)
	}

	set := func(in cip.SetUserPoolMfaConfigInput) (*cip.SetUserPoolMfaConfigOutput, error) {
		in.UserPoolId = aws.String(e.pool)
		return e.s.Client.SetUserPoolMfaConfig(ctx, &in)
	}
	totp := &types.SoftwareTokenMfaConfigType{Enabled: true}
	email := &types.EmailMfaConfigType{Message: aws.String("Your code is {####}"), Subject: aws.String("Sign-in code")}
	sms := &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Code: {####}"),
		SmsConfiguration: &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/sns"), ExternalId: aws.String("x")}}
	webAuthn := &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("example.com"), UserVerification: types.UserVerificationTypeRequired}

	out, err := set(cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: totp, EmailMfaConfiguration: email, SmsMfaConfiguration: sms, WebAuthnConfiguration: webAuthn})
	noErr(t, err)
	check := func(what string, mode types.UserPoolMfaType, wantTOTP, wantEmail, wantSMS, wantWebAuthn bool,
		gotMode types.UserPoolMfaType, gotTOTP *types.SoftwareTokenMfaConfigType, gotEmail *types.EmailMfaConfigType,
		gotSMS *types.SmsMfaConfigType, gotWebAuthn *types.WebAuthnConfigurationType) {
		t.Helper()
		if gotMode != mode {
			t.Fatalf("%s: mode %q, want %q", what, gotMode, mode)
		}
		if (gotTOTP != nil && gotTOTP.Enabled) != wantTOTP {
			t.Fatalf("%s: TOTP %+v, want enabled %v", what, gotTOTP, wantTOTP)
		}
		if (gotEmail != nil) != wantEmail || (wantEmail && (aws.ToString(gotEmail.Message) != *email.Message || aws.ToString(gotEmail.Subject) != *email.Subject)) {
			t.Fatalf("%s: email %+v, want %v", what, gotEmail, wantEmail)
		}
		if (gotSMS != nil) != wantSMS || (wantSMS && (aws.ToString(gotSMS.SmsAuthenticationMessage) != *sms.SmsAuthenticationMessage ||
			gotSMS.SmsConfiguration == nil || aws.ToString(gotSMS.SmsConfiguration.SnsCallerArn) != *sms.SmsConfiguration.SnsCallerArn)) {
			t.Fatalf("%s: SMS %+v, want %v", what, gotSMS, wantSMS)
		}
		if (gotWebAuthn != nil) != wantWebAuthn || (wantWebAuthn && (aws.ToString(gotWebAuthn.RelyingPartyId) != "example.com" ||
			gotWebAuthn.UserVerification != types.UserVerificationTypeRequired)) {
			t.Fatalf("%s: WebAuthn %+v, want %v", what, gotWebAuthn, wantWebAuthn)
		}
	}
	check("set answer", types.UserPoolMfaTypeOptional, true, true, true, true,
		out.MfaConfiguration, out.SoftwareTokenMfaConfiguration, out.EmailMfaConfiguration, out.SmsMfaConfiguration, out.WebAuthnConfiguration)
	got = e.mfaConfig(t)
	check("get after set", types.UserPoolMfaTypeOptional, true, true, true, true,
		got.MfaConfiguration, got.SoftwareTokenMfaConfiguration, got.EmailMfaConfiguration, got.SmsMfaConfiguration, got.WebAuthnConfiguration)

	// Refused requests change nothing.
	for _, tc := range []struct {
		name string
		in   cip.SetUserPoolMfaConfigInput
		msg  string
	}{
		{"OFF with TOTP", cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOff, SoftwareTokenMfaConfiguration: totp},
			"Invalid MFA configuration given, can't turn off MFA and configure an MFA together."},
		{"OFF with email", cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOff, EmailMfaConfiguration: email},
			"Invalid MFA configuration given, can't turn off MFA and configure an MFA together."},
		{"OPTIONAL without a factor", cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOptional},
			"Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."},
		{"OPTIONAL with TOTP off", cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOptional,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: false}},
			"Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."},
		{"ON", cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOn, SoftwareTokenMfaConfiguration: totp},
			"MFA configuration ON is not supported by Cognate; use OFF or OPTIONAL."},
	} {
		_, err := set(tc.in)
		testserver.WantError[*types.InvalidParameterException](t, err, tc.msg)
		got = e.mfaConfig(t)
		check("after refused "+tc.name, types.UserPoolMfaTypeOptional, true, true, true, true,
			got.MfaConfiguration, got.SoftwareTokenMfaConfiguration, got.EmailMfaConfiguration, got.SmsMfaConfiguration, got.WebAuthnConfiguration)
	}
	_, err = set(cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOptional,
		EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("no placeholder")}})
	testserver.WantError[*types.InvalidParameterException](t, err,
		"1 validation error detected: Value 'no placeholder' at 'emailMfaConfiguration.message' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*\\{####\\}[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*")

	// Factors left out are turned off; WebAuthn stands apart.
	out, err = set(cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOptional, SoftwareTokenMfaConfiguration: totp})
	noErr(t, err)
	check("TOTP only", types.UserPoolMfaTypeOptional, true, false, false, false,
		out.MfaConfiguration, out.SoftwareTokenMfaConfiguration, out.EmailMfaConfiguration, out.SmsMfaConfiguration, out.WebAuthnConfiguration)

	// OFF alone, and OFF with WebAuthn, are accepted.
	out, err = set(cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOff, WebAuthnConfiguration: webAuthn})
	noErr(t, err)
	check("OFF with WebAuthn", types.UserPoolMfaTypeOff, false, false, false, true,
		out.MfaConfiguration, out.SoftwareTokenMfaConfiguration, out.EmailMfaConfiguration, out.SmsMfaConfiguration, out.WebAuthnConfiguration)
	got = e.mfaConfig(t)
	check("get after OFF", types.UserPoolMfaTypeOff, false, false, false, true,
		got.MfaConfiguration, got.SoftwareTokenMfaConfiguration, got.EmailMfaConfiguration, got.SmsMfaConfiguration, got.WebAuthnConfiguration)

	_, err = e.s.Client.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String("us-east-1_nothere")})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_nothere does not exist.")
	_, err = e.s.Client.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String("us-east-1_nothere"), MfaConfiguration: types.UserPoolMfaTypeOff})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_nothere does not exist.")
}
