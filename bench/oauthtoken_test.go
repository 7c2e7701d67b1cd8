package main

import (
	"strings"
	"testing"
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
