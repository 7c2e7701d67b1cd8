package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// signInCode signs in on the hosted page for the authorize URL u and
// returns the code the callback gets.
func (e *hostedEnv) signInCode(t *testing.T, u string) string {
	t.Helper()
	b := newBrowser(t, e.cbURL)
	cb := e.callbackParams(t, b.submit(b.get(u), "username", "ana", "password", testserver.Password))
	if cb.Get("code") == "" {
		t.Fatalf("no code: %v", cb)
	}
	return cb.Get("code")
}

func TestHostedAuthorizeErrors(t *testing.T) {
	e := newHostedEnv(t, nil)
	e.s.User(t, e.pool, "ana")
	t.Run("shown, never redirected", func(t *testing.T) {
		for name, u := range map[string]string{
			"no client":            e.authorizeURL("client_id", ""),
			"unknown client":       e.authorizeURL("client_id", "nosuchclient"),
			"unregistered uri":     e.authorizeURL("redirect_uri", "https://evil.example.com/cb"),
			"no redirect uri":      e.authorizeURL("redirect_uri", ""),
			"uri with extra query": e.authorizeURL("redirect_uri", e.cbURL+"?x=1"),
		} {
			t.Run(name, func(t *testing.T) {
				p := newBrowser(t, e.cbURL).get(u)
				if p.status != 400 || p.location != "" || !strings.Contains(p.body, "An error was encountered") {
					t.Errorf("got %d location %q: %s", p.status, p.location, p.body)
				}
			})
		}
	})
	t.Run("redirected with the state", func(t *testing.T) {
		for _, tc := range []struct {
			name, code string
			kv         []string
		}{
			{"no response type", "invalid_request", []string{"response_type", ""}},
			{"other response type", "unsupported_response_type", []string{"response_type", "id_token"}},
			{"scope not allowed", "invalid_scope", []string{"scope", "openid phone"}},
			{"unknown scope", "invalid_scope", []string{"scope", "orders/write"}},
			{"plain PKCE", "invalid_request", []string{"code_challenge", "abc", "code_challenge_method", "plain"}},
			{"PKCE without method", "invalid_request", []string{"code_challenge", "abc"}},
			{"other identity provider", "invalid_request", []string{"identity_provider", "Google"}},
			{"prompt=none without a session", "login_required", []string{"prompt", "none"}},
			{"unknown prompt", "invalid_request", []string{"prompt", "create"}},
			{"prompt none with another value", "invalid_request", []string{"prompt", "none login"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cb := e.callbackParams(t, newBrowser(t, e.cbURL).get(e.authorizeURL(tc.kv...)))
				if cb.Get("error") != tc.code || cb.Get("state") != "st-1" || cb.Get("code") != "" {
					t.Errorf("callback %v, want error %s and the state", cb, tc.code)
				}
			})
		}
	})
	t.Run("implicit grant: tokens in the fragment", func(t *testing.T) {
		b := newBrowser(t, e.cbURL)
		p := b.submit(b.get(e.authorizeURL("response_type", "token", "scope", "openid profile")), "username", "ana", "password", testserver.Password)
		if !strings.Contains(p.location, "#") {
			t.Fatalf("implicit callback %q has no fragment", p.location)
		}
		cb := e.callbackParams(t, p)
		if cb.Get("access_token") == "" || cb.Get("id_token") == "" || cb.Get("token_type") != "Bearer" || cb.Get("state") != "st-1" || cb.Get("code") != "" {
			t.Errorf("implicit callback %v", cb)
		}
	})
}

func TestHostedTokenErrors(t *testing.T) {
	e := newHostedEnv(t, nil)
	e.s.User(t, e.pool, "ana")
	verifier := "a-verifier-of-enough-length-0123456789abcdefghijk"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	tokenURL := e.iss + "/oauth2/token"
	exchange := func(code string, kv ...string) (int, string) {
		f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {e.client}, "redirect_uri": {e.cbURL}, "code_verifier": {verifier}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				f.Del(kv[i])
			} else {
				f.Set(kv[i], kv[i+1])
			}
		}
		return postForm(t, tokenURL, f)
	}
	pkce := func() string {
		return e.signInCode(t, e.authorizeURL("code_challenge", challenge, "code_challenge_method", "S256"))
	}
	for _, tc := range []struct {
		name   string
		kv     []string
		status int
		body   string
	}{
		{"wrong verifier", []string{"code_verifier", verifier + "x"}, 400, `{"error":"invalid_grant"}`},
		{"no verifier", []string{"code_verifier", ""}, 400, `{"error":"invalid_grant"}`},
		{"other redirect uri", []string{"redirect_uri", e.callback.URL + "/other"}, 400, `{"error":"invalid_grant"}`},
		{"no redirect uri", []string{"redirect_uri", ""}, 400, `{"error":"invalid_request"}`},
		{"unknown client", []string{"client_id", "nosuchclient"}, 401, `{"error":"invalid_client"}`},
		{"secret for a public client", []string{"client_secret", "x"}, 401, `{"error":"invalid_client"}`},
		{"unknown code", []string{"code", "nosuchcode"}, 400, `{"error":"invalid_grant"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := exchange(pkce(), tc.kv...); status != tc.status || body != tc.body {
				t.Errorf("got %d %s, want %d %s", status, body, tc.status, tc.body)
			}
		})
	}
	t.Run("single use", func(t *testing.T) {
		code := pkce()
		if status, body := exchange(code); status != 200 || !strings.Contains(body, `"refresh_token"`) {
			t.Fatalf("first exchange %d %s", status, body)
		}
		if status, body := exchange(code); status != 400 || body != `{"error":"invalid_grant"}` {
			t.Errorf("second exchange %d %s", status, body)
		}
	})
	t.Run("expires after five minutes", func(t *testing.T) {
		code := pkce()
		e.s.Clock.Advance(5*time.Minute + time.Second)
		if status, body := exchange(code); status != 400 || body != `{"error":"invalid_grant"}` {
			t.Errorf("late exchange %d %s", status, body)
		}
	})
	t.Run("no ID token without openid", func(t *testing.T) {
		code := e.signInCode(t, e.authorizeURL("scope", "orders/read"))
		status, body := exchange(code, "code_verifier", "")
		if status != 200 || strings.Contains(body, "id_token") {
			t.Errorf("exchange %d %s", status, body)
		}
	})
	t.Run("userInfo needs openid", func(t *testing.T) {
		tok := e.s.SignIn(t, e.client, "ana") // API tokens carry no openid scope
		status, body := bearer(t, e.iss+"/oauth2/userInfo", *tok.AccessToken)
		if status != 401 || !strings.Contains(body, `"error":"invalid_token"`) {
			t.Errorf("userInfo with an API token: %d %s", status, body)
		}
	})
	t.Run("revoke errors", func(t *testing.T) {
		tok := e.s.SignIn(t, e.client, "ana")
		for _, tc := range []struct {
			name string
			form url.Values
			want string
		}{
			{"no token", url.Values{"client_id": {e.client}}, `{"error":"invalid_request"}`},
			{"access token", url.Values{"client_id": {e.client}, "token": {*tok.AccessToken}}, `{"error":"unsupported_token_type"}`},
			{"unknown client", url.Values{"client_id": {"nosuchclient"}, "token": {*tok.RefreshToken}}, `{"error":"invalid_client"}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, body := postForm(t, e.iss+"/oauth2/revoke", tc.form); body != tc.want {
					t.Errorf("revoke = %s, want %s", body, tc.want)
				}
			})
		}
	})
	t.Run("logout with an unregistered uri is shown", func(t *testing.T) {
		p := newBrowser(t, e.cbURL).get(e.iss + "/logout?client_id=" + e.client + "&logout_uri=" + url.QueryEscape("https://evil.example.com/"))
		if p.status != 400 || p.location != "" {
			t.Errorf("logout = %d %q", p.status, p.location)
		}
	})
}

// bearer GETs u with an access token and returns the status and body.
func bearer(t *testing.T, u, tok string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	noErr(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	noErr(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	noErr(t, err)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// TestHostedPrefixHost reaches the pages by the prefix domain's host
// name: /oauth2/authorize leads to /login at the root, not under the pool.
func TestHostedPrefixHost(t *testing.T) {
	e := newHostedEnv(t, nil)
	u, err := url.Parse(e.authorizeURL())
	noErr(t, err)
	req, err := http.NewRequest("GET", e.s.URL+"/oauth2/authorize?"+u.RawQuery, nil)
	noErr(t, err)
	req.Host = "hosted.auth.us-east-1.localhost"
	resp, err := http.DefaultTransport.RoundTrip(req)
	noErr(t, err)
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || !strings.HasPrefix(loc, "/login?") {
		t.Errorf("authorize on the prefix host = %d %q, want a redirect to /login", resp.StatusCode, loc)
	}
	req.Host = "other.auth.us-east-1.localhost"
	resp, err = http.DefaultTransport.RoundTrip(req)
	noErr(t, err)
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("authorize on another prefix = %d, want 404", resp.StatusCode)
	}
}
