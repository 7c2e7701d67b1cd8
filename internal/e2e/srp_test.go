package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestSRPSignIn covers both initiating operations and the failures that
// must all look like a wrong password.
func TestSRPSignIn(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)
	s.User(t, pool, "jane", "email", "jane@example.com")
	s.User(t, pool, "bob")

	for _, admin := range []bool{false, true} {
		name := "InitiateAuth"
		respondPool := ""
		if admin {
			name, respondPool = "AdminInitiateAuth", pool
		}
		t.Run(name, func(t *testing.T) {
			si, err := srpInitiate(t, s, pool, client, "jane", admin, nil)
			if err != nil {
				t.Fatal(err)
			}
			if si.params["USERNAME"] != "jane" || si.params["USER_ID_FOR_SRP"] != "jane" {
				t.Errorf("USERNAME/USER_ID_FOR_SRP = %q/%q", si.params["USERNAME"], si.params["USER_ID_FOR_SRP"])
			}
			out, err := srpRespond(s, respondPool, client, types.ChallengeNameTypePasswordVerifier, nil, si.answer(t, s, testserver.Password, ""))
			if err != nil {
				t.Fatal(err)
			}
			srpWantTokens(t, s, out, "jane")
		})
	}

	forge := func(block string) string {
		b, err := base64.StdEncoding.DecodeString(block)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x01
		return base64.StdEncoding.EncodeToString(b)
	}
	rejected := []struct {
		name    string
		respond func(t *testing.T, si *srpSignIn) map[string]string
	}{
		{"wrong password", func(t *testing.T, si *srpSignIn) map[string]string {
			return si.answer(t, s, "Wr0ngPassword!", "")
		}},
		{"secret block replayed for another user", func(t *testing.T, si *srpSignIn) map[string]string {
			// bob's exchange, correctly signed by bob, but over jane's block.
			bob, err := srpInitiate(t, s, pool, client, "bob", false, nil)
			if err != nil {
				t.Fatal(err)
			}
			return bob.answer(t, s, testserver.Password, si.params["SECRET_BLOCK"])
		}},
		{"forged secret block", func(t *testing.T, si *srpSignIn) map[string]string {
			return si.answer(t, s, testserver.Password, forge(si.params["SECRET_BLOCK"]))
		}},
		{"signature of another exchange", func(t *testing.T, si *srpSignIn) map[string]string {
			other, err := srpInitiate(t, s, pool, client, "jane", false, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := si.answer(t, s, testserver.Password, "")
			r["PASSWORD_CLAIM_SIGNATURE"] = other.answer(t, s, testserver.Password, "")["PASSWORD_CLAIM_SIGNATURE"]
			return r
		}},
		{"timestamp far from the server clock", func(t *testing.T, si *srpSignIn) map[string]string {
			ts, sig, err := si.client.Respond("jane", testserver.Password, si.params["SALT"], si.params["SRP_B"],
				si.params["SECRET_BLOCK"], s.Clock.Now().Add(-time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			return map[string]string{"USERNAME": "jane", "PASSWORD_CLAIM_SECRET_BLOCK": si.params["SECRET_BLOCK"],
				"TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig}
		}},
	}
	for _, tc := range rejected {
		t.Run(tc.name, func(t *testing.T) {
			si, err := srpInitiate(t, s, pool, client, "jane", false, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, tc.respond(t, si))
			testserver.WantError[*types.NotAuthorizedException](t, err, srpIncorrect)
		})
	}

	t.Run("unknown user", func(t *testing.T) {
		_, err := srpInitiate(t, s, pool, client, "nobody", false, nil)
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
	})
	t.Run("missing SRP_A", func(t *testing.T) {
		_, err := s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
			ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": "jane"},
		})
		testserver.WantError[*types.InvalidParameterException](t, err, "Missing required parameter SRP_A")
	})
}

// TestSRPSecretBlockExpires is separate because it moves the server clock.
func TestSRPSecretBlockExpires(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)
	s.User(t, pool, "jane")
	si, err := srpInitiate(t, s, pool, client, "jane", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Clock.Advance(6 * time.Minute)
	// Signed at the (moved) server time, so only the block's age is wrong.
	_, err = srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, si.answer(t, s, testserver.Password, ""))
	testserver.WantError[*types.NotAuthorizedException](t, err, srpIncorrect)
	// A fresh exchange still works at the new time.
	srpSignInTokens(t, s, pool, client, "jane", testserver.Password)
}

// TestSRPAliasAndSecret signs in by email, with and without a client
// secret: SECRET_HASH is computed over the name sent on each call.
func TestSRPAliasAndSecret(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	aliasPool := s.Pool(t, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}})
	s.User(t, aliasPool, "jane", "email", "jane@example.com", "email_verified", "true")
	emailPool := s.Pool(t, &cip.CreateUserPoolInput{PoolName: aws.String("byemail"),
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
	s.User(t, emailPool, "ann@example.com", "email_verified", "true")
	annUser, err := s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(emailPool), Username: aws.String("ann@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	annInternal := aws.ToString(annUser.Username)

	for _, tc := range []struct {
		name, pool, signIn, internal string
	}{
		{"alias attribute", aliasPool, "jane@example.com", "jane"},
		{"username attribute", emailPool, "ann@example.com", annInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := s.AppClient(t, tc.pool, nil)
			si, err := srpInitiate(t, s, tc.pool, client, tc.signIn, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			if si.params["USER_ID_FOR_SRP"] != tc.internal || si.params["USERNAME"] != tc.internal {
				t.Errorf("USERNAME/USER_ID_FOR_SRP = %q/%q, want %q", si.params["USERNAME"], si.params["USER_ID_FOR_SRP"], tc.internal)
			}
			out, err := srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, si.answer(t, s, testserver.Password, ""))
			if err != nil {
				t.Fatal(err)
			}
			srpWantTokens(t, s, out, tc.internal)
		})
		t.Run(tc.name+" with client secret", func(t *testing.T) {
			client := s.AppClient(t, tc.pool, &cip.CreateUserPoolClientInput{GenerateSecret: true})
			desc, err := s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(tc.pool), ClientId: aws.String(client)})
			if err != nil {
				t.Fatal(err)
			}
			secret := aws.ToString(desc.UserPoolClient.ClientSecret)
			if _, err := srpInitiate(t, s, tc.pool, client, tc.signIn, false, nil); err == nil {
				t.Fatal("USER_SRP_AUTH without SECRET_HASH succeeded")
			} else {
				testserver.WantError[*types.NotAuthorizedException](t, err, "Client "+client+" is configured for secret but secret was not received")
			}
			si, err := srpInitiate(t, s, tc.pool, client, tc.signIn, false,
				map[string]string{"SECRET_HASH": testserver.SecretHash(secret, tc.signIn, client)})
			if err != nil {
				t.Fatal(err)
			}
			resp := si.answer(t, s, testserver.Password, "")
			// The response names the internal user, so its hash must too.
			resp["SECRET_HASH"] = testserver.SecretHash(secret, tc.signIn, client)
			if tc.signIn != tc.internal {
				_, err = srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, resp)
				testserver.WantError[*types.NotAuthorizedException](t, err, "Unable to verify secret hash for client "+client)
			}
			resp["SECRET_HASH"] = testserver.SecretHash(secret, tc.internal, client)
			out, err := srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, resp)
			if err != nil {
				t.Fatal(err)
			}
			srpWantTokens(t, s, out, tc.internal)
		})
	}
}

// TestSRPClientWithoutFlow checks that ExplicitAuthFlows gates SRP.
func TestSRPClientWithoutFlow(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	s.User(t, pool, "jane")
	for _, admin := range []bool{false, true} {
		_, err := srpInitiate(t, s, pool, client, "jane", admin, nil)
		testserver.WantError[*types.InvalidParameterException](t, err, "USER_SRP_AUTH flow not enabled for this client")
	}
}

// TestSRPNewPasswordRequired walks a FORCE_CHANGE_PASSWORD user through
// PASSWORD_VERIFIER and NEW_PASSWORD_REQUIRED, and checks the Session.
func TestSRPNewPasswordRequired(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)
	const temp, fresh = "Tempor4ry!", "N3wPassword!"
	// challenge signs in over SRP with the temporary password and returns
	// the NEW_PASSWORD_REQUIRED answer.
	challenge := func(t *testing.T, name string) *cip.RespondToAuthChallengeOutput {
		t.Helper()
		si, err := srpInitiate(t, s, pool, client, name, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err := srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, si.answer(t, s, temp, ""))
		if err != nil {
			t.Fatal(err)
		}
		if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || out.AuthenticationResult != nil ||
			aws.ToString(out.Session) == "" || out.ChallengeParameters["USER_ID_FOR_SRP"] != name {
			t.Fatalf("after PASSWORD_VERIFIER: %s", testserver.String(out))
		}
		var attrs map[string]string
		if err := json.Unmarshal([]byte(out.ChallengeParameters["userAttributes"]), &attrs); err != nil {
			t.Errorf("userAttributes %q: %v", out.ChallengeParameters["userAttributes"], err)
		}
		return out
	}
	newPassword := func(session *string, name string) (*cip.RespondToAuthChallengeOutput, error) {
		return srpRespond(s, "", client, types.ChallengeNameTypeNewPasswordRequired, session,
			map[string]string{"USERNAME": name, "NEW_PASSWORD": fresh})
	}

	t.Run("tokens after the new password", func(t *testing.T) {
		s.TempUser(t, pool, "jane", temp)
		out := challenge(t, "jane")
		session := aws.ToString(out.Session)
		if strings.Contains(session, "jane") || strings.Contains(session, pool) {
			t.Errorf("Session shows the user or pool: %q", session)
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(session); err == nil && (strings.Contains(string(b), "jane") || strings.Contains(string(b), pool)) {
				t.Errorf("decoded Session shows the user or pool: %q", b)
			}
		}
		res, err := newPassword(out.Session, "jane")
		if err != nil {
			t.Fatal(err)
		}
		srpWantTokens(t, s, res, "jane")
		u, err := s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("jane")})
		if err != nil {
			t.Fatal(err)
		}
		if u.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("UserStatus = %s", u.UserStatus)
		}
		// The verifier now follows the new password.
		srpSignInTokens(t, s, pool, client, "jane", fresh)
		si, err := srpInitiate(t, s, pool, client, "jane", false, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, si.answer(t, s, temp, ""))
		testserver.WantError[*types.NotAuthorizedException](t, err, srpIncorrect)
		// The used Session is worthless now.
		_, err = newPassword(out.Session, "jane")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
	})

	t.Run("tampered session", func(t *testing.T) {
		s.TempUser(t, pool, "tom", temp)
		out := challenge(t, "tom")
		session := []byte(aws.ToString(out.Session))
		i := len(session) / 2
		if session[i] == 'A' {
			session[i] = 'B'
		} else {
			session[i] = 'A'
		}
		_, err := newPassword(aws.String(string(session)), "tom")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
		_, err = newPassword(aws.String(strings.Repeat("x", 64)), "tom")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
		// The genuine one still works.
		res, err := newPassword(out.Session, "tom")
		if err != nil {
			t.Fatal(err)
		}
		srpWantTokens(t, s, res, "tom")
	})
}

// TestSRPSessionExpires is separate because it moves the server clock.
func TestSRPSessionExpires(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)
	const temp = "Tempor4ry!"
	s.TempUser(t, pool, "jane", temp)
	si, err := srpInitiate(t, s, pool, client, "jane", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, si.answer(t, s, temp, ""))
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("after PASSWORD_VERIFIER: %s", testserver.String(out))
	}
	s.Clock.Advance(4 * time.Minute) // AuthSessionValidity defaults to 3 minutes
	_, err = srpRespond(s, "", client, types.ChallengeNameTypeNewPasswordRequired, out.Session,
		map[string]string{"USERNAME": "jane", "NEW_PASSWORD": "N3wPassword!"})
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
}

// TestSRPAfterPasswordChange checks that every way of setting a password
// recomputes the SRP verifier, and that a challenge issued before the
// change cannot be completed after it.
func TestSRPAfterPasswordChange(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)
	s.User(t, pool, "jane")

	wrong := func(t *testing.T, password string) {
		t.Helper()
		si, err := srpInitiate(t, s, pool, client, "jane", false, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, si.answer(t, s, password, ""))
		testserver.WantError[*types.NotAuthorizedException](t, err, srpIncorrect)
	}

	pending, err := srpInitiate(t, s, pool, client, "jane", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	const second, third = "Sec0ndPassword!", "Th1rdPassword!"
	t.Run("AdminSetUserPassword", func(t *testing.T) {
		if _, err := s.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: aws.String(pool), Username: aws.String("jane"), Password: aws.String(second), Permanent: true,
		}); err != nil {
			t.Fatal(err)
		}
		srpSignInTokens(t, s, pool, client, "jane", second)
		wrong(t, testserver.Password)
		// Begun with the old verifier, answered with the old password.
		_, err := srpRespond(s, "", client, types.ChallengeNameTypePasswordVerifier, nil, pending.answer(t, s, testserver.Password, ""))
		testserver.WantError[*types.NotAuthorizedException](t, err, srpIncorrect)
	})
	t.Run("ChangePassword", func(t *testing.T) {
		tokens := srpSignInTokens(t, s, pool, client, "jane", second)
		if _, err := s.Client.ChangePassword(ctx, &cip.ChangePasswordInput{
			AccessToken: tokens.AccessToken, PreviousPassword: aws.String(second), ProposedPassword: aws.String(third),
		}); err != nil {
			t.Fatal(err)
		}
		srpSignInTokens(t, s, pool, client, "jane", third)
		wrong(t, second)
	})
}

// TestSRPSecretReplaced pins what docs/passwords.md promises when the
// server secret changes: sealed verifiers no longer open, so SRP fails as
// a server error, the argon2id hash still serves USER_PASSWORD_AUTH, and
// setting the password again restores SRP.
func TestSRPSecretReplaced(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	s := testserver.Start(t, testserver.WithDataDir(dir))
	pool := s.Pool(t, nil)
	client := s.AppClient(t, pool, nil)
	s.User(t, pool, "jane")
	srpSignInTokens(t, s, pool, client, "jane", testserver.Password)
	s.Close()

	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	s = testserver.Start(t, testserver.WithDataDir(dir))
	_, err := srpInitiate(t, s, pool, client, "jane", false, nil)
	testserver.WantError[*types.InternalErrorException](t, err, "Internal server error.")
	s.SignIn(t, client, "jane")
	if _, err := s.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(pool), Username: aws.String("jane"), Password: aws.String(testserver.Password), Permanent: true,
	}); err != nil {
		t.Fatal(err)
	}
	srpSignInTokens(t, s, pool, client, "jane", testserver.Password)
}
