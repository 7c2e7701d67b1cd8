package server

import (
	"context"
	"encoding/base64"
	"errors"
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
	// UserInfo returns the attributes an access token of the pool's
	// domain may read.
	UserInfo(ctx context.Context, poolID, accessToken string) (map[string]string, error)
	// Revoke revokes a refresh token of a client of the pool.
	Revoke(ctx context.Context, poolID, clientID, secret, token string) error
}

// maxTokenForm bounds the body of a token request.
const maxTokenForm = 64 << 10

// tokenEndpoint serves POST /oauth2/token on a prefix domain's host
// (<prefix>.auth.<region>.localhost and the like) and POST
// /{pool}/oauth2/token on any host, for a pool that has a domain.
func tokenEndpoint(o OAuth, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		poolID, ok := domainPool(w, r, o, log)
		if !ok {
			return
		}
		req, ok := readTokenRequest(w, r)
		if !ok {
			return
		}
		req.PoolID = poolID
		res, err := o.Token(r.Context(), req)
		if err != nil {
			writeOAuthError(w, err, log, "token endpoint", poolID)
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
}

// domainPool finds the pool whose domain a request reaches, answering
// itself when there is none.
func domainPool(w http.ResponseWriter, r *http.Request, o OAuth, log *slog.Logger) (string, bool) {
	poolID, err := o.DomainPool(r.Context(), r.Host, r.PathValue("pool"))
	if err != nil {
		log.Error("oauth endpoint", "error", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return "", false
	}
	if poolID == "" {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "No user pool domain at " + r.Host + r.URL.Path + "."})
		return "", false
	}
	return poolID, true
}

// writeOAuthError answers {"error": code}, with error_description when
// there is one: 401 for invalid_client and invalid_token, 400 otherwise.
func writeOAuthError(w http.ResponseWriter, err error, log *slog.Logger, what, poolID string) {
	var oe *cognito.OAuthError
	if !errors.As(err, &oe) {
		if cognito.IsCode(err, cognito.ResourceNotFound) {
			// The pool or client went away during the request.
			oe = &cognito.OAuthError{Code: cognito.OAuthInvalidClient}
		}
	}
	if oe == nil {
		log.Error(what, "pool", poolID, "error", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	status := http.StatusBadRequest
	switch oe.Code {
	case cognito.OAuthInvalidClient:
		status = http.StatusUnauthorized
	case cognito.OAuthInvalidToken:
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	body := map[string]string{"error": oe.Code}
	if oe.Description != "" {
		body["error_description"] = oe.Description
	}
	writeJSON(w, status, body)
}

// userInfoEndpoint serves GET and POST /oauth2/userInfo with the access
// token as a Bearer token.
func userInfoEndpoint(o OAuth, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, POST")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": cognito.OAuthInvalidRequest})
			return
		}
		poolID, ok := domainPool(w, r, o, log)
		if !ok {
			return
		}
		scheme, raw, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			raw = ""
		}
		info, err := o.UserInfo(r.Context(), poolID, strings.TrimSpace(raw))
		if err != nil {
			writeOAuthError(w, err, log, "userInfo endpoint", poolID)
			return
		}
		writeJSON(w, http.StatusOK, info)
	})
}

// revokeEndpoint serves POST /oauth2/revoke: a form with token and the
// client's credentials as the token endpoint takes them. Success is an
// empty 200.
func revokeEndpoint(o OAuth, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		poolID, ok := domainPool(w, r, o, log)
		if !ok {
			return
		}
		req, ok := readTokenRequest(w, r)
		if !ok {
			return
		}
		if err := o.Revoke(r.Context(), poolID, req.ClientID, req.ClientSecret, r.PostForm.Get("token")); err != nil {
			writeOAuthError(w, err, log, "revoke endpoint", poolID)
			return
		}
		w.WriteHeader(http.StatusOK)
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
	req.Code, req.RedirectURI, req.CodeVerifier = f.Get("code"), f.Get("redirect_uri"), f.Get("code_verifier")
	req.RefreshToken = f.Get("refresh_token")
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
