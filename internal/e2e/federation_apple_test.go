package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// fakeApple is Sign in with Apple over real HTTP: discovery and a key
// set, an authorization endpoint that answers with Apple's form_post page
// (the form a browser submits to the callback, with the code, the state
// and, the first time, the user's name), and a token endpoint that takes
// only a client secret JWT signed with the team's key and answers an
// RS256 ID token for subject "001234.abcd".
type fakeApple struct {
	srv        *httptest.Server
	iss        string // the server's URL, with the host it was made for
	teamKey    *ecdsa.PrivateKey
	mu         sync.Mutex
	nonce      string
	secretErrs []string
}

const (
	appleClientID = "com.example.web"
	appleTeam     = "TEAM123"
	appleKeyID    = "KEY123"
)

func newFakeApple(t *testing.T, host string) *fakeApple {
	t.Helper()
	teamKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	noErr(t, err)
	idKey, err := rsa.GenerateKey(rand.Reader, 2048)
	noErr(t, err)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: idKey, KeyID: "apple-1"}}, nil)
	noErr(t, err)
	a := &fakeApple{teamKey: teamKey}
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	iss := func() string { return a.iss }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": iss(), "authorization_endpoint": iss() + "/auth/authorize", "token_endpoint": iss() + "/auth/token",
			"jwks_uri": iss() + "/auth/keys", "id_token_signing_alg_values_supported": []string{"RS256"}, "response_modes_supported": []string{"query", "fragment", "form_post"}})
	})
	mux.HandleFunc("GET /auth/keys", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &idKey.PublicKey, KeyID: "apple-1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /auth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != appleClientID || q.Get("response_type") != "code" || q.Get("response_mode") != "form_post" || q.Get("nonce") == "" {
			http.Error(w, "invalid_request", http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		a.nonce = q.Get("nonce")
		a.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Sign in with Apple</title><form method="post" action="%s">`+
			`<input type="hidden" name="code" value="code-1">`+
			`<input type="hidden" name="state" value="%s">`+
			`<input type="hidden" name="user" value="%s">`+
			`<button id="continue" type="submit">Continue</button></form>`,
			html.EscapeString(q.Get("redirect_uri")), html.EscapeString(q.Get("state")),
			html.EscapeString(`{"name":{"firstName":"Ana","lastName":"Apple"},"email":"forged@example.com"}`))
	})
	mux.HandleFunc("POST /auth/token", func(w http.ResponseWriter, r *http.Request) {
		if err := a.checkSecret(r.PostFormValue("client_secret")); err != nil || r.PostFormValue("code") != "code-1" ||
			r.PostFormValue("client_id") != appleClientID || r.PostFormValue("grant_type") != "authorization_code" {
			a.mu.Lock()
			a.secretErrs = append(a.secretErrs, fmt.Sprint(err))
			a.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		a.mu.Lock()
		nonce := a.nonce
		a.mu.Unlock()
		now := time.Now().Unix()
		claims, _ := json.Marshal(map[string]any{"iss": iss(), "aud": appleClientID, "sub": "001234.abcd", "iat": now, "exp": now + 600,
			"nonce": nonce, "email": "ana@privaterelay.appleid.com", "email_verified": "true", "is_private_email": "true"})
		jws, err := signer.Sign(claims)
		noErr(t, err)
		raw, _ := jws.CompactSerialize()
		writeJSON(w, map[string]any{"access_token": "apple-at", "token_type": "Bearer", "expires_in": 3600, "id_token": raw})
	})
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	a.iss = "http://" + net.JoinHostPort(host, mustURL(t, a.srv.URL).Port())
	return a
}

// checkSecret verifies a client secret as Apple does: ES256 with the
// team's key, key ID, issuer the team, subject the client, audience Apple,
// not expired.
func (a *fakeApple) checkSecret(raw string) error {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return err
	}
	if len(tok.Headers) != 1 || tok.Headers[0].KeyID != appleKeyID {
		return fmt.Errorf("key ID %v", tok.Headers)
	}
	var c jwt.Claims
	if err := tok.Claims(&a.teamKey.PublicKey, &c); err != nil {
		return err
	}
	return c.Validate(jwt.Expected{Issuer: appleTeam, Subject: appleClientID, AnyAudience: jwt.Audience{"https://appleid.apple.com"}, Time: time.Now()})
}

// teamKeyPEM is the team's key as Apple hands it out: a PKCS #8 PEM file.
func (a *fakeApple) teamKeyPEM(t *testing.T) string {
	der, err := x509.MarshalPKCS8PrivateKey(a.teamKey)
	noErr(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// addApple gives the downstream pool a SignInWithApple provider at a and
// lets the web client use it.
func (f *fedEnv) addApple(t *testing.T, a *fakeApple) {
	t.Helper()
	ctx := context.Background()
	iss := a.iss
	_, err := f.down.Client.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(f.downPool),
		ProviderName: aws.String("SignInWithApple"), ProviderType: types.IdentityProviderTypeTypeSignInWithApple,
		ProviderDetails: map[string]string{"client_id": appleClientID, "team_id": appleTeam, "key_id": appleKeyID, "private_key": a.teamKeyPEM(t),
			"authorize_scopes": "email name", "oidc_issuer": iss, "authorize_url": iss + "/auth/authorize", "token_url": iss + "/auth/token"},
		AttributeMapping: map[string]string{"email": "email", "given_name": "firstName", "family_name": "lastName", "name": "name"}})
	noErr(t, err)
	_, err = f.down.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(f.downPool), ClientId: aws.String(f.downClient),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, SupportedIdentityProviders: []string{"COGNITO", "SignInWithApple"},
		CallbackURLs: []string{f.cbURL}})
	noErr(t, err)
}

// TestFederationSignInWithApple: Apple's form_post answer, posted to
// idpresponse, signs the user in: the code is redeemed with a client
// secret signed by the team's key, the ID token is verified, and the
// name comes from Apple's user field while the email comes from the ID
// token only.
func TestFederationSignInWithApple(t *testing.T) {
	f := newFedEnv(t, nil)
	apple := newFakeApple(t, "127.0.0.1")
	f.addApple(t, apple)

	b := newBrowser(t, f.cbURL)
	page := b.get(f.authorizeURL("identity_provider", "SignInWithApple"))
	if page.status != http.StatusOK || page.url.Path != "/auth/authorize" {
		t.Fatalf("authorize through Apple led to %s (%d): %s", page.url, page.status, page.body)
	}
	cb := f.callback(t, b.submit(page))
	if cb.Get("code") == "" {
		apple.mu.Lock()
		defer apple.mu.Unlock()
		t.Fatalf("Apple's answer reached the client with %v (token endpoint refusals: %v)", cb, apple.secretErrs)
	}
	id := f.tokens(t, cb.Get("code"))
	if id["cognito:username"] != "SignInWithApple_001234.abcd" || id["email"] != "ana@privaterelay.appleid.com" ||
		id["given_name"] != "Ana" || id["family_name"] != "Apple" || id["name"] != "Ana Apple" {
		t.Errorf("ID token %v", id)
	}

	// The answer of another browser's sign-in is refused.
	other := newBrowser(t, f.cbURL)
	replay := other.submit(page)
	if replay.status != http.StatusBadRequest || replay.location != "" {
		t.Errorf("Apple's answer posted from another browser: %d %q", replay.status, replay.location)
	}
}

// TestSignInWithAppleInChromium: in headless Chromium, Apple's form_post
// answer comes from another site (the fake Apple is served as localhost,
// the pool as 127.0.0.1), so the browser sends no SameSite=Lax cookie
// with the POST; the sign-in must still reach the client with a code.
func TestSignInWithAppleInChromium(t *testing.T) {
	b := testserver.NewBrowser(t, "apple-")
	f := newFedEnv(t, nil)
	apple := newFakeApple(t, "localhost")
	f.addApple(t, apple)

	b.Run("open authorize", chromedp.Navigate(f.authorizeURL("identity_provider", "SignInWithApple")), chromedp.WaitVisible("#continue"))
	b.Shot("apple")
	if loc := b.Eval("location.href"); !strings.HasPrefix(loc, apple.iss+"/auth/authorize?") {
		t.Fatalf("authorize led to %s, want the provider's page", loc)
	}
	b.Run("continue at Apple", chromedp.Click("#continue"), chromedp.WaitVisible("#done"))
	b.Shot("callback")
	code := f.browserCode(t, b)
	if id := f.tokens(t, code); id["cognito:username"] != "SignInWithApple_001234.abcd" || id["given_name"] != "Ana" {
		t.Errorf("ID token %v", id)
	}
}
