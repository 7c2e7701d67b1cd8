// Package testserver starts an in-process Cognate server for tests and
// returns a real aws-sdk-go-v2 Cognito client pointed at it.
//
// It is test support: production code must not import it.
package testserver

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate-idp/cognate/internal/app"
	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
)

// Clock is a settable clock; the zero value follows real time until Set.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Server is a running test server.
type Server struct {
	URL    string
	Client *cip.Client
	App    *app.App
	Clock  *Clock
	Config config.Config
	front  *server.Front
}

// Option changes the server's configuration before it starts.
type Option func(*config.Config)

// WithLambdaEndpoint points triggers at a Lambda Invoke API endpoint.
func WithLambdaEndpoint(url string) Option {
	return func(c *config.Config) { c.Lambda.Endpoint = url }
}

// WithDataDir uses dir as the data directory (to restart on the same data).
func WithDataDir(dir string) Option {
	return func(c *config.Config) { c.Data = dir; c.SecretFile = dir + "/secret.key" }
}

// WithConfig applies an arbitrary change.
func WithConfig(f func(*config.Config)) Option { return Option(f) }

// Start starts a server on a fresh temp-dir SQLite database; it stops when
// the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Data = dir
	cfg.SecretFile = dir + "/secret.key"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	addr := ln.Addr().String()
	cfg.PublicURL = "http://" + addr
	cfg.Listen = addr
	// Options come last so that they may set PublicURL (nodes behind one
	// load balancer share it); Listen must stay the test listener's.
	for _, o := range opts {
		o(&cfg)
	}
	cfg.Listen = addr
	clock := &Clock{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.New(context.Background(), cfg, log, app.Overrides{
		Now: clock.Now,
		// Fast hashing keeps tests quick; production uses the defaults.
		PasswordHash: passwords.HashParams{Time: 1, Memory: 64, Threads: 1},
	})
	if err != nil {
		ln.Close()
		t.Fatalf("testserver: %v", err)
	}
	front := a.Front(&http.Server{ReadHeaderTimeout: 10 * time.Second})
	go func() { _ = front.Serve(ln) }()
	s := &Server{URL: "http://" + addr, App: a, Clock: clock, Config: cfg, front: front}
	s.Client = NewClient(s.URL)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and closes its store.
func (s *Server) Close() {
	if s.front == nil {
		return
	}
	_ = s.front.Close()
	_ = s.App.Close()
	s.front = nil
}

// NewClient returns a Cognito client for endpoint with dummy credentials
// and no retries, so every error reaches the test.
func NewClient(endpoint string) *cip.Client {
	return cip.New(cip.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       HTTPClient,
	})
}

// HTTPClient is the HTTP client of the test clients. It hands net/http
// each request body as bytes in memory. The SDK closes its own body
// stream once the response arrives; when that happens before net/http has
// finished with the body (a server that answers as soon as it has read
// Content-Length bytes, on a slow machine or under -race), net/http takes
// the read error for a broken connection and closes it under the response
// being read: "deserialization failed, ... use of closed network
// connection" on a 200, aws/aws-sdk-go-v2#1825 and #2737, seen against
// AWS as well. Buffering the body removes the SDK's stream from the race;
// what goes over the wire is unchanged.
var HTTPClient = bufferedBodies{&http.Client{}}

type bufferedBodies struct{ c *http.Client }

func (b bufferedBodies) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		req.ContentLength = int64(len(body))
	}
	return b.c.Do(req)
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
