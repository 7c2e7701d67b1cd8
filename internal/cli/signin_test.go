package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestSignInFlows signs in with both flows, with and without a client
// secret (SECRET_HASH), and checks the tokens work.
func TestSignInFlows(t *testing.T) {
	h := newHarness(t)
	h.s.User(t, h.pool, "srpuser", "email", "s@example.com")
	secretClient := h.s.AppClient(t, h.pool, &cip.CreateUserPoolClientInput{ClientName: aws.String("secret"), GenerateSecret: true})
	d, err := h.s.Client.DescribeUserPoolClient(context.Background(), &cip.DescribeUserPoolClientInput{
		UserPoolId: aws.String(h.pool), ClientId: aws.String(secretClient)})
	if err != nil {
		t.Fatal(err)
	}
	secret := *d.UserPoolClient.ClientSecret
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"SRP", []string{"--client-id", h.client, "--auth-flow", "USER_SRP_AUTH", "--user-pool-id", h.pool, "--password", "Passw0rd!"}, ExitOK, ""},
		{"SRP with secret", []string{"--client-id", secretClient, "--client-secret", secret, "--auth-flow", "USER_SRP_AUTH", "--user-pool-id", h.pool, "--password", "Passw0rd!"}, ExitOK, ""},
		{"password with secret", []string{"--client-id", secretClient, "--client-secret", secret, "--password", "Passw0rd!"}, ExitOK, ""},
		{"SRP wrong password", []string{"--client-id", h.client, "--auth-flow", "USER_SRP_AUTH", "--user-pool-id", h.pool, "--password", "Wrong0rd!"},
			ExitService, "NotAuthorizedException: Incorrect username or password.\n"},
		{"secret client without secret", []string{"--client-id", secretClient, "--password", "Passw0rd!"},
			ExitService, "NotAuthorizedException: Client " + secretClient + " is configured for secret but secret was not received\n"},
		{"wrong secret", []string{"--client-id", secretClient, "--client-secret", "nope", "--auth-flow", "USER_SRP_AUTH", "--user-pool-id", h.pool, "--password", "Passw0rd!"},
			ExitService, "NotAuthorizedException: Unable to verify secret hash for client " + secretClient + "\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.svc("", append([]string{"sign-in", "--username", "srpuser", "--select", "AccessToken"}, tc.args...)...)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.wantCode, r)
			}
			if tc.wantCode != ExitOK {
				if r.stderr != tc.wantErr || r.stdout != "" {
					t.Errorf("stderr %q, want %q", r.stderr, tc.wantErr)
				}
				return
			}
			if got := h.attrs(t, strings.TrimSpace(r.stdout))["email"]; got != "s@example.com" {
				t.Errorf("the printed token does not work: email = %q", got)
			}
		})
	}
}

func TestSecretHash(t *testing.T) {
	// The expected value was computed with Python's hmac module:
	// base64(HMAC-SHA256(key="secret", msg="alice" + "client")).
	cases := []struct{ secret, user, client, want string }{
		{"", "alice", "client", ""},
		{"secret", "alice", "client", "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0="},
	}
	for _, tc := range cases {
		t.Run(tc.user+tc.secret, func(t *testing.T) {
			if got := secretHash(tc.secret, tc.user, tc.client); got != tc.want {
				t.Errorf("secretHash = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSignInChallenge checks that a challenge sign-in cannot answer is an
// error unless --select '*' asks for the whole response.
func TestSignInChallenge(t *testing.T) {
	h := newHarness(t)
	_, err := h.s.Client.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{
		UserPoolId: aws.String(h.pool), Username: aws.String("newbie"), TemporaryPassword: aws.String("Temp0rary!"),
		MessageAction: types.MessageActionTypeSuppress,
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		flow       []string
		sel        string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"password flow default select", nil, "AuthenticationResult", ExitService, "",
			"cognate sign-in: the service asked for the NEW_PASSWORD_REQUIRED challenge, which sign-in does not answer; use --select '*' to see it\n"},
		{"password flow whole response", nil, "*", ExitOK, `"ChallengeName": "NEW_PASSWORD_REQUIRED"`, ""},
		{"SRP flow whole response", []string{"--auth-flow", "USER_SRP_AUTH", "--user-pool-id", h.pool}, "*", ExitOK, `"ChallengeName": "NEW_PASSWORD_REQUIRED"`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"sign-in", "--client-id", h.client, "--username", "newbie", "--password", "Temp0rary!", "--select", tc.sel}, tc.flow...)
			r := h.svc("", args...)
			if r.code != tc.wantCode || !strings.Contains(r.stdout, tc.wantStdout) || r.stderr != tc.wantStderr {
				t.Errorf("got %s\nwant exit %d, stdout containing %q, stderr %q", r, tc.wantCode, tc.wantStdout, tc.wantStderr)
			}
		})
	}
}
