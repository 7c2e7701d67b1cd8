package cli

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recorder is an http.RoundTripper standing in for the network: it keeps
// each request and answers with a fixed GetUser response.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	body := `{"Username":"alice","UserAttributes":[{"Name":"sub","Value":"x"}]}`
	return &http.Response{StatusCode: 200, Status: "200 OK", Request: req,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
		Body:   io.NopCloser(strings.NewReader(body))}, nil
}

// TestRegionAndEndpoint resolves the region (flag, profile file, then
// AWS_REGION, then AWS_DEFAULT_REGION) and checks where the request goes
// and that it carries no credentials even when the profile has keys.
func TestRegionAndEndpoint(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	creds := write("credentials", "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRETEXAMPLE\nregion = eu-west-1\n\n"+
		"[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = SECRETDEV\nregion = ap-southeast-2\n\n"+
		"[noregion]\naws_access_key_id = AKIDNR\naws_secret_access_key = SECRETNR\n")
	cfg := write("config", "[default]\nregion = eu-central-1\n\n[profile staging]\nregion = us-west-2\nendpoint_url = http://staging.example:9229\n")
	missing := filepath.Join(dir, "does-not-exist")
	cases := []struct {
		name     string
		args     []string
		env      map[string]string
		wantHost string
		wantCode int
		wantErr  string
	}{
		{name: "flag wins", args: []string{"--region", "us-east-2", "--profile-location", creds}, env: map[string]string{"AWS_REGION": "sa-east-1"},
			wantHost: "cognito-idp.us-east-2.amazonaws.com"},
		{name: "profile location default profile", args: []string{"--profile-location", creds}, env: map[string]string{"AWS_REGION": "sa-east-1"},
			wantHost: "cognito-idp.eu-west-1.amazonaws.com"},
		{name: "named profile", args: []string{"--profile-location", creds, "--profile", "dev"},
			wantHost: "cognito-idp.ap-southeast-2.amazonaws.com"},
		{name: "AWS_PROFILE names the profile", args: []string{"--profile-location", creds}, env: map[string]string{"AWS_PROFILE": "dev"},
			wantHost: "cognito-idp.ap-southeast-2.amazonaws.com"},
		{name: "config-style profile with endpoint", args: []string{"--profile-location", cfg, "--profile", "staging"},
			wantHost: "staging.example:9229"},
		{name: "profile without region falls back to AWS_REGION", args: []string{"--profile-location", creds, "--profile", "noregion"},
			env: map[string]string{"AWS_REGION": "ca-central-1", "AWS_DEFAULT_REGION": "eu-north-1"}, wantHost: "cognito-idp.ca-central-1.amazonaws.com"},
		{name: "AWS_DEFAULT_REGION last", args: []string{"--profile-location", creds, "--profile", "noregion"},
			env: map[string]string{"AWS_DEFAULT_REGION": "eu-north-1"}, wantHost: "cognito-idp.eu-north-1.amazonaws.com"},
		{name: "missing profile file is not an error", args: []string{"--profile-location", missing},
			env: map[string]string{"AWS_REGION": "us-west-1"}, wantHost: "cognito-idp.us-west-1.amazonaws.com"},
		{name: "default files under HOME", env: map[string]string{"HOME": dir, "AWS_CONFIG_FILE": cfg, "AWS_SHARED_CREDENTIALS_FILE": missing},
			wantHost: "cognito-idp.eu-central-1.amazonaws.com"},
		{name: "endpoint flag", args: []string{"--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9229"},
			wantHost: "127.0.0.1:9229"},
		{name: "no region anywhere", args: []string{"--profile-location", missing}, wantCode: ExitUsage,
			wantErr: "cognate get-user: no region: pass --region, set region in profile \"default\" (--profile, --profile-location), or set AWS_REGION\n"},
		{name: "unknown profile and no env", args: []string{"--profile-location", creds, "--profile", "ghost"}, wantCode: ExitUsage,
			wantErr: "no region"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			env := map[string]string{"COGNATE_HISTORY_FILE": filepath.Join(t.TempDir(), "h.jsonl")}
			for k, v := range tc.env {
				env[k] = v
			}
			var out, errb bytes.Buffer
			code := Run(append([]string{"get-user", "--access-token", "tok"}, tc.args...), Env{
				Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
				Getenv:     func(k string) string { return env[k] },
				HTTPClient: &http.Client{Transport: rec},
			})
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.wantCode, errb.String())
			}
			if tc.wantCode != ExitOK {
				if !strings.Contains(errb.String(), tc.wantErr) || len(rec.reqs) != 0 {
					t.Errorf("stderr %q, want %q and no request (sent %d)", errb.String(), tc.wantErr, len(rec.reqs))
				}
				return
			}
			if len(rec.reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(rec.reqs))
			}
			req := rec.reqs[0]
			if req.URL.Host != tc.wantHost {
				t.Errorf("request went to %s, want %s", req.URL.Host, tc.wantHost)
			}
			for _, h := range []string{"Authorization", "X-Amz-Security-Token", "X-Amz-Date"} {
				if v := req.Header.Get(h); v != "" {
					t.Errorf("request carries %s: %q; this operation must be unsigned", h, v)
				}
			}
			if got := req.Header.Get("X-Amz-Target"); got != "AWSCognitoIdentityProviderService.GetUser" {
				t.Errorf("X-Amz-Target = %q", got)
			}
		})
	}
}
