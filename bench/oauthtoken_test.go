package main

import (
	"strings"
	"testing"
	"time"
)

func TestTokenConnHead(t *testing.T) {
	wc, err := newTokenConn("http://127.0.0.1:9229", "us-east-1_abc", &oauthFixture{ClientID: "id", Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	head := string(wc.head)
	for _, want := range []string{
		"POST /us-east-1_abc/oauth2/token HTTP/1.1\r\n",
		"Host: 127.0.0.1:9229\r\n",
		"Content-Type: application/x-www-form-urlencoded\r\n",
		"Authorization: Basic aWQ6cw==\r\n",
	} {
		if !strings.Contains(head, want) {
			t.Errorf("head %q lacks %q", head, want)
		}
	}
	if !strings.HasSuffix(head, "Content-Length: ") {
		t.Errorf("head %q does not end with Content-Length", head)
	}
	if got, want := string(oauthBody), "grant_type=client_credentials&scope=https%3A%2F%2Fbench.example.com%2Fread"; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
}

func TestSignRate(t *testing.T) {
	r, err := signRate(-1, 50e6)
	if err != nil || r <= 0 {
		t.Fatalf("signRate = %v, %v", r, err)
	}
}

// TestSignRatioPerRun: each run is compared with the signing rate measured
// on either side of it, so a drifting machine does not skew the ratio.
func TestSignRatioPerRun(t *testing.T) {
	rs := []*result{{ok: 900, elapsed: time.Second}, {ok: 500, elapsed: time.Second}, {ok: 950, elapsed: time.Second}}
	var b strings.Builder
	printSignRatio(&b, 1, []float64{1000, 1000, 500, 1000}, rs)
	out := b.String()
	for _, want := range []string{
		"before each run and after the last: 1000, 1000, 500, 1000/s",
		"per run: 90.0, 66.7, 126.7 % of the signing rate around it",
		"median 900 req/s; median ratio 90.0 %",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
