package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate-idp/cognate/internal/app"
	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
)

// syncBuffer is a bytes.Buffer safe for the access log's flusher.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs an app with an access log on a real listener, through the
// same front the server uses.
func start(t *testing.T, edit func(*config.Config)) (string, *syncBuffer, *app.App) {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Data, cfg.SecretFile = dir, dir+"/secret.key"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = ln.Addr().String()
	cfg.PublicURL = "http://" + cfg.Listen
	if edit != nil {
		edit(&cfg)
	}
	logs := &syncBuffer{}
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), app.Overrides{
		AccessLog: logs, PasswordHash: passwords.HashParams{Time: 1, Memory: 64, Threads: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	front := a.Front(&http.Server{ReadHeaderTimeout: 10 * time.Second})
	go func() { _ = front.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = front.Shutdown(ctx)
		_ = a.Close()
	})
	return "http://" + cfg.Listen, logs, a
}

func get(t *testing.T, url, user, pass string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// TestAccessLogAndMetrics checks one access-log line per request, with
// operation, status, error type, duration and request id and nothing
// secret, and the request counters at /metrics.
func TestAccessLogAndMetrics(t *testing.T) {
	url, logs, a := start(t, nil)
	ctx := context.Background()
	c := testserver.NewClient(url)
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("obs")})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "S3cret-Passw0rd!"
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: "USER_PASSWORD_AUTH", ClientId: aws.String("nosuchclient0000000000000"),
		AuthParameters: map[string]string{"USERNAME": "x", "PASSWORD": secret}})
	if err == nil {
		t.Fatal("InitiateAuth with an unknown client succeeded")
	}
	if code, _, _ := get(t, url+"/"+aws.ToString(pool.UserPool.Id)+"/.well-known/jwks.json", "", ""); code != 200 {
		t.Fatalf("JWKS: %d", code)
	}
	code, ctype, body := get(t, url+"/metrics", "", "")
	if code != 200 || !strings.HasPrefix(ctype, "text/plain") {
		t.Fatalf("/metrics: %d %s", code, ctype)
	}
	for _, want := range []string{
		`cognate_requests_total{error_type="",operation="CreateUserPool"} 1`,
		`cognate_requests_total{error_type="ResourceNotFoundException",operation="InitiateAuth"} 1`,
		`cognate_request_duration_seconds_count{operation="CreateUserPool"} 1`,
		`cognate_store_commit_batch_size_count`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	_ = a.Close() // flushes the access log
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	var ops []string
	for _, l := range lines {
		if strings.Contains(l, secret) || strings.Contains(l, "PASSWORD") {
			t.Errorf("access log line carries the password: %s", l)
		}
		if !strings.Contains(l, "level=INFO") || !strings.Contains(l, "msg=request") || !strings.Contains(l, "duration=") {
			t.Errorf("access log line %q", l)
		}
		if i := strings.Index(l, "operation="); i >= 0 {
			ops = append(ops, strings.Fields(l[i:])[0])
		}
	}
	want := []string{"operation=CreateUserPool", "operation=InitiateAuth"}
	if strings.Join(ops, " ") != strings.Join(want, " ") {
		t.Errorf("logged operations %v, want %v\n%s", ops, want, logs.String())
	}
	if !strings.Contains(logs.String(), "error_type=ResourceNotFoundException") || !strings.Contains(logs.String(), "status=400") ||
		!strings.Contains(logs.String(), "request_id=") || !strings.Contains(logs.String(), "path=/metrics") {
		t.Errorf("access log:\n%s", logs.String())
	}
}

// TestMetricsLockedWithAdminCredentials: with admin credentials set,
// /metrics asks for them.
func TestMetricsLockedWithAdminCredentials(t *testing.T) {
	url, _, _ := start(t, func(c *config.Config) {
		c.Admin.AccessKeyID, c.Admin.SecretAccessKey = "AKIDADMIN", "admin-secret"
	})
	if code, _, _ := get(t, url+"/metrics", "", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without credentials: %d", code)
	}
	if code, _, _ := get(t, url+"/metrics", "AKIDADMIN", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("/metrics with a wrong secret: %d", code)
	}
	if code, _, body := get(t, url+"/metrics", "AKIDADMIN", "admin-secret"); code != 200 || !strings.Contains(body, "cognate_requests_total") && !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics with credentials: %d", code)
	}
}

// TestUnknownPaths: / describes the server, anything unknown is a JSON
// 404.
func TestUnknownPaths(t *testing.T) {
	url, _, _ := start(t, nil)
	code, ctype, body := get(t, url+"/", "", "")
	var doc map[string]string
	if code != 200 || ctype != "application/json" || json.Unmarshal([]byte(body), &doc) != nil || doc["server"] != "cognate" || doc["version"] == "" {
		t.Errorf("GET /: %d %s %s", code, ctype, body)
	}
	for _, p := range []string{"/nope", "/oauth2/token", "/us-east-1_x/unknown"} {
		code, ctype, body := get(t, url+p, "", "")
		if code != http.StatusNotFound || ctype != "application/json" || !strings.Contains(body, `"message"`) {
			t.Errorf("GET %s: %d %s %s", p, code, ctype, body)
		}
	}
	resp, err := http.Post(url+"/elsewhere", "application/x-amz-json-1.1", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /elsewhere: %d", resp.StatusCode)
	}
}

// TestBadSeedStopsStart: a seed file the API would refuse stops the start
// with the API's message.
func TestBadSeedStopsStart(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"not JSON":       `{"Pools": [`,
		"bad precedence": `{"Pools": [{"PoolName": "p", "Groups": [{"GroupName": "g", "Precedence": -1}]}]}`,
	} {
		path := dir + "/seed.json"
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := config.Default()
		cfg.Data, cfg.SecretFile, cfg.Seed = dir+"/"+strings.ReplaceAll(name, " ", "-"), dir+"/secret.key", path
		a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), app.Overrides{})
		if err == nil {
			_ = a.Close()
			t.Errorf("%s: the server started", name)
			continue
		}
		if name == "bad precedence" && !strings.Contains(err.Error(), "precedence") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
