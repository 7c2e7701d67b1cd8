package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Upstream is an identity provider as a sign-in through it needs it.
type Upstream struct {
	Name    string
	Type    string
	Details map[string]string
	Mapping map[string]string
}

// LoadUpstream reads the provider name of pool poolID inside tx, for a
// sign-in; ResourceNotFoundException when there is none.
func LoadUpstream(tx store.Tx, poolID, name string) (*Upstream, error) {
	var p provider
	_, found, err := core.GetItemDoc(tx, poolID, ProviderKind, name, &p)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound()
	}
	return &Upstream{Name: name, Type: p.Type, Details: withDefaults(p.Type, maps.Clone(p.Details)), Mapping: p.Mapping}, nil
}

// ProviderNameFor returns the name of the provider of pool poolID that
// owns the IdP identifier id, "" for none.
func ProviderNameFor(tx store.Tx, poolID, id string) (string, error) {
	var name string
	_, _, err := core.GetItemDoc(tx, poolID, IdentifierKind, id, &name)
	return name, err
}

// UpstreamError is a failed exchange with an upstream provider. Its
// message names the step and the provider's answer, never a secret.
type UpstreamError struct {
	Step string
	Err  error
}

func (e *UpstreamError) Error() string { return "upstream " + e.Step + ": " + e.Err.Error() }
func (e *UpstreamError) Unwrap() error { return e.Err }

func upstreamErr(step string, err error) error { return &UpstreamError{Step: step, Err: err} }

// discoveryTTL is how long a provider's discovery document is reused.
const discoveryTTL = 10 * time.Minute

// maxDiscovered bounds the discovery cache: past it, expired entries go,
// and if that is not enough, all of them.
const maxDiscovered = 1024

// maxUpstreamBody bounds every answer of a provider (discovery, key set,
// token, userInfo): its URLs are the pool administrator's choice.
const maxUpstreamBody = 1 << 20

// limited returns a copy of c whose response bodies end after
// maxUpstreamBody bytes.
func limited(c *http.Client) *http.Client {
	cc := *c
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	cc.Transport = limitTransport{rt}
	return &cc
}

type limitTransport struct{ rt http.RoundTripper }

func (t limitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(r)
	if err == nil {
		resp.Body = limitedBody{io.LimitReader(resp.Body, maxUpstreamBody), resp.Body}
	}
	return resp, err
}

type limitedBody struct {
	io.Reader
	io.Closer
}

// endpoints are an OIDC provider's discovered or configured endpoints,
// with the verifier of its ID tokens.
type endpoints struct {
	auth, token, userinfo string
	provider              *oidc.Provider
	fetched               time.Time
}

// discovery caches the endpoints of upstream providers by issuer and
// configured overrides. The key set of each provider refreshes itself
// when it meets an unknown key ID.
type discovery struct {
	mu sync.Mutex
	m  map[string]*endpoints
}

func (s *Service) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, s.http)
}

// endpointsOf returns the endpoints of an OIDC provider: those of its
// ProviderDetails (authorize_url, token_url, attributes_url, jwks_uri),
// the others from oidc_issuer's discovery document.
func (s *Service) endpointsOf(ctx context.Context, u *Upstream) (*endpoints, error) {
	d, k := u.Details, kinds[u.Type]
	if !k.idToken {
		// An OAuth 2.0 provider: its configured endpoints, no discovery
		// and no ID token.
		if d["authorize_url"] == "" || d["token_url"] == "" || d["attributes_url"] == "" {
			return nil, upstreamErr("discovery", errors.New("the provider has no authorization, token or attributes URL"))
		}
		return &endpoints{auth: d["authorize_url"], token: d["token_url"], userinfo: profileURL(u)}, nil
	}
	userinfo := d["attributes_url"]
	if k.discoveredUserInfo {
		userinfo = ""
	}
	// The issuer is used exactly as configured: the discovery document
	// and the ID tokens must name it so, trailing "/" included.
	issuer := d["oidc_issuer"]
	key := strings.Join([]string{issuer, d["authorize_url"], d["token_url"], userinfo, d["jwks_uri"]}, "\x00")
	s.disc.mu.Lock()
	e := s.disc.m[key]
	s.disc.mu.Unlock()
	if e != nil && s.Now().Sub(e.fetched) < discoveryTTL {
		return e, nil
	}
	// The key set keeps this context for its later fetches.
	bg := s.clientContext(context.WithoutCancel(ctx))
	cfg := oidc.ProviderConfig{IssuerURL: issuer, AuthURL: d["authorize_url"], TokenURL: d["token_url"],
		UserInfoURL: userinfo, JWKSURL: d["jwks_uri"]}
	if cfg.AuthURL == "" || cfg.TokenURL == "" || cfg.JWKSURL == "" {
		dctx, cancel := context.WithTimeout(bg, 15*time.Second)
		defer cancel()
		disc, err := oidc.NewProvider(dctx, issuer)
		if err != nil {
			return nil, upstreamErr("discovery", err)
		}
		var doc struct {
			Auth     string   `json:"authorization_endpoint"`
			Token    string   `json:"token_endpoint"`
			UserInfo string   `json:"userinfo_endpoint"`
			JWKS     string   `json:"jwks_uri"`
			Algs     []string `json:"id_token_signing_alg_values_supported"`
		}
		if err := disc.Claims(&doc); err != nil {
			return nil, upstreamErr("discovery", err)
		}
		cfg.AuthURL = or(cfg.AuthURL, doc.Auth)
		cfg.TokenURL = or(cfg.TokenURL, doc.Token)
		cfg.UserInfoURL = or(cfg.UserInfoURL, doc.UserInfo)
		cfg.JWKSURL = or(cfg.JWKSURL, doc.JWKS)
		cfg.Algorithms = doc.Algs
	}
	if cfg.AuthURL == "" || cfg.TokenURL == "" || cfg.JWKSURL == "" {
		return nil, upstreamErr("discovery", errors.New("the provider has no authorization, token or JWKS endpoint"))
	}
	e = &endpoints{auth: cfg.AuthURL, token: cfg.TokenURL, userinfo: cfg.UserInfoURL, provider: cfg.NewProvider(bg), fetched: s.Now()}
	s.disc.mu.Lock()
	if s.disc.m == nil {
		s.disc.m = map[string]*endpoints{}
	}
	if len(s.disc.m) >= maxDiscovered {
		for k, old := range s.disc.m {
			if s.Now().Sub(old.fetched) >= discoveryTTL {
				delete(s.disc.m, k)
			}
		}
		if len(s.disc.m) >= maxDiscovered {
			clear(s.disc.m)
		}
	}
	s.disc.m[key] = e
	s.disc.mu.Unlock()
	return e, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Service) oauthConfig(u *Upstream, e *endpoints, redirectURI string) *oauth2.Config {
	secret := u.Details["client_secret"]
	if kinds[u.Type].apple {
		// Made for each request; a key that cannot sign leaves it empty,
		// and Apple refuses the exchange.
		secret, _ = appleClientSecret(u.Details, s.Now())
	}
	return &oauth2.Config{
		ClientID: u.Details["client_id"], ClientSecret: secret, RedirectURL: redirectURI,
		// Unconfirmed: Cognito sends the client secret in the token
		// request's body (client_secret_post).
		Endpoint: oauth2.Endpoint{AuthURL: e.auth, TokenURL: e.token, AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   strings.Fields(u.Details["authorize_scopes"]),
	}
}

// CheckSupported refuses a sign-in through a provider type Cognate does
// not federate.
func CheckSupported(u *Upstream) error {
	if _, ok := kinds[u.Type]; ok {
		return nil
	}
	if u.Type == "SAML" {
		return cognito.New(cognito.UnsupportedOperation, "Cognate does not support sign-in through SAML identity providers.")
	}
	return cognito.Errorf(cognito.UnsupportedOperation, "Cognate does not support sign-in through %s; configure it as an OIDC identity provider instead.", u.Type)
}

// AuthCodeURL returns where to send the browser to sign in at provider
// u: its authorization endpoint with the code flow, u's client and
// scopes, and state and nonce; for a provider that signs ID tokens, the
// authorize request's prompt and login_hint too.
func (s *Service) AuthCodeURL(ctx context.Context, u *Upstream, redirectURI, state, nonce, prompt, loginHint string) (string, error) {
	e, err := s.endpointsOf(ctx, u)
	if err != nil {
		return "", err
	}
	if e.provider == nil {
		return s.oauthConfig(u, e, redirectURI).AuthCodeURL(state), nil
	}
	k := kinds[u.Type]
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce)}
	if p := k.prompt(prompt); p != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", p))
	}
	if loginHint != "" && k.loginHint {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	if k.apple {
		// Apple answers a request for the name or email by posting its
		// answer to the callback, which then has to ask for it.
		opts = append(opts, oauth2.SetAuthURLParam("response_mode", "form_post"))
	}
	return s.oauthConfig(u, e, redirectURI).AuthCodeURL(state, opts...), nil
}

// Exchange redeems the authorization code of a provider's callback, and
// returns the claims of its verified ID token (signature, issuer,
// audience, expiry and nonce) merged with those of its userInfo endpoint.
// appleUser is the user field Apple posts with the callback, whose name
// claims fill in those the ID token lacks.
func (s *Service) Exchange(ctx context.Context, u *Upstream, redirectURI, code, nonce, appleUser string) (map[string]any, error) {
	e, err := s.endpointsOf(ctx, u)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(s.clientContext(ctx), 30*time.Second)
	defer cancel()
	tok, err := s.oauthConfig(u, e, redirectURI).Exchange(ctx, code)
	if err != nil {
		return nil, upstreamErr("token", tokenErrText(err))
	}
	if e.provider == nil {
		// An OAuth 2.0 provider names the user in its profile API's
		// answer to the access token it just issued.
		if tok.AccessToken == "" {
			return nil, upstreamErr("token", errors.New("the token response has no access_token"))
		}
		return s.userInfo(ctx, e.userinfo, http.MethodGet, tok.AccessToken)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, upstreamErr("token", errors.New("the token response has no id_token"))
	}
	idt, err := e.provider.VerifierContext(ctx, &oidc.Config{ClientID: u.Details["client_id"], Now: s.Now}).Verify(ctx, raw)
	if err != nil {
		return nil, upstreamErr("id token", err)
	}
	if idt.Nonce != nonce {
		return nil, upstreamErr("id token", errors.New("the nonce does not match"))
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, upstreamErr("id token", err)
	}
	if kinds[u.Type].apple {
		for k, v := range appleUserClaims(appleUser) {
			if _, ok := claims[k]; !ok {
				claims[k] = v
			}
		}
	}
	if e.userinfo != "" && tok.AccessToken != "" {
		info, err := s.userInfo(ctx, e.userinfo, u.Details["attributes_request_method"], tok.AccessToken)
		if err != nil {
			return nil, err
		}
		// OpenID Connect Core 5.3.2: a userInfo answer whose sub is not
		// exactly the ID token's must not be used.
		if sub, _ := info["sub"].(string); sub != idt.Subject {
			return nil, upstreamErr("userinfo", errors.New("the userInfo subject is not the ID token's"))
		}
		for k, v := range info {
			claims[k] = v
		}
		claims["sub"] = idt.Subject
	}
	return claims, nil
}

// tokenErrText keeps the OAuth error of a failed token request and drops
// the rest of the provider's answer.
func tokenErrText(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return fmt.Errorf("%s (HTTP %d)", re.ErrorCode, re.Response.StatusCode)
		}
		return fmt.Errorf("HTTP %d", re.Response.StatusCode)
	}
	return err
}

// userInfo asks a provider's userInfo endpoint for the user's claims
// with the access token, by GET or POST as attributes_request_method
// says.
func (s *Service) userInfo(ctx context.Context, endpoint, method, accessToken string) (map[string]any, error) {
	var req *http.Request
	var err error
	if method == http.MethodPost {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(url.Values{}.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	}
	if err != nil {
		return nil, upstreamErr("userinfo", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, upstreamErr("userinfo", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, upstreamErr("userinfo", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, upstreamErr("userinfo", fmt.Errorf("HTTP %d", resp.StatusCode))
	}
	out := map[string]any{}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, upstreamErr("userinfo", errors.New("the answer is not a JSON object"))
	}
	return out, nil
}
