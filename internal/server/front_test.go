package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
)

type noKeys struct{}

func (noKeys) JWKS(context.Context, string) ([]byte, error) {
	return nil, cognito.New(cognito.ResourceNotFound, "no pool")
}
func (noKeys) OpenIDConfiguration(context.Context, string) ([]byte, error) {
	return nil, cognito.New(cognito.ResourceNotFound, "no pool")
}

// testFront serves an edge whose DescribeUserPool answers by pool id, on
// Front (direct) or on a plain http.Server (reference), and returns its
// address. release, when not nil, holds "us-east-1_wait" calls until it
// is closed.
func testFront(t *testing.T, direct bool, release chan struct{}) (string, *Front) {
	t.Helper()
	return testFrontWith(t, direct, release, nil)
}

// testFrontWith is testFront with the server's settings changed by tune.
func testFrontWith(t *testing.T, direct bool, release chan struct{}, tune func(*http.Server)) (string, *Front) {
	t.Helper()
	var ids atomic.Int64
	edge := awsjson.NewEdge(map[string]awsjson.Handler{
		"DescribeUserPool": func(ctx context.Context, in any) (any, error) {
			id := model.StringValue(in.(*model.DescribeUserPoolRequest).UserPoolId)
			switch id {
			case "us-east-1_agent":
				// Name carries what the operation saw as the User-Agent.
				return &model.DescribeUserPoolResponse{UserPool: &model.UserPoolType{Id: model.String(id),
					Name: model.String(cognito.RequestInfoFrom(ctx).UserAgent)}}, nil
			case "us-east-1_bad":
				return nil, cognito.New(cognito.InvalidParameter, "bad pool")
			case "us-east-1_unicode":
				return nil, cognito.New(cognito.InvalidParameter, "bad “ü”")
			case "us-east-1_wait":
				<-release
			}
			return &model.DescribeUserPoolResponse{UserPool: &model.UserPoolType{Id: model.String(id)}}, nil
		},
	}, awsjson.Options{NewID: func() string { return fmt.Sprintf("req-%d", ids.Add(1)) }})
	srv := &http.Server{
		Handler:           NewHandler(Options{Edge: edge, Keys: noKeys{}}),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       30 * time.Second,
	}
	if tune != nil {
		tune(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if !direct {
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		return ln.Addr().String(), nil
	}
	f := &Front{Server: srv, Direct: edge}
	done := make(chan error, 1)
	go func() { done <- f.Serve(ln) }()
	t.Cleanup(func() {
		_ = f.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return ln.Addr().String(), f
}

// exchange writes raw to a new connection and reads until the peer closes
// it or the responses stop coming.
func exchange(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	buf := make([]byte, 4096)
	for {
		_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.String()
		}
	}
}

var volatile = regexp.MustCompile(`(?m)^(Date|X-Amzn-Requestid): .*\r$`)

func mask(s string) string { return volatile.ReplaceAllString(s, "$1: *\r") }

func call(target, body string, extra ...string) string {
	h := "POST / HTTP/1.1\r\nHost: localhost:9229\r\nX-Amz-Target: " + target +
		"\r\nContent-Type: application/x-amz-json-1.1\r\nUser-Agent: test/1.0\r\n"
	for _, e := range extra {
		h += e + "\r\n"
	}
	return h + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body
}

const describe = "AWSCognitoIdentityProviderService.DescribeUserPool"

// TestFrontAnswersAsNetHTTP sends the same bytes to Front and to net/http
// alone and requires the same answer, byte for byte but for Date and the
// request id.
func TestFrontAnswersAsNetHTTP(t *testing.T) {
	t.Parallel()
	front, _ := testFront(t, true, nil)
	ref, _ := testFront(t, false, nil)
	big := `{"UserPoolId":"us-east-1_big","Pad":"` + strings.Repeat("x", 10000) + `"}`
	for name, raw := range map[string]string{
		"ok":                   call(describe, `{"UserPoolId":"us-east-1_abc"}`),
		"exception":            call(describe, `{"UserPoolId":"us-east-1_bad"}`),
		"message not a header": call(describe, `{"UserPoolId":"us-east-1_unicode"}`),
		"validation":           call(describe, `{}`),
		"malformed":            call(describe, `{"UserPoolId"`),
		"unknown operation":    call("AWSCognitoIdentityProviderService.Nope", `{}`),
		"no target":            strings.Replace(call(describe, `{}`), "X-Amz-Target", "X-Other", 1),
		"connection close":     call(describe, `{"UserPoolId":"us-east-1_abc"}`, "Connection: close"),
		"keep-alive":           call(describe, `{"UserPoolId":"us-east-1_abc"}`, "connection: Keep-Alive"),
		"body beyond buffer":   call(describe, big),
		"agent, body beyond buffer": call(describe, `{"UserPoolId":"us-east-1_agent","Pad":"`+strings.Repeat("y", 4500)+`"}`) +
			strings.Replace(call(describe, `{"UserPoolId":"us-east-1_agent"}`), "test/1.0", "other/2.0", 1),
		"pipelined":        call(describe, `{"UserPoolId":"us-east-1_a"}`) + call(describe, `{"UserPoolId":"us-east-1_b"}`),
		"then handed over": call(describe, `{"UserPoolId":"us-east-1_a"}`) + call(describe, `{"UserPoolId":"us-east-1_b"}`, "Origin: http://x") + call(describe, `{"UserPoolId":"us-east-1_c"}`),
		"cors":             call(describe, `{"UserPoolId":"us-east-1_abc"}`, "Origin: http://app.example"),
		"preflight":        "OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\nAccess-Control-Request-Method: POST\r\n\r\n",
		"health":           "GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
		"chunked":          "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + describe + "\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"Us\r\n19\r\nerPoolId\":\"us-east-1_ch\"}\r\n0\r\n\r\n",
		"no host":          "POST / HTTP/1.1\r\nX-Amz-Target: " + describe + "\r\nContent-Length: 2\r\n\r\n{}",
		"bare LF":          "POST / HTTP/1.1\nHost: x\nX-Amz-Target: " + describe + "\nContent-Length: 2\n\n{}",
		"two lengths":      call(describe, `{}`, "Content-Length: 2"),
		"bad header name":  call(describe, `{}`, "Bad Name: x"),
		"folded header":    call(describe, `{}`, "X-A: a", " folded"),
		"HTTP/1.0":         strings.Replace(call(describe, `{"UserPoolId":"us-east-1_abc"}`), "HTTP/1.1", "HTTP/1.0", 1),
		"expect":           call(describe, `{"UserPoolId":"us-east-1_abc"}`, "Expect: 100-continue"),
		"large head":       call(describe, `{"UserPoolId":"us-east-1_abc"}`, "X-Pad: "+strings.Repeat("p", 6000)),
		"other path":       strings.Replace(call(describe, `{"UserPoolId":"us-east-1_abc"}`), "POST / ", "POST /x ", 1),
		"GET /":            "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"garbage":          "\x16\x03\x01\x00\xa5\x01\x00\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, want := mask(exchange(t, front, raw)), mask(exchange(t, ref, raw))
			if got != want {
				t.Errorf("Front answered\n%q\nnet/http answered\n%q", got, want)
			}
			if want == "" {
				t.Errorf("no answer at all to %q", raw)
			}
		})
	}
}

// TestFrontServesDirectly checks that the common call really takes the
// narrow path: with the way to net/http closed, it is still answered.
func TestFrontServesDirectly(t *testing.T) {
	t.Parallel()
	addr, f := testFront(t, true, nil)
	f.setup()
	_ = f.handoff.Close()
	got := exchange(t, addr, call(describe, `{"UserPoolId":"us-east-1_abc"}`))
	if !strings.HasPrefix(got, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(got, `{"UserPool":{"Id":"us-east-1_abc"}}`) {
		t.Fatalf("answer = %q", got)
	}
	if got := exchange(t, addr, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"); got != "" {
		t.Fatalf("net/http still served %q", got)
	}
}

func TestFrontShutdown(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	addr, f := testFront(t, true, release)
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	busy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	// One answered call makes sure both connections are accepted and idle.
	for _, c := range []net.Conn{idle, busy} {
		if _, err := io.WriteString(c, call(describe, `{"UserPoolId":"us-east-1_abc"}`)); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if _, err := io.WriteString(busy, call(describe, `{"UserPoolId":"us-east-1_wait"}`)); err != nil {
		t.Fatal(err)
	}
	busyReader := bufio.NewReader(busy)
	time.Sleep(50 * time.Millisecond) // let the call reach the handler
	done := make(chan error, 1)
	go func() { done <- f.Shutdown(context.Background()) }()
	// The idle connection is closed at once.
	_ = idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle connection: read %d, %v; want EOF", n, err)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v before the busy call finished", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	_ = busy.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(busyReader, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !resp.Close || !strings.Contains(string(body), "us-east-1_wait") {
		t.Fatalf("busy call: %d close=%v %s", resp.StatusCode, resp.Close, body)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatalf("still accepting after Shutdown")
	}
}

func TestTemporaryAcceptError(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]bool{
		&net.OpError{Op: "accept", Err: os.NewSyscallError("accept4", syscall.EMFILE)}:       true,
		&net.OpError{Op: "accept", Err: os.NewSyscallError("accept4", syscall.ECONNABORTED)}: true,
		&net.OpError{Op: "accept", Err: os.ErrDeadlineExceeded}:                              true,
		net.ErrClosed: false,
		&net.OpError{Op: "accept", Err: os.NewSyscallError("accept4", syscall.EBADF)}: false,
	} {
		if got := temporaryAcceptError(err); got != want {
			t.Errorf("temporaryAcceptError(%v) = %v, want %v", err, got, want)
		}
	}
}

func TestKeepDeadline(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	for _, tc := range []struct {
		cur, want time.Time
		timeout   time.Duration
		keep      bool
	}{
		{time.Time{}, time.Time{}, 0, true},
		{time.Time{}, t0, time.Minute, false},
		{t0, time.Time{}, 0, false},
		{t0, t0, time.Minute, true},
		{t0, t0.Add(500 * time.Millisecond), time.Minute, true},            // within a second
		{t0, t0.Add(time.Second), time.Minute, false},                      // a second later: move it
		{t0, t0.Add(-time.Millisecond), time.Minute, false},                // earlier: always move
		{t0, t0.Add(20 * time.Millisecond), 160 * time.Millisecond, false}, // past 1/16 of the timeout
		{t0, t0.Add(5 * time.Millisecond), 160 * time.Millisecond, true},
	} {
		if got := keepDeadline(tc.cur, tc.want, tc.timeout); got != tc.keep {
			t.Errorf("keepDeadline(cur, cur%+v, %v) = %v, want %v", tc.want.Sub(tc.cur), tc.timeout, got, tc.keep)
		}
	}
}

// TestFrontTimeouts checks that a connection whose requests keep coming
// stays open past the idle timeout, that an idle one is closed, and that a
// head that stops half way is given up after the header timeout.
func TestFrontTimeouts(t *testing.T) {
	t.Parallel()
	addr, _ := testFrontWith(t, true, nil, func(s *http.Server) {
		s.IdleTimeout = 400 * time.Millisecond
		s.ReadHeaderTimeout = 300 * time.Millisecond
	})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	for i := range 8 { // 800 ms in all, twice the idle timeout
		if _, err := io.WriteString(c, call(describe, `{"UserPoolId":"us-east-1_abc"}`)); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d on a busy connection: %v", i, err)
		}
		resp.Body.Close()
		time.Sleep(100 * time.Millisecond)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := br.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle connection: read %d, %v; want EOF", n, err)
	}

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if _, err := io.WriteString(slow, "POST / HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := slow.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("half a head: read %d, %v; want EOF", n, err)
	}
}
