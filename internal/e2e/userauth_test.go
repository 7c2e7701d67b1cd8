package e2e

import (
	"context"
	"crypto/rand"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/testserver"
)

func (e *env) userAuth(params map[string]string) (*cip.InitiateAuthOutput, error) {
	return e.s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserAuth,
		ClientId: aws.String(e.client), AuthParameters: params})
}

func TestUserAuthChoiceBasedSignIn(t *testing.T) {
	e := newEnv(t, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
		AllowedFirstAuthFactors: []types.AuthFactorType{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}}}},
		&cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	ctx := context.Background()
	e.s.User(t, e.pool, "ana", "email", "ana@example.com", "email_verified", "true", "phone_number", "+15555550100", "phone_number_verified", "true")
	e.s.User(t, e.pool, "bob", "email", "bob@example.com")

	// No preference: the user chooses among what they can use.
	out, err := e.userAuth(map[string]string{"USERNAME": "ana"})
	noErr(t, err)
	if want := []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}; out.ChallengeName != types.ChallengeNameTypeSelectChallenge ||
		!reflect.DeepEqual(out.AvailableChallenges, want) || aws.ToString(out.Session) == "" {
		t.Fatalf("USER_AUTH answered %s %v, want SELECT_CHALLENGE %v", out.ChallengeName, out.AvailableChallenges, want)
	}
	sel, err := e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, "ana", "ANSWER", "EMAIL_OTP")
	noErr(t, err)
	if sel.ChallengeName != types.ChallengeNameTypeEmailOtp || sel.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" {
		t.Fatalf("EMAIL_OTP chosen: %s", testserver.String(sel))
	}
	ans, err := e.respond(types.ChallengeNameTypeEmailOtp, sel.Session, "ana", "EMAIL_OTP_CODE", e.s.LastCode(t, e.pool, "ana", "email"))
	noErr(t, err)
	e.wantTokens(t, ans)

	// A preferred one-time code by SMS.
	sms, err := e.userAuth(map[string]string{"USERNAME": "ana", "PREFERRED_CHALLENGE": "SMS_OTP"})
	noErr(t, err)
	if sms.ChallengeName != types.ChallengeNameTypeSmsOtp {
		t.Fatalf("preferred SMS_OTP answered %s", sms.ChallengeName)
	}
	code := e.s.LastCode(t, e.pool, "ana", "phone_number")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err = e.respond(types.ChallengeNameTypeSmsOtp, sms.Session, "ana", "SMS_OTP_CODE", wrong)
	testserver.WantError[*types.CodeMismatchException](t, err, "Invalid code or auth state for the user.")
	ans, err = e.respond(types.ChallengeNameTypeSmsOtp, sms.Session, "ana", "SMS_OTP_CODE", code)
	noErr(t, err)
	e.wantTokens(t, ans)

	// The password, preferred or chosen.
	pw, err := e.userAuth(map[string]string{"USERNAME": "ana", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testserver.Password})
	noErr(t, err)
	if pw.AuthenticationResult == nil {
		t.Fatalf("preferred PASSWORD answered %s", pw.ChallengeName)
	}
	_, err = e.userAuth(map[string]string{"USERNAME": "ana", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wr0ng-password!"})
	testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	out, err = e.userAuth(map[string]string{"USERNAME": "ana"})
	noErr(t, err)
	ans, err = e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, "ana", "ANSWER", "PASSWORD", "PASSWORD", testserver.Password)
	noErr(t, err)
	e.wantTokens(t, ans)

	// PASSWORD_SRP, with a client that does not allow USER_SRP_AUTH itself.
	c, err := srp.NewClient(rand.Reader, e.pool)
	if err != nil {
		t.Fatal(err)
	}
	out, err = e.userAuth(map[string]string{"USERNAME": "ana"})
	noErr(t, err)
	pv, err := e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, "ana", "ANSWER", "PASSWORD_SRP", "SRP_A", c.SrpAHex())
	noErr(t, err)
	if pv.ChallengeName != types.ChallengeNameTypePasswordVerifier || aws.ToString(pv.Session) == "" {
		t.Fatalf("PASSWORD_SRP chosen: %s", testserver.String(pv))
	}
	p := pv.ChallengeParameters
	ts, sig, err := c.Respond(p["USER_ID_FOR_SRP"], testserver.Password, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], e.s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	ans, err = srpRespond(e.s, "", e.client, types.ChallengeNameTypePasswordVerifier, pv.Session, map[string]string{"USERNAME": p["USER_ID_FOR_SRP"],
		"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig})
	noErr(t, err)
	e.wantTokens(t, ans)
	_, err = srpRespond(e.s, "", e.client, types.ChallengeNameTypePasswordVerifier, nil, map[string]string{"USERNAME": p["USER_ID_FOR_SRP"],
		"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig})
	testserver.WantError[*types.InvalidParameterException](t, err, "USER_SRP_AUTH flow not enabled for this client")

	// An unverified email is no first factor.
	out, err = e.userAuth(map[string]string{"USERNAME": "bob"})
	noErr(t, err)
	if want := []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP"}; !reflect.DeepEqual(out.AvailableChallenges, want) {
		t.Fatalf("bob's AvailableChallenges = %v, want %v", out.AvailableChallenges, want)
	}
	_, err = e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, "bob", "ANSWER", "EMAIL_OTP")
	testserver.WantError[*types.InvalidParameterException](t, err, "The challenge EMAIL_OTP is not available for this user.")

	factors, err := e.s.Client.GetUserAuthFactors(ctx, &cip.GetUserAuthFactorsInput{AccessToken: ans.AuthenticationResult.AccessToken})
	noErr(t, err)
	if want := []types.AuthFactorType{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}; !reflect.DeepEqual(factors.ConfiguredUserAuthFactors, want) || aws.ToString(factors.Username) != "ana" {
		t.Fatalf("GetUserAuthFactors = %s", testserver.String(factors))
	}

	other := e.s.AppClient(t, e.pool, nil)
	_, err = e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(other),
		AuthParameters: map[string]string{"USERNAME": "ana"}})
	testserver.WantError[*types.InvalidParameterException](t, err, "USER_AUTH flow not enabled for this client")
}

func TestSignInPolicy(t *testing.T) {
	s := testserver.Start(t)
	ctx := context.Background()
	_, err := s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"), Policies: &types.UserPoolPolicyType{
		SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{"EMAIL_OTP"}}}})
	testserver.WantError[*types.InvalidParameterException](t, err, "AllowedFirstAuthFactors must include PASSWORD.")
	pool := s.Pool(t, nil)
	out, err := s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
	noErr(t, err)
	if got := out.UserPool.Policies.SignInPolicy; got == nil || !reflect.DeepEqual(got.AllowedFirstAuthFactors, []types.AuthFactorType{"PASSWORD"}) {
		t.Fatalf("default SignInPolicy = %s", testserver.String(got))
	}
}
