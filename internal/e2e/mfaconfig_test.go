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

// mfaFactors is the mode and the factors a pool's MFA configuration turns on.
type mfaFactors struct {
	mode                       types.UserPoolMfaType
	totp, email, sms, webAuthn bool
}

// setAnswer shows SetUserPoolMfaConfig's answer as GetUserPoolMfaConfig's,
// which has the same members.
func setAnswer(o *cip.SetUserPoolMfaConfigOutput) *cip.GetUserPoolMfaConfigOutput {
	return &cip.GetUserPoolMfaConfigOutput{MfaConfiguration: o.MfaConfiguration, SoftwareTokenMfaConfiguration: o.SoftwareTokenMfaConfiguration,
		EmailMfaConfiguration: o.EmailMfaConfiguration, SmsMfaConfiguration: o.SmsMfaConfiguration, WebAuthnConfiguration: o.WebAuthnConfiguration}
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
	// check compares the configuration got with the factors want turns on,
	// each present factor holding the values set above.
	check := func(what string, want mfaFactors, got *cip.GetUserPoolMfaConfigOutput) {
		t.Helper()
		if got.MfaConfiguration != want.mode {
			t.Fatalf("%s: mode %q, want %q", what, got.MfaConfiguration, want.mode)
		}
		if (got.SoftwareTokenMfaConfiguration != nil && got.SoftwareTokenMfaConfiguration.Enabled) != want.totp {
			t.Fatalf("%s: TOTP %+v, want enabled %v", what, got.SoftwareTokenMfaConfiguration, want.totp)
		}
		if g := got.EmailMfaConfiguration; (g != nil) != want.email || (want.email && (aws.ToString(g.Message) != *email.Message || aws.ToString(g.Subject) != *email.Subject)) {
			t.Fatalf("%s: email %+v, want %v", what, g, want.email)
		}
		if g := got.SmsMfaConfiguration; (g != nil) != want.sms || (want.sms && (aws.ToString(g.SmsAuthenticationMessage) != *sms.SmsAuthenticationMessage ||
			g.SmsConfiguration == nil || aws.ToString(g.SmsConfiguration.SnsCallerArn) != *sms.SmsConfiguration.SnsCallerArn)) {
			t.Fatalf("%s: SMS %+v, want %v", what, g, want.sms)
		}
		if g := got.WebAuthnConfiguration; (g != nil) != want.webAuthn || (want.webAuthn && (aws.ToString(g.RelyingPartyId) != "example.com" ||
			g.UserVerification != types.UserVerificationTypeRequired)) {
			t.Fatalf("%s: WebAuthn %+v, want %v", what, g, want.webAuthn)
		}
	}
	all := mfaFactors{mode: types.UserPoolMfaTypeOptional, totp: true, email: true, sms: true, webAuthn: true}
	check("set answer", all, setAnswer(out))
	check("get after set", all, e.mfaConfig(t))

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
		{"ON without a factor", cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOn},
			"Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."},
	} {
		_, err := set(tc.in)
		testserver.WantError[*types.InvalidParameterException](t, err, tc.msg)
		check("after refused "+tc.name, all, e.mfaConfig(t))
	}
	_, err = set(cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOptional,
		EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("no placeholder")}})
	testserver.WantError[*types.InvalidParameterException](t, err,
		"1 validation error detected: Value 'no placeholder' at 'emailMfaConfiguration.message' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*\\{####\\}[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*")

	// Factors left out are turned off; WebAuthn stands apart.
	out, err = set(cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOptional, SoftwareTokenMfaConfiguration: totp})
	noErr(t, err)
	check("TOTP only", mfaFactors{mode: types.UserPoolMfaTypeOptional, totp: true}, setAnswer(out))

	// OFF alone, and OFF with WebAuthn, are accepted.
	out, err = set(cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOff, WebAuthnConfiguration: webAuthn})
	noErr(t, err)
	offWebAuthn := mfaFactors{mode: types.UserPoolMfaTypeOff, webAuthn: true}
	check("OFF with WebAuthn", offWebAuthn, setAnswer(out))
	check("get after OFF", offWebAuthn, e.mfaConfig(t))

	_, err = e.s.Client.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String("us-east-1_nothere")})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_nothere does not exist.")
	_, err = e.s.Client.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String("us-east-1_nothere"), MfaConfiguration: types.UserPoolMfaTypeOff})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_nothere does not exist.")
}
