package hosted_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// profilePool is a pool that holds email changes until they are verified,
// with a custom attribute, a domain and a client allowed the profile
// page's scope when admin is true. It returns the pool, the client and the
// profile page's URL; ana has a verified email and a given name.
func profilePool(t *testing.T, s *testserver.Server, admin bool) (pool, client, page string) {
	ctx := context.Background()
	pool = s.Pool(t, &cip.CreateUserPoolInput{PoolName: aws.String("profile"), AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}},
		Schema:                      []types.SchemaAttributeType{{Name: aws.String("team"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}}})
	_, err := s.Client.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String("profile")})
	must(t, err)
	scopes := []string{"openid", "email"}
	if admin {
		scopes = append(scopes, "aws.cognito.signin.user.admin")
	}
	client = s.AppClient(t, pool, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("web"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: scopes, CallbackURLs: []string{"https://app.example.com/cb"}, SupportedIdentityProviders: []string{"COGNITO"}})
	s.User(t, pool, "ana", "email", "ana@example.com", "email_verified", "true", "given_name", "Ana")
	q := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {"https://app.example.com/cb"}}
	return pool, client, s.URL + "/" + pool + "/profile?" + q.Encode()
}

// TestProfileInChromium is the mission's flow in a browser: sign in, change
// the email (held until verified), a custom attribute and a blank given
// name (deleted), read the code from the outbox, enter it, and see the new
// email verified, on the page and through the API.
func TestProfileInChromium(t *testing.T) {
	b := testserver.NewBrowser(t, "hosted-profile-")
	s := testserver.Start(t)
	ctx := context.Background()
	pool, _, page := profilePool(t, s, true)

	b.Run("open the profile page, which asks to sign in", chromedp.Navigate(page), chromedp.WaitVisible("#username"))
	b.Run("sign in", chromedp.SendKeys("#username", "ana"), chromedp.SendKeys("#password", testserver.Password+kb.Enter),
		chromedp.WaitVisible("#attributes"))
	b.Shot("before")
	if got := b.Text("#username"); got != "ana" {
		t.Fatalf("profile of %q", got)
	}
	if got := b.Eval(`document.querySelector("#attr-email").value`); got != "ana@example.com" {
		t.Errorf("email field %q", got)
	}
	for name, v := range map[string]string{"email": "ana.new@example.com", "custom:team": "blue", "given_name": ""} {
		b.Eval(fmt.Sprintf(`document.querySelector('[name="attr:%s"]').value = %q`, name, v))
	}
	b.Run("save the email, team and given name", chromedp.Click("#save"), chromedp.WaitVisible("#pending-email"))
	b.Shot("pending")
	notices := b.Text("main")
	if !strings.Contains(notices, "We sent a code to a***@e***") || !strings.Contains(b.Text("#pending-email"), "ana.new@example.com") {
		t.Errorf("the page does not show the code sent and the pending email:\n%s", notices)
	}
	attrs := s.UserAttrs(t, pool, "ana")
	if attrs["email"] != "ana@example.com" || attrs["custom:team"] != "blue" || attrs["given_name"] != "" {
		t.Errorf("after the change the user holds %v: want the old email until verified, team blue, no given name", attrs)
	}

	code := s.LastCode(t, pool, "ana", "email")
	b.Run("enter a wrong code", chromedp.SendKeys("#code-email", "000000"), chromedp.Click("#verify-button-email"), chromedp.WaitVisible("#error"))
	if got := b.Text("#error"); got != "Invalid verification code provided, please try again." {
		t.Errorf("wrong code shows %q", got)
	}
	b.Run("enter the code", chromedp.SendKeys("#code-email", code), chromedp.Click("#verify-button-email"))
	b.WaitFor("the verified notice", `document.querySelector(".notice") !== null`)
	b.Shot("verified")
	if got := b.Text(".notice"); got != "Your email is verified." {
		t.Errorf("notice %q", got)
	}
	if got := b.Text("#status-email"); got != "verified" {
		t.Errorf("email status %q", got)
	}
	attrs = s.UserAttrs(t, pool, "ana")
	if attrs["email"] != "ana.new@example.com" || attrs["email_verified"] != "true" {
		t.Errorf("after verifying the user holds %v", attrs)
	}
	out, err := s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("ana")})
	must(t, err)
	if testserver.Attrs(out.UserAttributes)["email"] != "ana.new@example.com" {
		t.Error("AdminGetUser does not show the new email")
	}
}

// get fetches u with c, following redirects, and returns the status and
// the page.
func get(t *testing.T, c *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	var res *http.Response
	var err error
	if form == nil {
		res, err = c.Get(u)
	} else {
		res, err = c.PostForm(u, form)
	}
	must(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	must(t, err)
	return res.StatusCode, string(body)
}

// hiddenCSRF reads the form token of a page.
func hiddenCSRF(t *testing.T, page string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, `name="_csrf" value="`)
	if !ok {
		t.Fatalf("no CSRF token on the page:\n%s", page)
	}
	v, _, _ := strings.Cut(rest, `"`)
	return html.UnescapeString(v)
}

// TestProfileNeedsScopeAndToken: the profile page refuses a client that is
// not allowed aws.cognito.signin.user.admin, and a form without its CSRF
// token changes nothing.
func TestProfileNeedsScopeAndToken(t *testing.T) {
	s := testserver.Start(t)
	jar, err := cookiejar.New(nil)
	must(t, err)
	c := &http.Client{Jar: jar}

	_, _, page := profilePool(t, s, false)
	signIn := func(page string) string {
		status, body := get(t, c, page, nil)
		if status != http.StatusOK || !strings.Contains(body, `id="password"`) {
			t.Fatalf("profile without a session: %d\n%s", status, body)
		}
		loginURL := strings.Replace(page, "/profile?", "/login?", 1) + "&return_to=profile"
		_, body = get(t, c, loginURL, url.Values{"_csrf": {hiddenCSRF(t, body)}, "step": {"signin"}, "username": {"ana"}, "password": {testserver.Password}})
		return body
	}
	if body := signIn(page); !strings.Contains(body, "aws.cognito.signin.user.admin") {
		t.Errorf("a client without the scope serves the profile:\n%s", body)
	}

	s2 := testserver.Start(t)
	jar, err = cookiejar.New(nil)
	must(t, err)
	c.Jar = jar
	pool, _, page := profilePool(t, s2, true)
	body := signIn(page)
	if !strings.Contains(body, `id="attributes"`) {
		t.Fatalf("no profile after signing in:\n%s", body)
	}
	status, body := get(t, c, page, url.Values{"action": {"update"}, "attr:given_name": {"Eve"}})
	if status != http.StatusOK || !strings.Contains(body, "Your form expired") {
		t.Errorf("a form without its token: %d\n%s", status, body)
	}
	if got := s2.UserAttrs(t, pool, "ana")["given_name"]; got != "Ana" {
		t.Errorf("a form without its token changed given_name to %q", got)
	}
	_, body = get(t, c, page, url.Values{"_csrf": {hiddenCSRF(t, body)}, "action": {"update"}, "attr:given_name": {"Eve"}})
	if got := s2.UserAttrs(t, pool, "ana")["given_name"]; got != "Eve" || !strings.Contains(body, "Your profile is saved.") {
		t.Errorf("with its token the form set given_name to %q:\n%s", got, body)
	}
}

// TestProfileAfterGlobalSignOut: after a global sign-out the profile page
// asks the user to sign in again, and the new session acts with a new
// token, not the revoked one the page kept; signing out clears that
// token's cookie.
func TestProfileAfterGlobalSignOut(t *testing.T) {
	s := testserver.Start(t)
	jar, err := cookiejar.New(nil)
	must(t, err)
	c := &http.Client{Jar: jar}
	pool, _, page := profilePool(t, s, true)
	signIn := func() string {
		t.Helper()
		status, body := get(t, c, page, nil)
		if status != http.StatusOK || !strings.Contains(body, `id="password"`) {
			t.Fatalf("profile without a session: %d, want the sign-in form\n%s", status, body)
		}
		loginURL := strings.Replace(page, "/profile?", "/login?", 1) + "&return_to=profile"
		_, body = get(t, c, loginURL, url.Values{"_csrf": {hiddenCSRF(t, body)}, "step": {"signin"}, "username": {"ana"}, "password": {testserver.Password}})
		if !strings.Contains(body, `id="attributes"`) {
			t.Fatalf("no profile after signing in:\n%s", body)
		}
		return body
	}
	signIn()
	profileURL := mustParse(t, page)
	if !hasCookie(jar, profileURL, "cognito-profile") {
		t.Fatal("the profile page kept no token cookie")
	}

	s.Clock.Advance(2 * time.Second)
	_, err = s.Client.AdminUserGlobalSignOut(context.Background(), &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(pool), Username: aws.String("ana")})
	must(t, err)
	s.Clock.Advance(2 * time.Second)
	body := signIn()
	if strings.Contains(body, "revoked") || !strings.Contains(body, `value="ana@example.com"`) {
		t.Fatalf("the profile of the new session after a global sign-out:\n%s", body)
	}
	_, body = get(t, c, page, url.Values{"_csrf": {hiddenCSRF(t, body)}, "action": {"update"}, "attr:given_name": {"Eve"}})
	if got := s.UserAttrs(t, pool, "ana")["given_name"]; got != "Eve" {
		t.Fatalf("after signing in again the profile form set given_name to %q:\n%s", got, body)
	}

	logout := strings.Replace(page, "/profile?", "/logout?", 1)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	status, _ := get(t, c, logout, nil)
	if status != http.StatusFound {
		t.Fatalf("logout answered %d, want a redirect", status)
	}
	if hasCookie(jar, profileURL, "cognito-profile") {
		t.Error("the profile token's cookie outlived the sign-out")
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	must(t, err)
	return u
}

func hasCookie(jar http.CookieJar, u *url.URL, name string) bool {
	for _, c := range jar.Cookies(u) {
		if c.Name == name {
			return true
		}
	}
	return false
}
