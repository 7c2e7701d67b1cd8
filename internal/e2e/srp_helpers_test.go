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
)

// srpSignIn is one USER_SRP_AUTH exchange in progress: the client's
// ephemeral key and the PASSWORD_VERIFIER challenge it received.
type srpSignIn struct {
	client *srp.Client
	params map[string]string
}

// srpInitiate sends InitiateAuth USER_SRP_AUTH (AdminInitiateAuth when
// admin) and checks that the answer is a complete PASSWORD_VERIFIER
// challenge. extra adds auth parameters such as SECRET_HASH.
func srpInitiate(t *testing.T, s *testserver.Server, pool, clientID, username string, admin bool, extra map[string]string) (*srpSignIn, error) {
	t.Helper()
	c, err := srp.NewClient(rand.Reader, pool)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"USERNAME": username, "SRP_A": c.SrpAHex()}
	for k, v := range extra {
		params[k] = v
	}
	ctx := context.Background()
	var name types.ChallengeNameType
	var cp map[string]string
	if admin {
		out, err := s.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
			UserPoolId: aws.String(pool), ClientId: aws.String(clientID),
			AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: params,
		})
		if err != nil {
			return nil, err
		}
		name, cp = out.ChallengeName, out.ChallengeParameters
	} else {
		out, err := s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: params,
		})
		if err != nil {
			return nil, err
		}
		if out.AuthenticationResult != nil {
			t.Fatal("USER_SRP_AUTH returned tokens before the password was proven")
		}
		name, cp = out.ChallengeName, out.ChallengeParameters
	}
	if name != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("ChallengeName = %q, want PASSWORD_VERIFIER", name)
	}
	for _, k := range []string{"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"} {
		if cp[k] == "" {
			t.Fatalf("challenge parameter %s missing: %s", k, testserver.String(cp))
		}
	}
	return &srpSignIn{client: c, params: cp}, nil
}

// answer computes the PASSWORD_VERIFIER responses for password, signed at
// the server's current time, over the challenge's SECRET_BLOCK unless
// secretBlock is set.
func (si *srpSignIn) answer(t *testing.T, s *testserver.Server, password, secretBlock string) map[string]string {
	t.Helper()
	if secretBlock == "" {
		secretBlock = si.params["SECRET_BLOCK"]
	}
	user := si.params["USER_ID_FOR_SRP"]
	ts, sig, err := si.client.Respond(user, password, si.params["SALT"], si.params["SRP_B"], secretBlock, s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"USERNAME": user, "PASSWORD_CLAIM_SECRET_BLOCK": secretBlock,
		"TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig,
	}
}

// srpRespond sends RespondToAuthChallenge (the admin variant when pool is
// not empty).
func srpRespond(s *testserver.Server, pool, clientID string, challenge types.ChallengeNameType, session *string, resp map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	ctx := context.Background()
	if pool != "" {
		out, err := s.Client.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
			UserPoolId: aws.String(pool), ClientId: aws.String(clientID), ChallengeName: challenge,
			Session: session, ChallengeResponses: resp,
		})
		if err != nil {
			return nil, err
		}
		return &cip.RespondToAuthChallengeOutput{ChallengeName: out.ChallengeName, ChallengeParameters: out.ChallengeParameters,
			Session: out.Session, AuthenticationResult: out.AuthenticationResult}, nil
	}
	return s.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(clientID), ChallengeName: challenge, Session: session, ChallengeResponses: resp,
	})
}

// srpSignInTokens runs a whole SRP sign-in and returns the tokens.
func srpSignInTokens(t *testing.T, s *testserver.Server, pool, clientID, username, password string) *types.AuthenticationResultType {
	t.Helper()
	si, err := srpInitiate(t, s, pool, clientID, username, false, nil)
	if err != nil {
		t.Fatalf("InitiateAuth USER_SRP_AUTH: %v", err)
	}
	out, err := srpRespond(s, "", clientID, types.ChallengeNameTypePasswordVerifier, nil, si.answer(t, s, password, ""))
	if err != nil {
		t.Fatalf("RespondToAuthChallenge PASSWORD_VERIFIER: %v", err)
	}
	srpWantTokens(t, s, out, username)
	return out.AuthenticationResult
}

// srpWantTokens checks that a challenge answer carries working tokens for
// the user whose internal name is username ("" skips the name check).
func srpWantTokens(t *testing.T, s *testserver.Server, out *cip.RespondToAuthChallengeOutput, username string) {
	t.Helper()
	r := out.AuthenticationResult
	if out.ChallengeName != "" || r == nil || aws.ToString(r.AccessToken) == "" || aws.ToString(r.IdToken) == "" ||
		aws.ToString(r.RefreshToken) == "" || aws.ToString(r.TokenType) != "Bearer" || r.ExpiresIn != 3600 {
		t.Fatalf("want tokens, got %s", testserver.String(out))
	}
	u, err := s.Client.GetUser(context.Background(), &cip.GetUserInput{AccessToken: r.AccessToken})
	if err != nil {
		t.Fatalf("GetUser with the SRP access token: %v", err)
	}
	if username != "" && aws.ToString(u.Username) != username {
		t.Errorf("GetUser Username = %q, want %q", aws.ToString(u.Username), username)
	}
}

const srpIncorrect = "Incorrect username or password."
