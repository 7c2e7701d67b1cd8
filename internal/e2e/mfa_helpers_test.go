package e2e

import (
	"context"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// totpCode is an authenticator app's code for secret at the server's
// current time, from an independent RFC 6238 implementation.
func totpCode(t *testing.T, s *testserver.Server, secret string) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, s.Clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// nextStep moves the server's clock into the next 30-second step, so that
// an authenticator shows a code not used yet.
func nextStep(s *testserver.Server) { s.Clock.Advance(30 * time.Second) }

var secretPattern = regexp.MustCompile(`^[A-Z2-7]{52}$`)

// enrolTOTP associates and verifies an authenticator for the holder of
// access token tok and returns its secret.
func (e *env) enrolTOTP(t *testing.T, tok string) string {
	t.Helper()
	ctx := context.Background()
	as, err := e.s.Client.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: aws.String(tok)})
	noErr(t, err)
	secret := aws.ToString(as.SecretCode)
	if !secretPattern.MatchString(secret) || as.Session != nil {
		t.Fatalf("AssociateSoftwareToken = %q, session %v; want 52 base32 characters and no session", secret, as.Session)
	}
	vs, err := e.s.Client.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: aws.String(tok), UserCode: aws.String(totpCode(t, e.s, secret))})
	noErr(t, err)
	if vs.Status != types.VerifySoftwareTokenResponseTypeSuccess || vs.Session != nil {
		t.Fatalf("VerifySoftwareToken = %s, session %v", vs.Status, vs.Session)
	}
	return secret
}

// respond answers a challenge with the user's name and the given
// responses (name, value pairs).
func (e *env) respond(challenge types.ChallengeNameType, session *string, username string, kv ...string) (*cip.RespondToAuthChallengeOutput, error) {
	resp := map[string]string{"USERNAME": username}
	for i := 0; i+1 < len(kv); i += 2 {
		resp[kv[i]] = kv[i+1]
	}
	return e.s.Client.RespondToAuthChallenge(context.Background(), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(e.client), ChallengeName: challenge, Session: session, ChallengeResponses: resp,
	})
}

// wantChallenge checks that a sign-in answered challenge with params.
func wantChallenge(t *testing.T, gotName types.ChallengeNameType, gotParams map[string]string, gotTokens *types.AuthenticationResultType, session *string,
	name types.ChallengeNameType, params map[string]string) {
	t.Helper()
	if gotName != name || gotTokens != nil || aws.ToString(session) == "" {
		t.Fatalf("challenge %q (tokens %v, session %v), want %s with a session", gotName, gotTokens != nil, session != nil, name)
	}
	if !reflect.DeepEqual(gotParams, params) {
		t.Fatalf("%s parameters = %v, want %v", name, gotParams, params)
	}
}

// wantTokens checks that a challenge answer ended the sign-in with tokens
// that work.
func (e *env) wantTokens(t *testing.T, out *cip.RespondToAuthChallengeOutput) {
	t.Helper()
	if out.ChallengeName != "" || out.AuthenticationResult == nil {
		t.Fatalf("answer: challenge %q, tokens %v; want tokens", out.ChallengeName, out.AuthenticationResult != nil)
	}
	if _, err := e.s.Client.GetUser(context.Background(), &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken}); err != nil {
		t.Fatalf("GetUser with the new access token: %v", err)
	}
}

// mfaSettings returns what GetUser shows of the user's MFA.
func (e *env) mfaSettings(t *testing.T, tok string) ([]string, string) {
	t.Helper()
	out, err := e.s.Client.GetUser(context.Background(), &cip.GetUserInput{AccessToken: aws.String(tok)})
	noErr(t, err)
	return out.UserMFASettingList, aws.ToString(out.PreferredMfaSetting)
}
