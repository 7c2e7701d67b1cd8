package e2e

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// hostedEnv is a pool with a prefix domain, a public app client allowed
// the code and implicit grants, and a relying party's callback server.
type hostedEnv struct {
	*env
	callback *httptest.Server
	cbURL    string
	iss      string
}

var hostedScopes = []string{"openid", "email", "profile", "aws.cognito.signin.user.admin", "orders/read"}

func newHostedEnv(t *testing.T, pool *cip.CreateUserPoolInput, opts ...testserver.Option) *hostedEnv {
	t.Helper()
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "callback reached")
	}))
	t.Cleanup(cb.Close)
	e := newEnv(t, pool, nil, opts...)
	ctx := context.Background()
	c := e.s.Client
	_, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(e.pool), Domain: aws.String("hosted")})
	noErr(t, err)
	_, err = c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: aws.String(e.pool), Identifier: aws.String("orders"), Name: aws.String("orders"),
		Scopes: []types.ResourceServerScopeType{scope("read", "Read")},
	})
	noErr(t, err)
	in := oauthClient(e.pool, false, []types.OAuthFlowType{types.OAuthFlowTypeCode, types.OAuthFlowTypeImplicit}, hostedScopes, cb.URL+"/cb")
	in.LogoutURLs = []string{cb.URL + "/bye"}
	in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	e.client = e.s.AppClient(t, e.pool, in)
	return &hostedEnv{env: e, callback: cb, cbURL: cb.URL + "/cb", iss: e.s.URL + "/" + e.pool}
}

// authorizeURL is the authorize endpoint with the client's defaults and
// the given parameters (name, value pairs; an empty value removes one).
func (e *hostedEnv) authorizeURL(kv ...string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {e.client}, "redirect_uri": {e.cbURL}, "state": {"st-1"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	return e.iss + "/oauth2/authorize?" + q.Encode()
}

// browser plays a user's browser: it keeps cookies and follows redirects,
// but stops at the relying party's callback so that the test sees the
// whole redirect URL, fragment included.
type browser struct {
	t    *testing.T
	c    *http.Client
	stop string // host of the callback
}

func newBrowser(t *testing.T, callback string) *browser {
	jar, err := cookiejar.New(nil)
	noErr(t, err)
	u, _ := url.Parse(callback)
	b := &browser{t: t, stop: u.Host}
	b.c = &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == b.stop {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

// page is a response as the browser shows it.
type page struct {
	status   int
	url      *url.URL // of the page, after redirects
	location string   // set when the browser stopped at the callback
	body     string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	noErr(b.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	noErr(b.t, err)
	p := page{status: resp.StatusCode, url: resp.Request.URL, body: string(body)}
	if resp.StatusCode/100 == 3 {
		p.location = resp.Header.Get("Location")
	}
	return p
}

func (b *browser) get(u string) page {
	b.t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	noErr(b.t, err)
	return b.do(req)
}

var (
	formAction  = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// submit fills the page's form with fields and posts it, hidden inputs
// (the CSRF token among them) included.
func (b *browser) submit(p page, fields ...string) page {
	b.t.Helper()
	m := formAction.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no form on %s (status %d): %s", p.url, p.status, p.body)
	}
	action, err := p.url.Parse(html.UnescapeString(m[1]))
	noErr(b.t, err)
	form := url.Values{}
	for _, h := range hiddenInput.FindAllStringSubmatch(p.body, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	req, err := http.NewRequest("POST", action.String(), strings.NewReader(form.Encode()))
	noErr(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// callbackParams parses where the browser was sent, checking it is the
// client's callback; fragment parameters (the implicit grant) are merged
// into the query.
func (e *hostedEnv) callbackParams(t *testing.T, p page) url.Values {
	t.Helper()
	return callbackAt(t, p, e.cbURL)
}

// callbackAt parses where the browser was sent, which must be callback
// (scheme, host and path); fragment parameters (the implicit grant) are
// merged into the query.
func callbackAt(t *testing.T, p page, callback string) url.Values {
	t.Helper()
	if p.location == "" {
		t.Fatalf("browser at %s (status %d), not sent to the callback: %s", p.url, p.status, p.body)
	}
	u, err := url.Parse(p.location)
	noErr(t, err)
	if got := u.Scheme + "://" + u.Host + u.Path; got != callback {
		t.Fatalf("sent to %s, want the callback %s", got, callback)
	}
	q := u.Query()
	if u.Fragment != "" {
		f, err := url.ParseQuery(u.Fragment)
		noErr(t, err)
		for k, v := range f {
			q[k] = v
		}
	}
	return q
}
