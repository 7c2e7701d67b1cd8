package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// fedEnv is two servers: the upstream one is an OIDC provider (a pool
// with a domain, users and a confidential app client whose callback is
// the downstream domain's idpresponse), the downstream one has a pool
// with that provider, "Upstream", and an app client that supports it
// beside COGNITO.
type fedEnv struct {
	up, down             *testserver.Server
	upPool, downPool     string
	upClient, downClient string
	cbURL, downIss       string
}

// fedProvider is the downstream pool's name of the upstream provider.
const fedProvider = "Upstream"

// newFedEnv starts both servers; lambda (which may be nil) is the
// downstream pool's LambdaConfig, opts the downstream server's options.
func newFedEnv(t *testing.T, lambda *types.LambdaConfigType, opts ...testserver.Option) *fedEnv {
	t.Helper()
	return newFedEnvSchema(t, nil, lambda, opts...)
}

// newFedEnvSchema is newFedEnv with schema added to the downstream
// pool's.
func newFedEnvSchema(t *testing.T, schema []types.SchemaAttributeType, lambda *types.LambdaConfigType, opts ...testserver.Option) *fedEnv {
	t.Helper()
	ctx := context.Background()
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><title>Callback</title><h1 id="done">Signed in</h1><p>callback reached</p>`)
	}))
	t.Cleanup(cb.Close)
	f := &fedEnv{up: testserver.Start(t), down: testserver.Start(t, opts...), cbURL: cb.URL + "/cb"}
	custom := func(name string) types.SchemaAttributeType {
		return types.SchemaAttributeType{Name: aws.String(name), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}
	}

	f.upPool = f.up.Pool(t, &cip.CreateUserPoolInput{PoolName: aws.String("upstream"), Schema: []types.SchemaAttributeType{custom("dept")}})
	_, err := f.up.Client.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(f.upPool), Domain: aws.String("upstream")})
	noErr(t, err)
	f.downPool = f.down.Pool(t, &cip.CreateUserPoolInput{PoolName: aws.String("downstream"), Schema: append([]types.SchemaAttributeType{custom("team")}, schema...),
		LambdaConfig: lambda})
	_, err = f.down.Client.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(f.downPool), Domain: aws.String("downstream")})
	noErr(t, err)
	f.downIss = f.down.URL + "/" + f.downPool

	f.upClient = f.up.AppClient(t, f.upPool, &cip.CreateUserPoolClientInput{ClientName: aws.String("downstream"), GenerateSecret: true,
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, SupportedIdentityProviders: []string{"COGNITO"},
		CallbackURLs: []string{f.downIss + "/oauth2/idpresponse"}})
	desc, err := f.up.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(f.upPool), ClientId: aws.String(f.upClient)})
	noErr(t, err)

	_, err = f.down.Client.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(f.downPool),
		ProviderName: aws.String(fedProvider), ProviderType: types.IdentityProviderTypeTypeOidc,
		ProviderDetails: map[string]string{"client_id": f.upClient, "client_secret": aws.ToString(desc.UserPoolClient.ClientSecret),
			"attributes_request_method": "GET", "oidc_issuer": f.up.URL + "/" + f.upPool, "authorize_scopes": "openid email profile"},
		AttributeMapping: map[string]string{"email": "email", "name": "name", "custom:team": "custom:dept"},
		IdpIdentifiers:   []string{"corp.example"}})
	noErr(t, err)
	f.downClient = f.down.AppClient(t, f.downPool, &cip.CreateUserPoolClientInput{ClientName: aws.String("web"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, SupportedIdentityProviders: []string{"COGNITO", fedProvider},
		CallbackURLs: []string{f.cbURL}})
	return f
}

// upUser creates an upstream user with an email, a name and a dept and
// returns its sub.
func (f *fedEnv) upUser(t *testing.T, name, dept string) string {
	t.Helper()
	f.up.User(t, f.upPool, name, "email", name+"@example.com", "email_verified", "true", "name", "Upstream "+name, "custom:dept", dept)
	return f.up.UserAttrs(t, f.upPool, name)["sub"]
}

// authorizeURL is the downstream authorize endpoint for the web client,
// through the upstream provider, with the given parameters (name, value
// pairs; an empty value removes one).
func (f *fedEnv) authorizeURL(kv ...string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {f.downClient}, "redirect_uri": {f.cbURL}, "state": {"st-1"},
		"scope": {"openid email profile"}, "identity_provider": {fedProvider}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	return f.downIss + "/oauth2/authorize?" + q.Encode()
}

// callback parses where the browser was sent, which must be the web
// client's callback.
func (f *fedEnv) callback(t *testing.T, p page) url.Values {
	t.Helper()
	return callbackAt(t, p, f.cbURL)
}

// signIn signs in through the upstream provider as name in a fresh
// browser and returns the parameters the client's callback received.
func (f *fedEnv) signIn(t *testing.T, name string) url.Values {
	t.Helper()
	b := newBrowser(t, f.cbURL)
	login := b.get(f.authorizeURL())
	if login.status != 200 || login.url.Host != mustURL(t, f.up.URL).Host || login.url.Path != "/"+f.upPool+"/login" {
		t.Fatalf("authorize led to %s (%d), want the upstream login page: %s", login.url, login.status, login.body)
	}
	return f.callback(t, b.submit(login, "username", name, "password", testserver.Password))
}

// tokens redeems a downstream code and returns the ID token's claims,
// verified with go-oidc against the downstream discovery document.
func (f *fedEnv) tokens(t *testing.T, code string) map[string]any {
	t.Helper()
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 10 * time.Second})
	provider, err := oidc.NewProvider(ctx, f.downIss)
	noErr(t, err)
	cfg := oauth2.Config{ClientID: f.downClient, Endpoint: provider.Endpoint(), RedirectURL: f.cbURL}
	tok, err := cfg.Exchange(ctx, code)
	noErr(t, err)
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: f.downClient, Now: f.down.Clock.Now}).Verify(ctx, raw)
	noErr(t, err)
	claims := map[string]any{}
	noErr(t, idt.Claims(&claims))
	return claims
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	noErr(t, err)
	return u
}

// noRedirect returns an HTTP client with a cookie jar that shows
// redirects instead of following them.
func noRedirect(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	noErr(t, err)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// upstreamState starts a federated sign-in in browser c and returns the
// state the downstream server sent to the upstream provider.
func (f *fedEnv) upstreamState(t *testing.T, c *http.Client) string {
	t.Helper()
	resp, err := c.Get(f.authorizeURL())
	noErr(t, err)
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	noErr(t, err)
	if resp.StatusCode != http.StatusFound || loc.Path != "/"+f.upPool+"/oauth2/authorize" {
		t.Fatalf("authorize answered %d to %s, want a redirect to the upstream authorize endpoint", resp.StatusCode, loc)
	}
	return loc.Query().Get("state")
}

// idpResponse calls the downstream idpresponse endpoint with q in
// browser c and returns the status, the redirect location and the body.
func (f *fedEnv) idpResponse(t *testing.T, c *http.Client, q url.Values) (int, string, string) {
	t.Helper()
	resp, err := c.Get(f.downIss + "/oauth2/idpresponse?" + q.Encode())
	noErr(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	noErr(t, err)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}
