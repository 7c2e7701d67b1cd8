package federation

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// fakeOIDC is an OpenID provider over real HTTP: discovery under issuer
// (whose path ends in "/", as Auth0's and Okta's do), a key set, a token
// endpoint that signs an RS256 ID token for subject "u-1", and a userInfo
// endpoint that answers info.
type fakeOIDC struct {
	srv    *httptest.Server
	issuer string
	info   map[string]any
}

func newFakeOIDC(t *testing.T) *fakeOIDC {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOIDC{}
	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /tenant/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": f.issuer, "authorization_endpoint": f.srv.URL + "/authorize",
			"token_endpoint": f.srv.URL + "/token", "userinfo_endpoint": f.srv.URL + "/userinfo", "jwks_uri": f.srv.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().Unix()
		claims, _ := json.Marshal(map[string]any{"iss": f.issuer, "sub": "u-1", "aud": "rp", "iat": now, "exp": now + 300,
			"nonce": "n-1", "email": "idtoken@example.com"})
		jws, err := signer.Sign(claims)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		raw, _ := jws.CompactSerialize()
		writeJSON(w, map[string]any{"access_token": "at-1", "token_type": "Bearer", "expires_in": 300, "id_token": raw})
	})
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer at-1" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		writeJSON(w, f.info)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.issuer = f.srv.URL + "/tenant/"
	return f
}

// TestExchangeUpstream drives Exchange against a provider whose issuer
// ends in "/" (used as configured, never trimmed), and checks the
// userInfo subject as OpenID Connect Core 5.3.2 requires: an answer
// whose sub is missing, not a string or another subject is not used, and
// userInfo never replaces the ID token's sub.
func TestExchangeUpstream(t *testing.T) {
	f := newFakeOIDC(t)
	s := New(&core.Env{Now: time.Now}, nil, f.srv.Client())
	up := &Upstream{Name: "Corp", Type: "OIDC", Details: map[string]string{"client_id": "rp", "client_secret": "s",
		"oidc_issuer": f.issuer, "attributes_request_method": "GET", "authorize_scopes": "openid"}}
	for _, tc := range []struct {
		name string
		info map[string]any
		ok   bool
	}{
		{"same subject", map[string]any{"sub": "u-1", "email": "info@example.com", "dept": "eng"}, true},
		{"another subject", map[string]any{"sub": "u-2", "email": "info@example.com"}, false},
		{"no subject", map[string]any{"email": "info@example.com"}, false},
		{"a number as subject", map[string]any{"sub": 1, "email": "info@example.com"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.info = tc.info
			claims, err := s.Exchange(context.Background(), up, "http://rp.example/cb", "code-1", "n-1", "")
			if !tc.ok {
				var ue *UpstreamError
				if !errors.As(err, &ue) || ue.Step != "userinfo" {
					t.Fatalf("Exchange = %v, %v; want a userinfo UpstreamError", claims, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if claims["sub"] != "u-1" || claims["email"] != "info@example.com" || claims["dept"] != "eng" {
				t.Errorf("claims %v: want the ID token's sub with userInfo's email and dept", claims)
			}
		})
	}
	t.Run("wrong nonce", func(t *testing.T) {
		f.info = map[string]any{"sub": "u-1"}
		if _, err := s.Exchange(context.Background(), up, "http://rp.example/cb", "code-1", "n-other", ""); err == nil {
			t.Fatal("an ID token with another nonce was accepted")
		}
	})
}
