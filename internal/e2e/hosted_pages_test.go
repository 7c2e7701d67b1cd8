package e2e

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

// signUpPool is a pool whose users sign up with a required email address
// that is verified by a code.
func signUpPool() *cip.CreateUserPoolInput {
	return &cip.CreateUserPoolInput{PoolName: aws.String("shop"), AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		Schema: []types.SchemaAttributeType{{Name: aws.String("email"), Required: aws.Bool(true), Mutable: aws.Bool(true), AttributeDataType: types.AttributeDataTypeString}}}
}

// postTo posts page p's hidden inputs and fields to the page at path
// (under the pool), with the query of p's form action.
func (b *browser) postTo(p page, path string, fields ...string) page {
	b.t.Helper()
	m := formAction.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no form on %s: %s", p.url, p.body)
	}
	action, err := p.url.Parse(html.UnescapeString(m[1]))
	noErr(b.t, err)
	action.Path = action.Path[:strings.LastIndex(action.Path, "/")] + path
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

var linkHref = regexp.MustCompile(`<a class="redirect-customizable" id="(signup|forgot)" href="([^"]*)"`)

// links returns the login page's links by id.
func links(p page) map[string]string {
	out := map[string]string{}
	for _, m := range linkHref.FindAllStringSubmatch(p.body, -1) {
		u, _ := p.url.Parse(html.UnescapeString(m[2]))
		out[m[1]] = u.String()
	}
	return out
}

// exchange redeems an authorization code at the token endpoint and
// returns the access token.
func (e *hostedEnv) exchange(t *testing.T, code string) string {
	t.Helper()
	status, body := postForm(t, e.iss+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {e.cbURL}, "client_id": {e.client}})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token exchange = %d %s", status, body)
	}
	return tok.AccessToken
}

func wantAlert(t *testing.T, p page, msg string) {
	t.Helper()
	if !strings.Contains(p.body, `role="alert" id="error">`+html.EscapeString(msg)+`</p>`) {
		t.Errorf("page %s (%d) does not show %q: %s", p.url, p.status, msg, p.body)
	}
}

func TestHostedSignUp(t *testing.T) {
	e := newHostedEnv(t, signUpPool())
	login := newBrowser(t, e.cbURL).get(e.authorizeURL())
	l := links(login)
	if l["signup"] == "" || l["forgot"] == "" {
		t.Fatalf("login page links %v, want sign up and forgot password", l)
	}
	if u, _ := url.Parse(l["signup"]); u.Path != "/"+e.pool+"/signup" || u.Query().Get("client_id") != e.client || u.Query().Get("state") != "st-1" {
		t.Errorf("sign-up link %s lost the authorize parameters", l["signup"])
	}

	t.Run("form lists the required attributes and password rules", func(t *testing.T) {
		p := newBrowser(t, e.cbURL).get(l["signup"])
		for _, want := range []string{`id="attr-email" name="attr:email"`, `autocomplete="new-password"`,
			`class="passwordCheck-notValid-customizable">Password must contain at least 8 characters</li>`, `class="submitButton-customizable"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("sign-up page lacks %s: %s", want, p.body)
			}
		}
	})

	t.Run("missing CSRF token refused", func(t *testing.T) {
		b := newBrowser(t, e.cbURL)
		p := b.get(l["signup"])
		p.body = strings.Replace(p.body, `name="_csrf"`, `name="other"`, 1)
		got := b.submit(p, "username", "mallory", "password", testserver.Password, "attr:email", "m@example.com")
		if got.status != http.StatusForbidden {
			t.Errorf("status %d, want 403", got.status)
		}
		wantAlert(t, got, "Your form expired. Please try again.")
		if _, _, err := e.adminUser("mallory"); err == nil {
			t.Error("a sign-up without its CSRF token created the user")
		}
	})

	t.Run("weak password", func(t *testing.T) {
		b := newBrowser(t, e.cbURL)
		p := b.submit(b.get(l["signup"]), "username", "weak", "password", "Ab1!", "attr:email", "weak@example.com")
		wantAlert(t, p, "Password did not conform with policy: Password not long enough")
		if !strings.Contains(p.body, `value="weak@example.com"`) || !strings.Contains(p.body, `class="passwordCheck-valid-customizable">Password must contain a number`) {
			t.Errorf("the form lost what was entered or the rules met: %s", p.body)
		}
	})

	t.Run("confirm with wrong, expired and resent codes, then signed in", func(t *testing.T) {
		b := newBrowser(t, e.cbURL)
		confirm := b.submit(b.get(l["signup"]), "username", "nia", "password", testserver.Password, "attr:email", "nia@example.com")
		if confirm.status != 200 || !strings.Contains(confirm.body, "We have sent a code to n***@e***") || !strings.Contains(confirm.body, `name="code"`) {
			t.Fatalf("after sign-up: %d %s", confirm.status, confirm.body)
		}
		if st, _, err := e.adminUser("nia"); err != nil || st != "UNCONFIRMED" {
			t.Fatalf("user nia: %s %v", st, err)
		}
		first := e.s.LastCode(t, e.pool, "nia", "email")
		wrong := b.submit(confirm, "code", "000000")
		wantAlert(t, wrong, "Invalid verification code provided, please try again.")

		e.s.Clock.Advance(25 * time.Hour)
		expired := b.submit(wrong, "code", first)
		wantAlert(t, expired, "Invalid code provided, please request a code again.")

		resent := b.postTo(expired, "/resendcode")
		if !strings.Contains(resent.body, "We sent you a new code.") {
			t.Fatalf("resend: %d %s", resent.status, resent.body)
		}
		code := e.s.LastCode(t, e.pool, "nia", "email")
		if code == first {
			t.Fatal("resend sent the same code")
		}
		// The ticket of the sign-up has expired with the day: the user
		// signs in after confirming.
		done := b.submit(resent, "code", code)
		if done.url.Path != "/"+e.pool+"/login" || !strings.Contains(done.body, "Your account is confirmed. Sign in to continue.") {
			t.Fatalf("after a late confirmation: %s %s", done.url, done.body)
		}
		cb := e.callbackParams(t, b.submit(done, "username", "nia", "password", testserver.Password))
		e.exchange(t, cb.Get("code"))
		if _, attrs, _ := e.adminUser("nia"); attrs["email_verified"] != "true" {
			t.Errorf("email not verified by the confirmation: %v", attrs)
		}
	})

	t.Run("confirming signs in and the code exchanges", func(t *testing.T) {
		b := newBrowser(t, e.cbURL)
		confirm := b.submit(b.get(l["signup"]), "username", "omar", "password", testserver.Password, "attr:email", "omar@example.com")
		cb := e.callbackParams(t, b.submit(confirm, "code", e.s.LastCode(t, e.pool, "omar", "email")))
		if cb.Get("state") != "st-1" {
			t.Errorf("callback %v lost the state", cb)
		}
		claims := testserver.JWTClaims(t, e.exchange(t, cb.Get("code")))
		if claims["username"] != "omar" {
			t.Errorf("access token of %v", claims["username"])
		}
		if p := b.get(e.authorizeURL()); p.location == "" {
			t.Errorf("no hosted session after the confirmation: %s", p.url)
		}
	})

	t.Run("an unconfirmed user signing in is asked for the code", func(t *testing.T) {
		_, err := e.s.Client.SignUp(context.Background(), &cip.SignUpInput{ClientId: aws.String(e.client), Username: aws.String("pia"),
			Password: aws.String(testserver.Password), UserAttributes: testserver.AttrList("email", "pia@example.com")})
		noErr(t, err)
		b := newBrowser(t, e.cbURL)
		wrongPassword := b.submit(b.get(e.authorizeURL()), "username", "pia", "password", "Wrong-Passw0rd!")
		wantAlert(t, wrongPassword, "Incorrect username or password.")
		confirm := b.submit(b.get(e.authorizeURL()), "username", "pia", "password", testserver.Password)
		if confirm.url.Path != "/"+e.pool+"/login" || !strings.Contains(confirm.body, "Your account is not confirmed yet.") {
			t.Fatalf("unconfirmed sign-in: %s", confirm.body)
		}
		cb := e.callbackParams(t, b.submit(confirm, "code", e.s.LastCode(t, e.pool, "pia", "email")))
		e.exchange(t, cb.Get("code"))
	})
}

func TestHostedSignUpAdminOnly(t *testing.T) {
	pool := signUpPool()
	pool.AdminCreateUserConfig = &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true}
	e := newHostedEnv(t, pool)
	b := newBrowser(t, e.cbURL)
	login := b.get(e.authorizeURL())
	if l := links(login); l["signup"] != "" || l["forgot"] == "" {
		t.Errorf("login links %v, want no sign up", l)
	}
	signUp := strings.Replace(login.url.String(), "/login?", "/signup?", 1)
	p := b.get(signUp)
	if p.status != 400 || !strings.Contains(p.body, "SignUp is not permitted for this user pool") || strings.Contains(p.body, `name="password"`) {
		t.Errorf("GET /signup: %d %s", p.status, p.body)
	}
	// A form posted anyway is refused the same way.
	p = b.postTo(login, "/signup", "username", "zed", "password", testserver.Password, "attr:email", "zed@example.com")
	if p.status != 400 || !strings.Contains(p.body, "SignUp is not permitted for this user pool") {
		t.Errorf("POST /signup: %d %s", p.status, p.body)
	}
	if _, _, err := e.adminUser("zed"); err == nil {
		t.Error("sign-up created a user in an admin-only pool")
	}
}

func TestHostedForgotPassword(t *testing.T) {
	e := newHostedEnv(t, signUpPool())
	e.s.User(t, e.pool, "ana", "email", "ana@example.com", "email_verified", "true")
	b := newBrowser(t, e.cbURL)
	forgot := b.get(links(b.get(e.authorizeURL()))["forgot"])
	if forgot.url.Path != "/"+e.pool+"/forgotPassword" || !strings.Contains(forgot.body, `name="username"`) {
		t.Fatalf("forgot password page: %s %s", forgot.url, forgot.body)
	}
	noCSRF := forgot
	noCSRF.body = strings.Replace(forgot.body, `name="_csrf"`, `name="other"`, 1)
	if p := b.submit(noCSRF, "username", "ana"); p.status != http.StatusForbidden || len(e.s.Messages(t, e.pool, "ana", "email")) != 0 {
		t.Errorf("a reset without its CSRF token: %d, %d messages", p.status, len(e.s.Messages(t, e.pool, "ana", "email")))
	}
	reset := b.submit(forgot, "username", "ana")
	if !strings.Contains(reset.body, "We have sent a password reset code to a***@e***") || !strings.Contains(reset.body, `name="password2"`) {
		t.Fatalf("after asking for a code: %d %s", reset.status, reset.body)
	}
	code := e.s.LastCode(t, e.pool, "ana", "email")
	const newPassword = "Fresh-Passw0rd!"
	wantAlert(t, b.submit(reset, "code", code, "password", newPassword, "password2", "Other-Passw0rd!"), "Passwords do not match.")
	wantAlert(t, b.submit(reset, "code", code, "password", "short", "password2", "short"), "Password did not conform with policy: Password not long enough")
	wantAlert(t, b.submit(reset, "code", "000000", "password", newPassword, "password2", newPassword), "Invalid verification code provided, please try again.")
	done := b.submit(reset, "code", code, "password", newPassword, "password2", newPassword)
	if done.url.Path != "/"+e.pool+"/login" || !strings.Contains(done.body, "Your password has been reset.") {
		t.Fatalf("after the reset: %s %s", done.url, done.body)
	}
	wantAlert(t, b.submit(done, "username", "ana", "password", testserver.Password), "Incorrect username or password.")
	cb := e.callbackParams(t, b.submit(done, "username", "ana", "password", newPassword))
	e.exchange(t, cb.Get("code"))
}

func TestHostedMFASetup(t *testing.T) {
	e := newHostedEnv(t, nil)
	ctx := context.Background()
	_, err := e.s.Client.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool),
		MfaConfiguration: types.UserPoolMfaTypeOn, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	noErr(t, err)
	e.s.User(t, e.pool, "ana")
	b := newBrowser(t, e.cbURL)
	setup := b.submit(b.get(e.authorizeURL()), "username", "ana", "password", testserver.Password)
	m := regexp.MustCompile(`<code class="key" id="secret">([A-Z2-7 ]+)</code>`).FindStringSubmatch(setup.body)
	if m == nil || !strings.Contains(setup.body, `href="otpauth://totp/test:ana?issuer=test&amp;secret=`) || !strings.Contains(setup.body, "<svg") {
		t.Fatalf("MFA setup page: %d %s", setup.status, setup.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	wrong := b.submit(setup, "code", "000000")
	wantAlert(t, wrong, "Code mismatch and fail enable Software Token MFA")
	if !strings.Contains(wrong.body, m[1]) {
		t.Error("the key is not shown again after a wrong code")
	}
	cb := e.callbackParams(t, b.submit(wrong, "code", totpCode(t, e.s, secret)))
	e.exchange(t, cb.Get("code"))

	nextStep(e.s)
	later := newBrowser(t, e.cbURL)
	mfa := later.submit(later.get(e.authorizeURL()), "username", "ana", "password", testserver.Password)
	if !strings.Contains(mfa.body, "Enter the code from your authenticator app.") {
		t.Errorf("a later sign-in does not ask for the authenticator code: %s", mfa.body)
	}
}

// TestHostedSignUpVariants signs up through a client with a secret (the
// pages compute SECRET_HASH) and in a pool that signs in with email.
func TestHostedSignUpVariants(t *testing.T) {
	t.Run("client with a secret", func(t *testing.T) {
		e := newHostedEnv(t, signUpPool())
		in := oauthClient(e.pool, true, codeFlow, []string{"openid"}, e.cbURL)
		e.client = e.s.AppClient(t, e.pool, in)
		b := newBrowser(t, e.cbURL)
		signUp := b.get(links(b.get(e.authorizeURL("scope", "openid")))["signup"])
		confirm := b.submit(signUp, "username", "sam", "password", testserver.Password, "attr:email", "sam@example.com")
		if !strings.Contains(confirm.body, `name="code"`) {
			t.Fatalf("sign-up through a client with a secret: %d %s", confirm.status, confirm.body)
		}
		cb := e.callbackParams(t, b.submit(confirm, "code", e.s.LastCode(t, e.pool, "sam", "email")))
		if cb.Get("code") == "" {
			t.Errorf("callback %v", cb)
		}
	})
	t.Run("email as username", func(t *testing.T) {
		pool := signUpPool()
		pool.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}
		e := newHostedEnv(t, pool)
		b := newBrowser(t, e.cbURL)
		signUp := b.get(links(b.get(e.authorizeURL()))["signup"])
		if !strings.Contains(signUp.body, `type="email" id="username" name="username"`) || strings.Contains(signUp.body, `name="attr:email"`) {
			t.Fatalf("sign-up page of an email pool: %s", signUp.body)
		}
		bad := b.submit(signUp, "username", "not-an-email", "password", testserver.Password)
		wantAlert(t, bad, "Username should be an email.")
		confirm := b.submit(signUp, "username", "eve@example.com", "password", testserver.Password)
		out, err := e.s.Client.ListUsers(context.Background(), &cip.ListUsersInput{UserPoolId: aws.String(e.pool)})
		noErr(t, err)
		if len(out.Users) != 1 {
			t.Fatalf("%d users", len(out.Users))
		}
		cb := e.callbackParams(t, b.submit(confirm, "code", e.s.LastCode(t, e.pool, aws.ToString(out.Users[0].Username), "email")))
		claims := testserver.JWTClaims(t, e.exchange(t, cb.Get("code")))
		if claims["username"] != aws.ToString(out.Users[0].Username) {
			t.Errorf("access token %v", claims)
		}
	})
}

// TestHostedSignUpTrigger signs up on the hosted pages with a PreSignUp
// function: its refusal is shown on the page, and a user it confirms is
// signed in at once.
func TestHostedSignUpTrigger(t *testing.T) {
	fake := lambdafake.New()
	t.Cleanup(fake.Close)
	pool := signUpPool()
	pool.LambdaConfig = &types.LambdaConfigType{PreSignUp: aws.String(fnPreSignUp), PreAuthentication: aws.String(fnPreAuth)}
	e := newHostedEnv(t, pool, testserver.WithLambdaEndpoint(fake.URL))
	b := newBrowser(t, e.cbURL)
	signUp := b.get(links(b.get(e.authorizeURL()))["signup"])

	fake.Handle(fnPreSignUp, lambdafake.FunctionError("Error", "invite only"))
	wantAlert(t, b.submit(signUp, "username", "ivy", "password", testserver.Password, "attr:email", "ivy@example.com"),
		"PreSignUp failed with error invite only.")

	fake.Handle(fnPreSignUp, echoResponse(`{"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false}`))
	fake.Handle(fnPreAuth, lambdafake.FunctionError("Error", "not today"))
	// Confirmed at once but refused at sign-in: the login page says why.
	refused := b.submit(signUp, "username", "jay", "password", testserver.Password, "attr:email", "jay@example.com")
	if refused.url.Path != "/"+e.pool+"/signup" || !strings.Contains(refused.body, `value="signin"`) {
		t.Errorf("a refused sign-in after sign-up did not show the login form: %s", refused.body)
	}
	wantAlert(t, refused, "PreAuthentication failed with error not today.")
	if st, _, err := e.adminUser("jay"); err != nil || st != "CONFIRMED" {
		t.Errorf("jay: %s %v", st, err)
	}

	fake.Handle(fnPreAuth, lambdafake.Echo(nil))
	cb := e.callbackParams(t, b.submit(signUp, "username", "ivy", "password", testserver.Password, "attr:email", "ivy@example.com"))
	if claims := testserver.JWTClaims(t, e.exchange(t, cb.Get("code"))); claims["username"] != "ivy" {
		t.Errorf("access token %v", claims)
	}
	evs := fake.Events(fnPreSignUp)
	var ev map[string]any
	noErr(t, json.Unmarshal(evs[len(evs)-1], &ev))
	if ev["triggerSource"] != "PreSignUp_SignUp" || ev["callerContext"].(map[string]any)["clientId"] != e.client {
		t.Errorf("PreSignUp event %v", ev)
	}
}
