package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// m2mEnv is a pool with a prefix domain, a resource server and a
// confidential client allowed client_credentials for two of its scopes.
type m2mEnv struct {
	*env
	id, secret string
}

func newM2MEnv(t *testing.T) *m2mEnv {
	t.Helper()
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	c := e.s.Client
	_, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(e.pool), Domain: aws.String("machines")})
	noErr(t, err)
	_, err = c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: aws.String(e.pool), Identifier: aws.String("https://api.example.com"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{scope("read", "Read"), scope("write", "Write"), scope("admin", "Admin")},
	})
	noErr(t, err)
	in := oauthClient(e.pool, true, machineFlow, []string{"https://api.example.com/read", "https://api.example.com/write"})
	in.AccessTokenValidity, in.TokenValidityUnits = aws.Int32(30), &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes}
	out, err := c.CreateUserPoolClient(ctx, in)
	noErr(t, err)
	return &m2mEnv{env: e, id: aws.ToString(out.UserPoolClient.ClientId), secret: aws.ToString(out.UserPoolClient.ClientSecret)}
}

func (e *m2mEnv) tokenURL() string { return e.s.URL + "/" + e.pool + "/oauth2/token" }

// post sends a raw token request and returns the status and JSON body.
func (e *m2mEnv) post(t *testing.T, u string, form url.Values, header http.Header) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	noErr(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	noErr(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	noErr(t, err)
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return resp.StatusCode, body
}

func basic(id, secret string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))}}
}

// claimOrder returns the names of a JWT's claims in the order they appear.
func claimOrder(t *testing.T, tok string) []string {
	t.Helper()
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	noErr(t, err)
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	var names []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, err := dec.Token()
		noErr(t, err)
		names = append(names, k.(string))
		var skip json.RawMessage
		noErr(t, dec.Decode(&skip))
	}
	return names
}

func TestClientCredentialsGrant(t *testing.T) {
	e := newM2MEnv(t)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 10 * time.Second})
	iss := e.s.URL + "/" + e.pool

	t.Run("token for the asked scopes, verified against the JWKS", func(t *testing.T) {
		for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
			cfg := clientcredentials.Config{ClientID: e.id, ClientSecret: e.secret, TokenURL: e.tokenURL(),
				Scopes: []string{"https://api.example.com/read"}, AuthStyle: style}
			tok, err := cfg.Token(ctx)
			noErr(t, err)
			if tok.TokenType != "Bearer" || tok.RefreshToken != "" {
				t.Errorf("token type %q refresh %q", tok.TokenType, tok.RefreshToken)
			}
			if d := time.Until(tok.Expiry); d < 29*time.Minute || d > 31*time.Minute {
				t.Errorf("expires in %v, want the client's 30 minutes", d)
			}
			_, claims, err := newJWTVerifier(t, iss).verify(tok.AccessToken, e.s.Clock.Now())
			noErr(t, err)
			wantEntries(t, "claims", claims, map[string]any{
				"sub": e.id, "client_id": e.id, "token_use": "access", "scope": "https://api.example.com/read",
				"iss": iss, "version": json.Number("2"), "username": nil, "event_id": nil, "origin_jti": nil,
			})
			if got, want := claimOrder(t, tok.AccessToken), []string{"sub", "token_use", "scope", "auth_time", "iss", "exp", "iat", "version", "jti", "client_id"}; !reflect.DeepEqual(got, want) {
				t.Errorf("claims in order %v, want %v", got, want)
			}
			if exp, iat := wantInt(t, claims, "exp"), wantInt(t, claims, "iat"); exp-iat != 1800 || wantInt(t, claims, "auth_time") != iat {
				t.Errorf("exp-iat %d, auth_time %d, iat %d", exp-iat, wantInt(t, claims, "auth_time"), iat)
			}
		}
	})

	t.Run("no scope asked: every allowed scope", func(t *testing.T) {
		cfg := clientcredentials.Config{ClientID: e.id, ClientSecret: e.secret, TokenURL: e.tokenURL()}
		tok, err := cfg.Token(ctx)
		noErr(t, err)
		if got := testserver.JWTClaims(t, tok.AccessToken)["scope"]; got != "https://api.example.com/read https://api.example.com/write" {
			t.Errorf("scope %v", got)
		}
	})

	t.Run("the token is no user token", func(t *testing.T) {
		cfg := clientcredentials.Config{ClientID: e.id, ClientSecret: e.secret, TokenURL: e.tokenURL()}
		tok, err := cfg.Token(ctx)
		noErr(t, err)
		_, err = e.s.Client.GetUser(context.Background(), &cip.GetUserInput{AccessToken: aws.String(tok.AccessToken)})
		var na *types.NotAuthorizedException
		if !errors.As(err, &na) || aws.ToString(na.Message) != "Access Token does not have required scopes" {
			t.Errorf("GetUser with a client token: %v", err)
		}
	})

	t.Run("errors", func(t *testing.T) {
		read := url.Values{"grant_type": {"client_credentials"}, "scope": {"https://api.example.com/read"}}
		withClient := func(v url.Values, id, secret string) url.Values {
			out := url.Values{}
			for k, vs := range v {
				out[k] = vs
			}
			out.Set("client_id", id)
			out.Set("client_secret", secret)
			return out
		}
		public := e.s.AppClient(t, e.pool, oauthClient(e.pool, false, codeFlow, []string{"openid"}, "https://app.example.com/cb"))
		cases := []struct {
			name   string
			form   url.Values
			header http.Header
			status int
			code   string
		}{
			{"wrong secret in Basic", read, basic(e.id, "nope"), 401, "invalid_client"},
			{"wrong secret in form", withClient(read, e.id, "nope"), nil, 401, "invalid_client"},
			{"no secret", withClient(read, e.id, ""), nil, 401, "invalid_client"},
			{"no client", read, nil, 401, "invalid_client"},
			{"unknown client", read, basic("nosuchclient", "x"), 401, "invalid_client"},
			{"client not allowed the grant", withClient(read, public, ""), nil, 400, "unauthorized_client"},
			{"scope not allowed", url.Values{"grant_type": {"client_credentials"}, "scope": {"https://api.example.com/admin"}}, basic(e.id, e.secret), 400, "invalid_scope"},
			{"standard scope", url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}, basic(e.id, e.secret), 400, "invalid_scope"},
			{"one bad scope among good", url.Values{"grant_type": {"client_credentials"}, "scope": {"https://api.example.com/read nope"}}, basic(e.id, e.secret), 400, "invalid_scope"},
			{"other grant", url.Values{"grant_type": {"password"}}, basic(e.id, e.secret), 400, "unsupported_grant_type"},
			{"no grant", url.Values{}, basic(e.id, e.secret), 400, "invalid_request"},
			{"malformed Basic", read, http.Header{"Authorization": {"Basic !!!"}}, 400, "invalid_request"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, body := e.post(t, e.tokenURL(), tc.form, tc.header)
				if status != tc.status || body["error"] != tc.code || len(body) != 1 {
					t.Errorf("got %d %v, want %d {error: %s}", status, body, tc.status, tc.code)
				}
			})
		}
		// The oauth2 package reads the same answer.
		cfg := clientcredentials.Config{ClientID: e.id, ClientSecret: "nope", TokenURL: e.tokenURL()}
		_, err := cfg.Token(ctx)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != 401 {
			t.Errorf("oauth2 error %v", err)
		}
	})

	t.Run("a deleted scope is no longer granted", func(t *testing.T) {
		_, err := e.s.Client.UpdateResourceServer(context.Background(), &cip.UpdateResourceServerInput{
			UserPoolId: aws.String(e.pool), Identifier: aws.String("https://api.example.com"), Name: aws.String("api"),
			Scopes: []types.ResourceServerScopeType{scope("read", "Read")},
		})
		noErr(t, err)
		status, body := e.post(t, e.tokenURL(), url.Values{"grant_type": {"client_credentials"}, "scope": {"https://api.example.com/write"}}, basic(e.id, e.secret))
		if status != 400 || body["error"] != "invalid_scope" {
			t.Errorf("deleted scope asked: %d %v", status, body)
		}
		status, body = e.post(t, e.tokenURL(), url.Values{"grant_type": {"client_credentials"}}, basic(e.id, e.secret))
		if status != 200 || testserver.JWTClaims(t, body["access_token"].(string))["scope"] != "https://api.example.com/read" {
			t.Errorf("no scope asked after a delete: %d %v", status, body)
		}
	})

	t.Run("served on the prefix domain's host", func(t *testing.T) {
		addr := strings.TrimPrefix(e.s.URL, "http://")
		// Whatever the name resolves to, connect to the test server.
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			},
		}}
		hctx := context.WithValue(context.Background(), oauth2.HTTPClient, client)
		_, port, _ := net.SplitHostPort(addr)
		cfg := clientcredentials.Config{ClientID: e.id, ClientSecret: e.secret, TokenURL: "http://machines.auth.us-east-1.localhost:" + port + "/oauth2/token"}
		tok, err := cfg.Token(hctx)
		noErr(t, err)
		if _, _, err := newJWTVerifier(t, iss).verify(tok.AccessToken, e.s.Clock.Now()); err != nil {
			t.Error(err)
		}
		cfg.TokenURL = "http://nobody.auth.us-east-1.localhost:" + port + "/oauth2/token"
		_, err = cfg.Token(hctx)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.Response.StatusCode != 404 {
			t.Errorf("unknown domain: %v", err)
		}
	})

	t.Run("no token endpoint without a domain", func(t *testing.T) {
		_, err := e.s.Client.DeleteUserPoolDomain(context.Background(), &cip.DeleteUserPoolDomainInput{UserPoolId: aws.String(e.pool), Domain: aws.String("machines")})
		noErr(t, err)
		cfg := clientcredentials.Config{ClientID: e.id, ClientSecret: e.secret, TokenURL: e.tokenURL()}
		_, err = cfg.Token(ctx)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.Response.StatusCode != 404 {
			t.Errorf("pool without a domain: %v", err)
		}
	})
}
