package server

import (
	"context"
	"encoding/base64"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
)

// OAuth serves the OAuth 2.0 endpoints of pool domains.
type OAuth interface {
	// DomainPool returns the pool whose domain a request reaches, by its
	// Host header or, when poolID is set, that pool if it has a domain;
	// "" for none.
	DomainPool(ctx context.Context, host, poolID string) (string, error)
	Token(ctx context.Context, req cognito.TokenRequest) (*cognito.TokenResponse, error)
}

// maxTokenForm bounds the body of a token request.
const maxTokenForm = 64 << 10

// tokenEndpoint serves POST /oauth2/token on a prefix domain's host
// (<prefix>.auth.<region>.localhost and the like) and POST
// /{pool}/oauth2/token on any host, for a pool that has a domain.
func tokenEndpoint(o OAuth, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		poolID, err := o.DomainPool(r.Context(), r.Host, r.PathValue("pool"))
		if err != nil {
			log.Error("token endpoint", "error", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
			return
		}
		if poolID == "" {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "No user pool domain at " + r.Host + r.URL.Path + "."})
			return
		}
		req, ok := readTokenRequest(w, r)
		if !ok {
			return
		}
		req.PoolID = poolID
		res, err := o.Token(r.Context(), req)
		if err != nil {
			if oe, ok := err.(*cognito.OAuthError); ok {
				status := http.StatusBadRequest
				if oe.Code == cognito.OAuthInvalidClient {
					status = http.StatusUnauthorized
				}
				writeJSON(w, status, map[string]string{"error": oe.Code})
				return
			}
			log.Error("token endpoint", "pool", poolID, "error", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
}

// readTokenRequest reads the form of a token request and the client's
// credentials, from HTTP Basic authentication (RFC 6749 2.3.1: the ID and
// secret are form-encoded before base64) or from the form. On a malformed
// request it answers invalid_request itself.
func readTokenRequest(w http.ResponseWriter, r *http.Request) (cognito.TokenRequest, bool) {
	bad := func() (cognito.TokenRequest, bool) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": cognito.OAuthInvalidRequest})
		return cognito.TokenRequest{}, false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return bad()
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenForm)
	if err := r.ParseForm(); err != nil {
		return bad()
	}
	f := r.PostForm
	req := cognito.TokenRequest{GrantType: f.Get("grant_type"), ClientID: f.Get("client_id"), ClientSecret: f.Get("client_secret")}
	req.Scope, req.HasScope = f.Get("scope"), f.Has("scope")
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, cred, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Basic") {
			return bad()
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		if err != nil {
			return bad()
		}
		id, secret, ok := strings.Cut(string(raw), ":")
		if !ok {
			return bad()
		}
		if id, err = url.QueryUnescape(id); err != nil {
			return bad()
		}
		if secret, err = url.QueryUnescape(secret); err != nil {
			return bad()
		}
		// Unconfirmed: Cognito's answer when Basic and form name
		// different clients; the Basic credentials win here.
		req.ClientID, req.ClientSecret = id, secret
	}
	return req, true
}
