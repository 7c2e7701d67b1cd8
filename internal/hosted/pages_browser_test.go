package hosted_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// site is a pool with a domain and an app client whose callback page
// shows #done.
type site struct {
	s      *testserver.Server
	pool   string
	client string
	cb     string
}

func newSite(t *testing.T, s *testserver.Server, cb string, in *cip.CreateUserPoolInput, domain string) *site {
	t.Helper()
	pool := s.Pool(t, in)
	_, err := s.Client.CreateUserPoolDomain(context.Background(), &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(domain)})
	must(t, err)
	client := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{ClientName: aws.String("web"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email"}, CallbackURLs: []string{cb}, SupportedIdentityProviders: []string{"COGNITO"},
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	return &site{s: s, pool: pool, client: client, cb: cb}
}

func (st *site) authorize(extra ...string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {st.client}, "redirect_uri": {st.cb}, "state": {"pages"}, "scope": {"openid email"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return st.s.URL + "/" + st.pool + "/oauth2/authorize?" + q.Encode()
}

// atCallback checks the browser reached the callback with a code and the
// state, and that the code exchanges for tokens of username.
func (st *site) atCallback(t *testing.T, ctx context.Context, username string) {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(t, err)
	u, err := url.Parse(loc)
	must(t, err)
	if !strings.HasPrefix(loc, st.cb+"?") || u.Query().Get("code") == "" || u.Query().Get("state") != "pages" {
		t.Fatalf("browser ended at %s, want the callback with a code and the state", loc)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).PostForm(st.s.URL+"/"+st.pool+"/oauth2/token", url.Values{"grant_type": {"authorization_code"},
		"code": {u.Query().Get("code")}, "redirect_uri": {st.cb}, "client_id": {st.client}})
	must(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 {
		t.Fatalf("token exchange: %d %v", resp.StatusCode, err)
	}
	if got := testserver.JWTClaims(t, tok.AccessToken)["username"]; got != username {
		t.Errorf("access token of %v, want %s", got, username)
	}
}

// TestHostedAccountPagesInChromium signs up, confirms, resets a password
// and sets up an authenticator on the hosted pages in headless Chromium,
// saving a screenshot of each page.
func TestHostedAccountPagesInChromium(t *testing.T) {
	testserver.Chromium(t) // skip early without a browser
	s := testserver.Start(t)
	cbServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><title>Callback</title><h1 id="done">Signed in</h1>`)
	}))
	defer cbServer.Close()
	cb := cbServer.URL + "/cb"

	t.Run("sign up, confirm, signed in", func(t *testing.T) {
		st := newSite(t, s, cb, &cip.CreateUserPoolInput{PoolName: aws.String("shop"), AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			Schema: []types.SchemaAttributeType{{Name: aws.String("email"), Required: aws.Bool(true), Mutable: aws.Bool(true), AttributeDataType: types.AttributeDataTypeString}}}, "signup")
		b := testserver.NewBrowser(t, "hosted-")
		ctx := b.Ctx
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(st.authorize()),
			chromedp.WaitVisible("#signup"),
			chromedp.Click("#signup"),
			chromedp.WaitVisible("#attr-email"),
			chromedp.SendKeys("#username", "nia"),
			chromedp.SendKeys("#attr-email", "nia@example.com"),
			chromedp.SendKeys("#password", testserver.Password),
			b.ShotAction("signup"),
			chromedp.SendKeys("#password", kb.Enter),
			chromedp.WaitVisible("#code"),
			b.ShotAction("confirm"),
		))
		if hint := b.Text("#hint"); !strings.Contains(hint, "n***@e***") {
			t.Errorf("confirmation page says %q", hint)
		}
		code := s.LastCode(t, st.pool, "nia", "email")
		must(t, chromedp.Do(ctx, chromedp.SendKeys("#code", code+kb.Enter), chromedp.WaitVisible("#done")))
		st.atCallback(t, ctx, "nia")
	})

	t.Run("forgot password, new password, sign in", func(t *testing.T) {
		st := newSite(t, s, cb, nil, "forgot")
		s.User(t, st.pool, "ana", "email", "ana@example.com", "email_verified", "true")
		b := testserver.NewBrowser(t, "hosted-")
		ctx := b.Ctx
		const fresh = "Fresh-Passw0rd!"
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(st.authorize()),
			chromedp.WaitVisible("#forgot"),
			chromedp.Click("#forgot"),
			chromedp.WaitVisible("#username"),
			chromedp.SendKeys("#username", "ana"),
			b.ShotAction("forgot"),
			chromedp.SendKeys("#username", kb.Enter),
			chromedp.WaitVisible("#password2"),
		))
		code := s.LastCode(t, st.pool, "ana", "email")
		must(t, chromedp.Do(ctx,
			chromedp.SendKeys("#code", code),
			chromedp.SendKeys("#password", fresh),
			chromedp.SendKeys("#password2", fresh),
			b.ShotAction("confirm-forgot"),
			chromedp.SendKeys("#password2", kb.Enter),
			chromedp.WaitVisible("#notice"),
			chromedp.SendKeys("#username", "ana"),
			chromedp.SendKeys("#password", fresh+kb.Enter),
			chromedp.WaitVisible("#done"),
		))
		st.atCallback(t, ctx, "ana")
	})

	t.Run("MFA setup, then the authenticator is asked", func(t *testing.T) {
		st := newSite(t, s, cb, nil, "mfasetup")
		_, err := s.Client.SetUserPoolMfaConfig(context.Background(), &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(st.pool),
			MfaConfiguration: types.UserPoolMfaTypeOn, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
		must(t, err)
		s.User(t, st.pool, "bo")
		b := testserver.NewBrowser(t, "hosted-")
		ctx := b.Ctx
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(st.authorize()),
			chromedp.WaitVisible("#username"),
			chromedp.SendKeys("#username", "bo"),
			chromedp.SendKeys("#password", testserver.Password+kb.Enter),
			chromedp.WaitVisible("#secret"),
			chromedp.WaitVisible("#qr"),
			b.ShotAction("mfa-setup"),
		))
		secret := strings.ReplaceAll(b.Text("#secret"), " ", "")
		href, err := chromedp.Run(ctx, chromedp.AttributeValue("#otpauth", "href"))
		must(t, err)
		if key, err := otp.NewKeyFromURL(href.Value); err != nil || key.Secret() != secret || key.Issuer() != "test" || key.AccountName() != "bo" {
			t.Errorf("otpauth link %q does not carry the key shown (%v)", href.Value, err)
		}
		code, err := totp.GenerateCodeCustom(secret, s.Clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		must(t, err)
		must(t, chromedp.Do(ctx, chromedp.SendKeys("#code", code+kb.Enter), chromedp.WaitVisible("#done")))
		st.atCallback(t, ctx, "bo")

		s.Clock.Advance(30 * time.Second)
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(st.authorize("prompt", "login")),
			chromedp.WaitVisible("#username"),
			chromedp.SendKeys("#username", "bo"),
			chromedp.SendKeys("#password", testserver.Password+kb.Enter),
			chromedp.WaitVisible("#code"),
		))
		if hint := b.Text("#hint"); hint != "Enter the code from your authenticator app." {
			t.Fatalf("a later sign-in shows %q, want the authenticator code", hint)
		}
		code, err = totp.GenerateCodeCustom(secret, s.Clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		must(t, err)
		must(t, chromedp.Do(ctx, chromedp.SendKeys("#code", code+kb.Enter), chromedp.WaitVisible("#done")))
		st.atCallback(t, ctx, "bo")
	})
}
