package server

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/cognito"
)

func tokenReq(body string, header map[string]string) *http.Request {
	r := httptest.NewRequest("POST", "/oauth2/token", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

func TestReadTokenRequest(t *testing.T) {
	b64 := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name   string
		body   string
		header map[string]string
		want   cognito.TokenRequest
		ok     bool
	}{
		{"form credentials", "grant_type=client_credentials&client_id=abc&client_secret=s%2B1&scope=a%2Fb+c",
			nil, cognito.TokenRequest{GrantType: "client_credentials", ClientID: "abc", ClientSecret: "s+1", Scope: "a/b c", HasScope: true}, true},
		{"basic credentials are form-decoded", "grant_type=client_credentials",
			map[string]string{"Authorization": b64("a%3Ab:s%20x")}, cognito.TokenRequest{GrantType: "client_credentials", ClientID: "a:b", ClientSecret: "s x"}, true},
		{"basic wins over the form", "grant_type=client_credentials&client_id=form",
			map[string]string{"Authorization": b64("basic:sec")}, cognito.TokenRequest{GrantType: "client_credentials", ClientID: "basic", ClientSecret: "sec"}, true},
		{"empty scope is present", "grant_type=client_credentials&scope=", nil, cognito.TokenRequest{GrantType: "client_credentials", HasScope: true}, true},
		{"not basic", "grant_type=client_credentials", map[string]string{"Authorization": "Bearer x"}, cognito.TokenRequest{}, false},
		{"basic without colon", "grant_type=client_credentials", map[string]string{"Authorization": b64("abc")}, cognito.TokenRequest{}, false},
		{"basic not base64", "", map[string]string{"Authorization": "Basic %%%"}, cognito.TokenRequest{}, false},
		{"json body", `{"grant_type":"client_credentials"}`, map[string]string{"Content-Type": "application/json"}, cognito.TokenRequest{}, false},
		{"bad form escape", "grant_type=%zz", nil, cognito.TokenRequest{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			got, ok := readTokenRequest(w, tokenReq(tc.body, tc.header))
			if ok != tc.ok || got != tc.want {
				t.Errorf("got %+v %v, want %+v %v", got, ok, tc.want, tc.ok)
			}
			if !ok && (w.Code != http.StatusBadRequest || strings.TrimSpace(w.Body.String()) != `{"error":"invalid_request"}`) {
				t.Errorf("refusal answered %d %s", w.Code, w.Body)
			}
		})
	}
}

// FuzzReadTokenRequest: any body and Authorization header is read or
// refused with invalid_request, never a panic, and credentials in the form
// survive the round trip.
func FuzzReadTokenRequest(f *testing.F) {
	f.Add("grant_type=client_credentials&scope=a%2Fb", "Basic YWJjOmRlZg==")
	f.Add("client_id=x&client_secret=y", "")
	f.Add("%%", "Basic ===")
	f.Fuzz(func(t *testing.T, body, auth string) {
		hdr := map[string]string{}
		if auth != "" {
			hdr["Authorization"] = auth
		}
		w := httptest.NewRecorder()
		req, ok := readTokenRequest(w, tokenReq(body, hdr))
		if !ok {
			if w.Code != http.StatusBadRequest {
				t.Fatalf("refused with %d", w.Code)
			}
			return
		}
		if form, err := url.ParseQuery(body); err == nil && auth == "" && form.Get("client_id") != req.ClientID {
			t.Fatalf("client_id %q, form has %q", req.ClientID, form.Get("client_id"))
		}
	})
}
