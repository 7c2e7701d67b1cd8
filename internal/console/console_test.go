package console_test

import (
	"context"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// person is a browser without JavaScript: a cookie jar that does not
// follow redirects, so each answer can be checked.
type person struct {
	t    *testing.T
	base string
	http *http.Client
	user string // HTTP Basic credentials, when set
	pass string
}

func newPerson(t *testing.T, s *testserver.Server) *person {
	jar, _ := cookiejar.New(nil)
	return &person{t: t, base: s.URL, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (p *person) do(method, path string, form url.Values) (*http.Response, string) {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, p.base+path, body)
	if err != nil {
		p.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if p.user != "" {
		req.SetBasicAuth(p.user, p.pass)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token opens path and returns the CSRF token of its forms.
func (p *person) token(path string) string {
	p.t.Helper()
	resp, body := p.do("GET", path, nil)
	m := csrfRE.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		p.t.Fatalf("GET %s: %d, no form token in %.300s", path, resp.StatusCode, body)
	}
	return html.UnescapeString(m[1])
}

// post sends a form from page back (with its token) and returns the
// notice the next page shows, failing unless the answer is a redirect.
func (p *person) post(back, action string, form url.Values) (notice string, failed bool) {
	p.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", p.token(back))
	form.Set("back", back)
	resp, body := p.do("POST", action, form)
	if resp.StatusCode != http.StatusSeeOther {
		p.t.Fatalf("POST %s: %d %s, want 303", action, resp.StatusCode, body)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "cognate_console_flash" {
			b, _ := base64.RawURLEncoding.DecodeString(c.Value)
			return strings.TrimPrefix(string(b), "!"), strings.HasPrefix(string(b), "!")
		}
	}
	p.t.Fatalf("POST %s: no notice", action)
	return "", false
}

const console = "/_cognate/console"

func TestConsoleActions(t *testing.T) {
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, &cip.CreateUserPoolInput{PoolName: aws.String("acts"), AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"}})
	s.User(t, pool, "jane", "email", "jane@example.com", "email_verified", "true")
	if _, err := s.Client.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins")}); err != nil {
		t.Fatal(err)
	}
	p := newPerson(t, s)
	userPage := console + "/pools/" + pool + "/users/jane"
	get := func() *cip.AdminGetUserOutput {
		out, err := s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("jane")})
		if err != nil {
			t.Fatalf("AdminGetUser: %v", err)
		}
		return out
	}

	t.Run("disable and enable", func(t *testing.T) {
		if n, failed := p.post(userPage, userPage+"/disable", nil); failed || get().Enabled {
			t.Fatalf("disable: %q, enabled %v", n, get().Enabled)
		}
		if n, failed := p.post(userPage, userPage+"/enable", nil); failed || !get().Enabled {
			t.Fatalf("enable: %q, enabled %v", n, get().Enabled)
		}
	})
	t.Run("add to group", func(t *testing.T) {
		if n, failed := p.post(userPage, userPage+"/group", url.Values{"group": {"admins"}}); failed {
			t.Fatal(n)
		}
		out, err := s.Client.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String("jane")})
		if err != nil || len(out.Groups) != 1 || *out.Groups[0].GroupName != "admins" {
			t.Fatalf("groups = %v, %v", out, err)
		}
		if _, body := p.do("GET", userPage, nil); !strings.Contains(body, `<span class="tag">admins</span>`) {
			t.Error("the user page does not show the group")
		}
	})
	t.Run("unknown group: the API's error", func(t *testing.T) {
		_, apiErr := s.Client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool), Username: aws.String("jane"), GroupName: aws.String("nobody")})
		n, failed := p.post(userPage, userPage+"/group", url.Values{"group": {"nobody"}})
		if !failed || apiErr == nil || !strings.HasSuffix(apiErr.Error(), n) {
			t.Fatalf("console says %q (error %v), API says %v", n, failed, apiErr)
		}
	})
	t.Run("edge validation applies to forms", func(t *testing.T) {
		n, failed := p.post(console+"/", console+"/pools", url.Values{"name": {""}})
		if !failed || !strings.HasPrefix(n, "InvalidParameterException: ") {
			t.Fatalf("empty pool name: %q", n)
		}
	})
	t.Run("sign out everywhere", func(t *testing.T) {
		client := s.AppClient(t, pool, nil)
		tokens := s.SignIn(t, client, "jane")
		if n, failed := p.post(userPage, userPage+"/signout", nil); failed {
			t.Fatal(n)
		}
		if _, err := s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: tokens.AccessToken}); err == nil {
			t.Fatal("the access token still works after sign out everywhere")
		}
	})
	t.Run("reset password", func(t *testing.T) {
		if n, failed := p.post(userPage, userPage+"/reset", nil); failed {
			t.Fatal(n)
		}
		if st := get().UserStatus; st != types.UserStatusTypeResetRequired {
			t.Fatalf("status = %s, want RESET_REQUIRED", st)
		}
	})
	t.Run("search with a ListUsers filter", func(t *testing.T) {
		s.User(t, pool, "bob", "email", "bob@example.com")
		_, body := p.do("GET", console+"/pools/"+pool+"?filter="+url.QueryEscape(`email ^= "bob"`), nil)
		if !strings.Contains(body, ">bob</a>") || strings.Contains(body, ">jane</a>") {
			t.Errorf("search for bob shows %q", body)
		}
		_, body = p.do("GET", console+"/pools/"+pool+"?filter="+url.QueryEscape(`nope = "x"`), nil)
		if !strings.Contains(body, `id="list-error">InvalidParameterException: `) {
			t.Errorf("a bad filter shows no error: %.2000s", body)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if n, failed := p.post(userPage, userPage+"/delete", nil); failed {
			t.Fatal(n)
		}
		_, err := s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("jane")})
		if err == nil {
			t.Fatal("the user still exists")
		}
		if resp, _ := p.do("GET", userPage, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("user page of a deleted user: %d, want 404", resp.StatusCode)
		}
	})
}

func TestConsoleRefusesForgedForms(t *testing.T) {
	s := testserver.Start(t)
	p := newPerson(t, s)
	token := p.token(console + "/")
	resp, _ := p.do("GET", console+"/", nil)
	for _, c := range resp.Cookies() {
		if c.Name == "cognate_console" {
			t.Errorf("a second page view replaced the session cookie")
		}
	}
	u, _ := url.Parse(s.URL + console + "/")
	var session *http.Cookie
	for _, c := range p.http.Jar.Cookies(u) {
		if c.Name == "cognate_console" {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	stranger := newPerson(t, s)
	strangerToken := stranger.token(console + "/")
	tests := []struct {
		name   string
		who    *person
		token  string
		status int
	}{
		{"no token", p, "", http.StatusForbidden},
		{"another session's token", p, strangerToken, http.StatusForbidden},
		{"a token without its cookie", newPerson(t, s), token, http.StatusForbidden},
		{"the session's token", p, token, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"name": {"forged"}}
			if tt.token != "" {
				form.Set("csrf", tt.token)
			}
			if resp, body := tt.who.do("POST", console+"/pools", form); resp.StatusCode != tt.status {
				t.Errorf("POST: %d %s, want %d", resp.StatusCode, body, tt.status)
			}
		})
	}
	out, err := s.Client.ListUserPools(context.Background(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	if err != nil || len(out.UserPools) != 1 {
		t.Errorf("pools after the forged forms: %v, %v; want only the one the real form made", out, err)
	}
}

func TestConsoleCookiesAreStrict(t *testing.T) {
	s := testserver.Start(t)
	resp, _ := newPerson(t, s).do("GET", console+"/", nil)
	cs := resp.Cookies()
	if len(cs) != 1 {
		t.Fatalf("cookies = %v, want one session cookie", cs)
	}
	if c := cs[0]; c.SameSite != http.SameSiteStrictMode || !c.HttpOnly || c.Path != console {
		t.Errorf("session cookie %+v: want SameSite=Strict, HttpOnly, Path=%s", c, console)
	}
}

func TestConsoleLockedByAdminCredentials(t *testing.T) {
	s := testserver.Start(t, testserver.WithConfig(func(c *config.Config) {
		c.Admin.AccessKeyID, c.Admin.SecretAccessKey = "AKIDCONSOLE", "console-secret"
	}))
	tests := []struct {
		name, user, pass string
		status           int
	}{
		{"no credentials", "", "", http.StatusUnauthorized},
		{"wrong secret", "AKIDCONSOLE", "guess", http.StatusUnauthorized},
		{"wrong key id", "AKIDOTHER", "console-secret", http.StatusUnauthorized},
		{"admin credentials", "AKIDCONSOLE", "console-secret", http.StatusOK},
	}
	for _, path := range []string{console + "/", console + "/outbox", console + "/outbox.json", console + "/triggers.json"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				p := newPerson(t, s)
				p.user, p.pass = tt.user, tt.pass
				resp, body := p.do("GET", path, nil)
				if resp.StatusCode != tt.status {
					t.Fatalf("%d %s, want %d", resp.StatusCode, body, tt.status)
				}
				if tt.status == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
					t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
			})
		}
	}
	t.Run("forms too", func(t *testing.T) {
		p := newPerson(t, s)
		resp, _ := p.do("POST", console+"/pools", url.Values{"name": {"x"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST without credentials: %d, want 401", resp.StatusCode)
		}
	})
}
