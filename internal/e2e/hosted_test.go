package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestHostedCodeFlowOIDC signs in as a relying party would: go-oidc
// discovers the provider, golang.org/x/oauth2 runs the code grant with
// PKCE, and a browser signs in on the hosted page.
func TestHostedCodeFlowOIDC(t *testing.T) {
	e := newHostedEnv(t, nil)
	e.s.User(t, e.pool, "ana", "email", "ana@example.com", "email_verified", "true", "name", "Ana")
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 10 * time.Second})

	provider, err := oidc.NewProvider(ctx, e.iss) // fails unless the issuer matches exactly
	noErr(t, err)
	cfg := oauth2.Config{ClientID: e.client, Endpoint: provider.Endpoint(), RedirectURL: e.cbURL,
		Scopes: []string{oidc.ScopeOpenID, "email", "orders/read"}}
	verifier := oauth2.GenerateVerifier()
	b := newBrowser(t, e.cbURL)

	login := b.get(cfg.AuthCodeURL("state-42", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-0S6")))
	if login.status != 200 || login.url.Path != "/"+e.pool+"/login" || !strings.Contains(login.body, `id="password"`) {
		t.Fatalf("authorize led to %s (%d), want the login page: %s", login.url, login.status, login.body)
	}
	if q := login.url.Query(); q.Get("state") != "state-42" || q.Get("code_challenge") == "" || q.Get("nonce") != "n-0S6" {
		t.Errorf("login page lost the authorize parameters: %v", q)
	}
	cb := e.callbackParams(t, b.submit(login, "username", "ana", "password", testserver.Password))
	if cb.Get("state") != "state-42" || cb.Get("code") == "" {
		t.Fatalf("callback %v, want a code and the state", cb)
	}
	if got := b.get(e.cbURL + "?" + cb.Encode()); got.body != "callback reached" {
		t.Fatalf("callback server answered %q", got.body)
	}

	tok, err := cfg.Exchange(ctx, cb.Get("code"), oauth2.VerifierOption(verifier))
	noErr(t, err)
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: e.client, Now: e.s.Clock.Now}).Verify(ctx, rawID)
	noErr(t, err)
	if idt.Nonce != "n-0S6" || idt.Issuer != e.iss {
		t.Errorf("ID token nonce %q issuer %q", idt.Nonce, idt.Issuer)
	}
	noErr(t, idt.VerifyAccessToken(tok.AccessToken)) // at_hash
	access := testserver.JWTClaims(t, tok.AccessToken)
	if access["scope"] != "openid email orders/read" || access["username"] != "ana" || access["token_use"] != "access" {
		t.Errorf("access token claims %v", access)
	}
	if tok.RefreshToken == "" {
		t.Error("no refresh token")
	}

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	noErr(t, err)
	if info.Subject != idt.Subject || info.Email != "ana@example.com" || !info.EmailVerified {
		t.Errorf("userInfo %+v", info)
	}
	var claims map[string]any
	noErr(t, info.Claims(&claims))
	// email scope: the email attributes, as strings, and no name.
	if claims["username"] != "ana" || claims["email_verified"] != "true" || claims["name"] != nil {
		t.Errorf("userInfo claims %v", claims)
	}

	t.Run("refresh keeps the scopes", func(t *testing.T) {
		old := *tok
		old.Expiry = time.Now().Add(-time.Minute)
		fresh, err := cfg.TokenSource(ctx, &old).Token()
		noErr(t, err)
		if fresh.AccessToken == tok.AccessToken || testserver.JWTClaims(t, fresh.AccessToken)["scope"] != "openid email orders/read" {
			t.Errorf("refreshed access token %v", testserver.JWTClaims(t, fresh.AccessToken))
		}
		if _, err := provider.Verifier(&oidc.Config{ClientID: e.client, Now: e.s.Clock.Now}).Verify(ctx, fresh.Extra("id_token").(string)); err != nil {
			t.Errorf("refreshed ID token: %v", err)
		}
	})

	t.Run("the hosted session skips the form, prompt=login shows it", func(t *testing.T) {
		cb := e.callbackParams(t, b.get(e.authorizeURL("scope", "openid")))
		if cb.Get("code") == "" || cb.Get("state") != "st-1" {
			t.Fatalf("second authorize: %v", cb)
		}
		tok2, err := cfg.Exchange(ctx, cb.Get("code"))
		noErr(t, err)
		id2 := testserver.JWTClaims(t, tok2.Extra("id_token").(string))
		if id2["auth_time"] != testserver.JWTClaims(t, rawID)["auth_time"] || id2["nonce"] != nil {
			t.Errorf("second ID token %v: want the first sign-in's auth_time and no nonce", id2)
		}
		if p := b.get(e.authorizeURL("prompt", "login")); p.url.Path != "/"+e.pool+"/login" || p.location != "" {
			t.Errorf("prompt=login went to %s %s", p.url, p.location)
		}
		if p := b.get(e.authorizeURL("prompt", "consent login")); p.url.Path != "/"+e.pool+"/login" || p.location != "" {
			t.Errorf("prompt=\"consent login\" went to %s %s", p.url, p.location)
		}
		// select_account and consent leave the managed login's session
		// alone: the session still signs in.
		for _, prompt := range []string{"select_account", "consent", "none"} {
			if cb := e.callbackParams(t, b.get(e.authorizeURL("scope", "openid", "prompt", prompt))); cb.Get("code") == "" {
				t.Errorf("prompt=%s with a session: %v, want a code", prompt, cb)
			}
		}
	})

	t.Run("revoke ends the refresh token", func(t *testing.T) {
		status, body := postForm(t, e.iss+"/oauth2/revoke", url.Values{"token": {tok.RefreshToken}, "client_id": {e.client}})
		if status != 200 || body != "" {
			t.Fatalf("revoke = %d %q", status, body)
		}
		status, body = postForm(t, provider.Endpoint().TokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {e.client}})
		if status != 400 || body != `{"error":"invalid_grant"}` {
			t.Errorf("refresh after revoke = %d %s", status, body)
		}
		if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Error("userInfo accepted an access token of a revoked session")
		}
	})

	t.Run("logout clears the session", func(t *testing.T) {
		p := b.get(e.iss + "/logout?client_id=" + e.client + "&logout_uri=" + url.QueryEscape(e.callback.URL+"/bye"))
		if p.location != e.callback.URL+"/bye" {
			t.Fatalf("logout sent the browser to %q (%d %s)", p.location, p.status, p.body)
		}
		if p := b.get(e.authorizeURL()); p.url.Path != "/"+e.pool+"/login" {
			t.Errorf("authorize after logout went to %s %s, want the form", p.url, p.location)
		}
	})
}

// postForm posts a form and returns the status and body.
func postForm(t *testing.T, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).PostForm(u, form)
	noErr(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	noErr(t, err)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestHostedDiscovery(t *testing.T) {
	e := newHostedEnv(t, nil)
	get := func(pool string) map[string]any {
		resp, err := http.Get(e.s.URL + "/" + pool + "/.well-known/openid-configuration")
		noErr(t, err)
		defer resp.Body.Close()
		var doc map[string]any
		noErr(t, json.NewDecoder(resp.Body).Decode(&doc))
		return doc
	}
	doc := get(e.pool)
	for k, path := range map[string]string{"authorization_endpoint": "/oauth2/authorize", "token_endpoint": "/oauth2/token",
		"userinfo_endpoint": "/oauth2/userInfo", "revocation_endpoint": "/oauth2/revoke", "end_session_endpoint": "/logout"} {
		if doc[k] != e.iss+path {
			t.Errorf("%s = %v, want %s", k, doc[k], e.iss+path)
		}
	}
	if doc["issuer"] != e.iss {
		t.Errorf("issuer %v", doc["issuer"])
	}
	bare := e.s.Pool(t, nil)
	doc = get(bare)
	var keys []string
	for k := range doc {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.HasSuffix(k, "_endpoint") {
			t.Errorf("pool without a domain lists %s", k)
		}
	}
}
