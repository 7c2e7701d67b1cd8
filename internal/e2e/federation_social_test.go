package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// fakeOAuth2 is an OAuth 2.0 provider without ID tokens, over real HTTP,
// as Facebook and Login with Amazon are: an authorization endpoint that
// approves at once, a token endpoint that checks the code, client and
// redirect URI, and a profile endpoint that answers profile to the access
// token it issued. fields records the profile requests' fields parameter.
type fakeOAuth2 struct {
	srv     *httptest.Server
	profile map[string]any
	mu      sync.Mutex
	fields  []string
}

func newFakeOAuth2(t *testing.T, clientID, secret string, profile map[string]any) *fakeOAuth2 {
	t.Helper()
	f := &fakeOAuth2{profile: profile}
	mux := http.NewServeMux()
	var redirect string
	mux.HandleFunc("GET /dialog/oauth", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != clientID || q.Get("response_type") != "code" {
			http.Error(w, "bad authorization request", http.StatusBadRequest)
			return
		}
		redirect = q.Get("redirect_uri")
		http.Redirect(w, r, redirect+"?"+url.Values{"code": {"code-1"}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	})
	mux.HandleFunc("POST /oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("code") != "code-1" || r.PostFormValue("client_id") != clientID || r.PostFormValue("client_secret") != secret ||
			r.PostFormValue("redirect_uri") != redirect || r.PostFormValue("grant_type") != "authorization_code" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"at-1","token_type":"bearer","expires_in":3600}`))
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer at-1" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		f.fields = append(f.fields, r.URL.Query().Get("fields"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(f.profile)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// TestFederationSocialProviders: Google, Facebook and Login with Amazon
// providers get Cognito's default endpoints in their ProviderDetails, and
// sign users in through the managed login: Google by its ID token (here a
// Cognate pool stands in for it), Facebook and Login with Amazon by their
// profile API (fake providers over HTTP), each user named
// <provider>_<provider's user ID> with the mapped attributes.
func TestFederationSocialProviders(t *testing.T) {
	f := newFedEnv(t, nil)
	ctx := context.Background()
	upIss := f.up.URL + "/" + f.upPool
	desc, err := f.up.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(f.upPool), ClientId: aws.String(f.upClient)})
	noErr(t, err)
	googleSub := f.upUser(t, "ana", "eng")

	// The defaults Cognito adds, where the request gives none.
	for typ, want := range map[string]map[string]string{
		"Google": {"oidc_issuer": "https://accounts.google.com", "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
			"token_url": "https://www.googleapis.com/oauth2/v4/token", "token_request_method": "POST",
			"attributes_url": "https://people.googleapis.com/v1/people/me?personFields=", "attributes_url_add_attributes": "true"},
		"Facebook": {"api_version": "v17.0", "authorize_url": "https://www.facebook.com/v17.0/dialog/oauth",
			"token_url": "https://graph.facebook.com/v17.0/oauth/access_token", "token_request_method": "GET",
			"attributes_url": "https://graph.facebook.com/v17.0/me?fields=", "attributes_url_add_attributes": "true"},
		"LoginWithAmazon": {"authorize_url": "https://www.amazon.com/ap/oa", "token_url": "https://api.amazon.com/auth/o2/token",
			"token_request_method": "POST", "attributes_url": "https://api.amazon.com/user/profile", "attributes_url_add_attributes": "false"},
	} {
		pool := f.down.Pool(t, &cip.CreateUserPoolInput{PoolName: aws.String("defaults-" + strings.ToLower(typ))})
		out, err := f.down.Client.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(pool),
			ProviderName: aws.String(typ), ProviderType: types.IdentityProviderTypeType(typ),
			ProviderDetails: map[string]string{"client_id": "cid", "client_secret": "cs", "authorize_scopes": "openid"}})
		noErr(t, err)
		got := out.IdentityProvider.ProviderDetails
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s ProviderDetails[%s] = %q, want %q", typ, k, got[k], v)
			}
		}
		if got["client_id"] != "cid" {
			t.Errorf("%s ProviderDetails lost client_id: %v", typ, got)
		}
	}

	fb := newFakeOAuth2(t, "fb-app", "fb-secret", map[string]any{"id": "10157", "email": "ana@fb.example", "name": "Ana FB", "first_name": "Ana"})
	amzn := newFakeOAuth2(t, "amzn-app", "amzn-secret", map[string]any{"user_id": "amzn1.account.AE7", "email": "ana@amzn.example", "name": "Ana A"})
	for _, p := range []struct {
		typ     string
		details map[string]string
		mapping map[string]string
	}{
		{"Google", map[string]string{"client_id": f.upClient, "client_secret": aws.ToString(desc.UserPoolClient.ClientSecret),
			"authorize_scopes": "openid email profile", "oidc_issuer": upIss, "authorize_url": upIss + "/oauth2/authorize", "token_url": upIss + "/oauth2/token"},
			map[string]string{"email": "email", "name": "name"}},
		{"Facebook", map[string]string{"client_id": "fb-app", "client_secret": "fb-secret", "authorize_scopes": "public_profile,email",
			"authorize_url": fb.srv.URL + "/dialog/oauth", "token_url": fb.srv.URL + "/oauth/access_token", "attributes_url": fb.srv.URL + "/me?fields="},
			map[string]string{"email": "email", "name": "name", "given_name": "first_name"}},
		{"LoginWithAmazon", map[string]string{"client_id": "amzn-app", "client_secret": "amzn-secret", "authorize_scopes": "profile",
			"authorize_url": amzn.srv.URL + "/dialog/oauth", "token_url": amzn.srv.URL + "/oauth/access_token", "attributes_url": amzn.srv.URL + "/me"},
			map[string]string{"email": "email", "name": "name"}},
	} {
		_, err := f.down.Client.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(f.downPool),
			ProviderName: aws.String(p.typ), ProviderType: types.IdentityProviderTypeType(p.typ), ProviderDetails: p.details, AttributeMapping: p.mapping})
		noErr(t, err)
	}
	_, err = f.down.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(f.downPool), ClientId: aws.String(f.downClient),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, SupportedIdentityProviders: []string{"COGNITO", "Google", "Facebook", "LoginWithAmazon"},
		CallbackURLs: []string{f.cbURL}})
	noErr(t, err)

	t.Run("Google", func(t *testing.T) {
		b := newBrowser(t, f.cbURL)
		login := b.get(f.authorizeURL("identity_provider", "Google"))
		if login.url.Path != "/"+f.upPool+"/login" {
			t.Fatalf("authorize through Google led to %s (%d)", login.url, login.status)
		}
		id := f.tokens(t, f.callback(t, b.submit(login, "username", "ana", "password", testserver.Password)).Get("code"))
		wantSocialUser(t, id, "Google_"+googleSub, "ana@example.com", "Upstream ana", "Google")
	})
	t.Run("Facebook", func(t *testing.T) {
		cb := f.callback(t, newBrowser(t, f.cbURL).get(f.authorizeURL("identity_provider", "Facebook")))
		id := f.tokens(t, cb.Get("code"))
		wantSocialUser(t, id, "Facebook_10157", "ana@fb.example", "Ana FB", "Facebook")
		if id["given_name"] != "Ana" {
			t.Errorf("given_name = %v, want the profile's first_name", id["given_name"])
		}
		fb.mu.Lock()
		defer fb.mu.Unlock()
		if len(fb.fields) != 1 || fb.fields[0] != "id,email,first_name,name" {
			t.Errorf("the profile API was asked for fields %q, want id and the mapped ones", fb.fields)
		}
	})
	t.Run("LoginWithAmazon", func(t *testing.T) {
		cb := f.callback(t, newBrowser(t, f.cbURL).get(f.authorizeURL("identity_provider", "LoginWithAmazon")))
		id := f.tokens(t, cb.Get("code"))
		wantSocialUser(t, id, "LoginWithAmazon_amzn1.account.AE7", "ana@amzn.example", "Ana A", "LoginWithAmazon")
		amzn.mu.Lock()
		defer amzn.mu.Unlock()
		if len(amzn.fields) != 1 || amzn.fields[0] != "" {
			t.Errorf("Login with Amazon's profile was asked for fields %q, want none (attributes_url_add_attributes false)", amzn.fields)
		}
	})
	t.Run("a new mapping keeps the username source", func(t *testing.T) {
		out, err := f.down.Client.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: aws.String(f.downPool),
			ProviderName: aws.String("Facebook"), AttributeMapping: map[string]string{"email": "email"}})
		noErr(t, err)
		if got := out.IdentityProvider.AttributeMapping["username"]; got != "id" {
			t.Errorf("Facebook's username mapping after an update without it: %q, want id", got)
		}
		cb := f.callback(t, newBrowser(t, f.cbURL).get(f.authorizeURL("identity_provider", "Facebook")))
		if id := f.tokens(t, cb.Get("code")); id["cognito:username"] != "Facebook_10157" {
			t.Errorf("after the new mapping the sign-in gave %v", id["cognito:username"])
		}
	})
	t.Run("a profile without the user ID", func(t *testing.T) {
		fb.profile = map[string]any{"email": "nobody@fb.example"}
		cb := f.callback(t, newBrowser(t, f.cbURL).get(f.authorizeURL("identity_provider", "Facebook")))
		if cb.Get("code") != "" || cb.Get("error") != "server_error" {
			t.Errorf("a profile without id reached the client with %v, want server_error", cb)
		}
	})
}

// wantSocialUser checks the ID token of a federated sign-in.
func wantSocialUser(t *testing.T, id map[string]any, username, email, name, providerType string) {
	t.Helper()
	if id["cognito:username"] != username || id["email"] != email || id["name"] != name {
		t.Errorf("ID token: cognito:username %v, email %v, name %v; want %s, %s, %s", id["cognito:username"], id["email"], id["name"], username, email, name)
	}
	ids, _ := id["identities"].([]any)
	if len(ids) != 1 {
		t.Fatalf("identities claim %v, want one identity", id["identities"])
	}
	if first, _ := ids[0].(map[string]any); first["providerType"] != providerType || first["providerName"] != providerType {
		t.Errorf("identity %v, want provider %s", first, providerType)
	}
}
