package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// harness is a test server with one pool and one app client, and the
// environment the commands see.
type harness struct {
	s        *testserver.Server
	pool     string
	client   string
	histFile string
	env      map[string]string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	s := testserver.Start(t)
	pool := s.Pool(t, &cip.CreateUserPoolInput{
		PoolName:               aws.String("cli"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	})
	client := s.AppClient(t, pool, nil)
	hist := filepath.Join(t.TempDir(), "history.jsonl")
	return &harness{s: s, pool: pool, client: client, histFile: hist,
		env: map[string]string{"COGNATE_HISTORY_FILE": hist}}
}

// result is what one command run produced.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit: %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run runs a command in-process with the given standard input.
func (h *harness) run(stdin string, args ...string) result {
	var out, errb bytes.Buffer
	code := Run(args, Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return h.env[k] },
	})
	return result{code, out.String(), errb.String()}
}

// svc runs a Cognito command against the test server.
func (h *harness) svc(stdin string, args ...string) result {
	return h.run(stdin, append(args, "--region", "us-east-1", "--endpoint-url", h.s.URL)...)
}

// user creates a confirmed user and returns its access token.
func (h *harness) user(t *testing.T, name string, attrs ...string) string {
	t.Helper()
	h.s.User(t, h.pool, name, attrs...)
	return *h.s.SignIn(t, h.client, name).AccessToken
}

var (
	jwtRE  = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){2,4}`)
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timeRE = regexp.MustCompile(`\b1[0-9]{9}(\.[0-9]+)?\b`)
	codeRE = regexp.MustCompile(`\b[0-9]{6}\b`)
)

// normalise replaces what changes between runs: endpoint, ids, tokens,
// UUIDs, times and codes.
func (h *harness) normalise(s string) string {
	s = strings.ReplaceAll(s, h.s.URL, "<ENDPOINT>")
	s = strings.ReplaceAll(s, h.pool, "<POOL>")
	s = strings.ReplaceAll(s, h.client, "<CLIENT>")
	s = jwtRE.ReplaceAllString(s, "<JWT>")
	s = uuidRE.ReplaceAllString(s, "<UUID>")
	s = timeRE.ReplaceAllString(s, "<TIME>")
	return codeRE.ReplaceAllString(s, "<CODE>")
}

// golden compares got with testdata/<name>.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (run go test -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// getUser returns the user's attributes through the SDK, for assertions.
func (h *harness) attrs(t *testing.T, token string) map[string]string {
	t.Helper()
	out, err := h.s.Client.GetUser(context.Background(), &cip.GetUserInput{AccessToken: aws.String(token)})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	m := map[string]string{}
	for _, a := range out.UserAttributes {
		m[*a.Name] = *a.Value
	}
	return m
}
