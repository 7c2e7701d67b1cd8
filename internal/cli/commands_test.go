package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// fixture is what a case may refer to in its arguments: {TOKEN}, {CODE},
// {USER}, {POOL}, {CLIENT}, {ENDPOINT}.
type fixture struct {
	token, code, user string
}

func (h *harness) expand(f fixture, s string) string {
	return strings.NewReplacer("{TOKEN}", f.token, "{CODE}", f.code, "{USER}", f.user,
		"{POOL}", h.pool, "{CLIENT}", h.client, "{ENDPOINT}", h.s.URL).Replace(s)
}

// TestGolden runs each command against the test server and compares the
// normalised exit code, standard output and standard error with
// testdata/<name>.golden.
func TestGolden(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	requestCode := func(t *testing.T, h *harness, f *fixture) {
		_, err := h.s.Client.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{
			AccessToken: aws.String(f.token), AttributeName: aws.String("email")})
		if err != nil {
			t.Fatal(err)
		}
		f.code = h.s.LastCode(t, h.pool, f.user, "email")
	}
	cases := []struct {
		name  string
		attrs []string
		prep  func(t *testing.T, h *harness, f *fixture)
		stdin string
		args  []string
		local bool // no --region/--endpoint-url appended
		check func(t *testing.T, h *harness, f fixture, r result)
	}{
		{name: "update-email", args: []string{"update-user-attribute", "--access-token", "{TOKEN}", "--user-attribute", "email=new@example.com"},
			check: func(t *testing.T, h *harness, f fixture, r result) {
				if got := h.s.LastCode(t, h.pool, f.user, "email"); got == "" {
					t.Error("no verification code was sent")
				}
			}},
		{name: "update-select-all", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", "email=new@example.com", "--select", "*"}},
		{name: "update-output-text", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", "email=new@example.com", "--output", "text"}},
		{name: "update-output-table", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", "email=new@example.com", "--output", "table"}},
		{name: "update-json-list", args: []string{"update-user-attribute", "--access-token", "{TOKEN}",
			"--user-attribute", `[{"Name":"nickname","Value":"Nick"},{"Name":"given_name","Value":"Al"}]`, "--client-metadata", `{"source":"cli"}`},
			check: func(t *testing.T, h *harness, f fixture, r result) {
				got := h.attrs(t, f.token)
				if got["nickname"] != "Nick" || got["given_name"] != "Al" {
					t.Errorf("attributes after update: %v", got)
				}
			}},
		{name: "update-blank-deletes", attrs: []string{"nickname", "Nick"},
			args: []string{"update-user-attribute", "--access-token", "{TOKEN}", "--user-attribute", "nickname=", "--client-metadata", "k=v"},
			check: func(t *testing.T, h *harness, f fixture, r result) {
				if v, ok := h.attrs(t, f.token)["nickname"]; ok {
					t.Errorf("nickname = %q after NAME=, want it deleted", v)
				}
			}},
		{name: "update-select-param", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", "nickname=N", "--select", "^UserAttribute"}},
		{name: "update-passthru", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", "nickname=N", "--passthru"},
			check: func(t *testing.T, h *harness, f fixture, r result) {
				if strings.TrimSpace(r.stdout) != f.token {
					t.Errorf("--passthru printed %q, want the access token", r.stdout)
				}
			}},
		{name: "get-user", attrs: []string{"email", "u@example.com", "email_verified", "true"}, args: []string{"get-user", "--access-token", "{TOKEN}"}},
		{name: "get-user-table", attrs: []string{"email", "u@example.com"}, args: []string{"get-user", "{TOKEN}", "--select", "UserAttributes", "--output", "table"}},
		{name: "get-user-text", attrs: []string{"email", "u@example.com"}, args: []string{"get-user", "{TOKEN}", "--select", "UserAttributes", "--output", "text"}},
		{name: "get-user-username", args: []string{"get-user", "{TOKEN}", "--select", "Username"}},
		{name: "get-code", attrs: []string{"email", "u@example.com"}, args: []string{"get-user-attribute-verification-code", "{TOKEN}", "--attribute-name", "email"}},
		{name: "verify", attrs: []string{"email", "u@example.com"}, prep: requestCode,
			args: []string{"verify-user-attribute", "{TOKEN}", "--attribute-name", "email", "--code", "{CODE}"},
			check: func(t *testing.T, h *harness, f fixture, r result) {
				if v := h.attrs(t, f.token)["email_verified"]; v != "true" {
					t.Errorf("email_verified = %q after verify, want true", v)
				}
			}},
		{name: "verify-wrong-code", attrs: []string{"email", "u@example.com"}, prep: requestCode,
			args: []string{"verify-user-attribute", "{TOKEN}", "--attribute-name", "email", "--code", "000000x"}},
		{name: "delete-attributes", attrs: []string{"nickname", "Nick"},
			args: []string{"delete-user-attributes", "{TOKEN}", "--user-attribute-name", "nickname", "--force"},
			check: func(t *testing.T, h *harness, f fixture, r result) {
				if _, ok := h.attrs(t, f.token)["nickname"]; ok {
					t.Error("nickname still present after delete-user-attributes")
				}
			}},
		{name: "global-sign-out", args: []string{"global-sign-out", "{TOKEN}", "--force"},
			check: func(t *testing.T, h *harness, f fixture, r result) {
				if r := h.svc("", "get-user", f.token); r.code != ExitService || !strings.Contains(r.stderr, "NotAuthorizedException") {
					t.Errorf("get-user after global-sign-out: %s", r)
				}
			}},
		{name: "messages", attrs: []string{"email", "u@example.com"}, prep: requestCode, local: true,
			args: []string{"messages", "--endpoint-url", "{ENDPOINT}", "--user-pool-id", "{POOL}", "--username", "{USER}", "--attribute-name", "email", "--limit", "1"}},
		{name: "messages-code", attrs: []string{"email", "u@example.com"}, prep: requestCode, local: true,
			args: []string{"messages", "--endpoint-url", "{ENDPOINT}", "--username", "{USER}", "--select", "Messages.0.Code"},
			check: func(t *testing.T, h *harness, f fixture, r result) {
				if strings.TrimSpace(r.stdout) != f.code {
					t.Errorf("messages printed %q, want code %q", r.stdout, f.code)
				}
			}},
		{name: "sign-in", args: []string{"sign-in", "--client-id", "{CLIENT}", "--username", "{USER}", "--password", "Passw0rd!"}},
		{name: "sign-in-access-token", args: []string{"sign-in", "--client-id", "{CLIENT}", "--username", "{USER}", "--password-stdin", "--select", "AccessToken"},
			stdin: "Passw0rd!\n"},
		{name: "sign-in-wrong-password", args: []string{"sign-in", "--client-id", "{CLIENT}", "--username", "{USER}", "--password", "nope"}},

		// Service errors: exit 1, "<ExceptionType>: <message>".
		{name: "error-invalid-token", args: []string{"update-user-attribute", "--access-token", "not-a-token", "--user-attribute", "nickname=x"}},
		{name: "error-invalid-token-stdin", stdin: "garbage\n", args: []string{"get-user", "--access-token", "-"}},

		// Usage errors: exit 2 with a message and a hint.
		{name: "usage-no-token", args: []string{"update-user-attribute", "--user-attribute", "nickname=x"}},
		{name: "usage-no-attribute", args: []string{"update-user-attribute", "{TOKEN}"}},
		{name: "usage-bad-attribute", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", "nickname"}},
		{name: "usage-bad-json", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", `[{"Name":}]`}},
		{name: "usage-bad-metadata", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", "a=b", "--client-metadata", "novalue"}},
		{name: "usage-bad-output", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", "a=b", "--output", "yaml"}},
		{name: "usage-bad-select", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", "a=b", "--select", "Nope"}},
		{name: "usage-bad-select-param", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", "a=b", "--select", "^Nope"}},
		{name: "usage-passthru-and-select", args: []string{"update-user-attribute", "{TOKEN}", "--user-attribute", "a=b", "--passthru", "--select", "*"}},
		{name: "usage-unknown-flag", args: []string{"update-user-attribute", "--nope"}},
		{name: "usage-extra-argument", args: []string{"get-user", "{TOKEN}", "extra"}},
		{name: "usage-unknown-command", local: true, args: []string{"frobnicate"}},
		{name: "usage-sign-in-no-client", args: []string{"sign-in", "--username", "{USER}", "--password", "x"}},
		{name: "usage-sign-in-no-password", args: []string{"sign-in", "--client-id", "{CLIENT}", "--username", "{USER}"}},
		{name: "usage-sign-in-bad-flow", args: []string{"sign-in", "--client-id", "{CLIENT}", "--username", "{USER}", "--password", "x", "--auth-flow", "CUSTOM_AUTH"}},
		{name: "usage-srp-no-pool", args: []string{"sign-in", "--client-id", "{CLIENT}", "--username", "{USER}", "--password", "x", "--auth-flow", "USER_SRP_AUTH"}},
		{name: "usage-verify-no-code", args: []string{"verify-user-attribute", "{TOKEN}", "--attribute-name", "email"}},
		{name: "usage-bad-endpoint", local: true, args: []string{"get-user", "{TOKEN}", "--region", "us-east-1", "--endpoint-url", "ftp://x"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := fixture{user: "user" + string(rune('a'+i/26)) + string(rune('a'+i%26))}
			f.token = h.user(t, f.user, tc.attrs...)
			if tc.prep != nil {
				tc.prep(t, h, &f)
			}
			args := make([]string, len(tc.args))
			for j, a := range tc.args {
				args[j] = h.expand(f, a)
			}
			var r result
			if tc.local {
				r = h.run(h.expand(f, tc.stdin), args...)
			} else {
				r = h.svc(h.expand(f, tc.stdin), args...)
			}
			golden(t, tc.name, h.normalise(strings.ReplaceAll(r.String(), f.user, "<USER>")))
			if tc.check != nil {
				tc.check(t, h, f, r)
			}
		})
	}
}

// TestHelp checks every command's --help (with an example) and the list.
func TestHelp(t *testing.T) {
	var b bytes.Buffer
	Help(&b)
	golden(t, "help", b.String())
	h := &harness{env: map[string]string{}}
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			r := h.run("", c.name, "--help")
			if r.code != ExitOK || !strings.Contains(r.stdout, "Example:\n  ") || !strings.Contains(r.stdout, "cognate "+c.name) {
				t.Errorf("--help: %s", r)
			}
			if !strings.Contains(b.String(), c.name) {
				t.Errorf("cognate help does not list %s", c.name)
			}
			golden(t, "help-"+c.name, r.stdout)
		})
	}
}

// TestPipeSignInToUpdate feeds sign-in's --select AccessToken output into
// update-user-attribute --access-token - (and into piped stdin without the
// flag), as a shell pipeline would.
func TestPipeSignInToUpdate(t *testing.T) {
	h := newHarness(t)
	h.user(t, "piper", "email", "p@example.com")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"dash", []string{"--access-token", "-"}, "Pipe1"},
		{"piped-without-flag", nil, "Pipe2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := h.svc("", "sign-in", "--client-id", h.client, "--username", "piper", "--password", "Passw0rd!", "--select", "AccessToken")
			if in.code != ExitOK || strings.Count(in.stdout, "\n") != 1 || !jwtRE.MatchString(in.stdout) {
				t.Fatalf("sign-in: %s", in)
			}
			args := append([]string{"update-user-attribute", "--user-attribute", "nickname=" + tc.want}, tc.args...)
			out := h.svc(in.stdout, args...)
			if out.code != ExitOK || out.stderr != "" {
				t.Fatalf("update-user-attribute: %s", out)
			}
			if got := h.attrs(t, strings.TrimSpace(in.stdout))["nickname"]; got != tc.want {
				t.Errorf("nickname = %q, want %q", got, tc.want)
			}
		})
	}
}
