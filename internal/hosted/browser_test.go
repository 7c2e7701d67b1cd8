package hosted_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
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

// TestHostedLoginInChromium signs in on the hosted pages in headless
// Chromium, with the keyboard only, through an authenticator code, and
// saves a screenshot of the login page, the MFA page and the callback.
func TestHostedLoginInChromium(t *testing.T) {
	testserver.Chromium(t) // skip early without a browser
	s := testserver.Start(t)
	ctx := context.Background()
	c := s.Client
	pool := s.Pool(t, nil)
	_, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(pool),
		MfaConfiguration: types.UserPoolMfaTypeOptional, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	must(t, err)
	_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String("browser")})
	must(t, err)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><title>Callback</title><h1 id="done">Signed in</h1><p>code received</p>`)
	}))
	defer cb.Close()
	client := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("web"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email"}, CallbackURLs: []string{cb.URL + "/cb"}, SupportedIdentityProviders: []string{"COGNITO"},
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	s.User(t, pool, "ana")
	secret := enrolAuthenticator(t, s, client)

	b := testserver.NewBrowser(t, "hosted-")
	q := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {cb.URL + "/cb"}, "state": {"browser"}, "scope": {"openid email"}}
	s.Clock.Advance(30 * time.Second) // a new authenticator step
	b.Run("sign in with the password",
		chromedp.Navigate(s.URL+"/"+pool+"/oauth2/authorize?"+q.Encode()),
		chromedp.WaitVisible("#username"))
	b.Shot("login")
	b.Run("enter the password", chromedp.SendKeys("#username", "ana"),
		chromedp.SendKeys("#password", testserver.Password+kb.Enter),
		chromedp.WaitVisible("#code"))
	b.Shot("mfa")
	code, err := totp.GenerateCodeCustom(secret, s.Clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	must(t, err)
	b.Run("enter the code", chromedp.SendKeys("#code", code+kb.Enter), chromedp.WaitVisible("#done"))
	b.Shot("callback")
	loc, err := chromedp.Run(b.Ctx, chromedp.Location())
	must(t, err)
	u, err := url.Parse(loc)
	must(t, err)
	if !strings.HasPrefix(loc, cb.URL+"/cb?") || u.Query().Get("code") == "" || u.Query().Get("state") != "browser" {
		t.Errorf("browser ended at %s, want the callback with a code and the state", loc)
	}
	for _, name := range []string{"hosted-login.png", "hosted-mfa.png", "hosted-callback.png"} {
		if fi, err := os.Stat(filepath.Join(b.Dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}
}

// enrolAuthenticator gives ana an authenticator, preferred for MFA, and
// returns its secret.
func enrolAuthenticator(t *testing.T, s *testserver.Server, client string) string {
	ctx := context.Background()
	out, err := s.PasswordAuth(client, "ana", testserver.Password, nil)
	must(t, err)
	tok := out.AuthenticationResult.AccessToken
	as, err := s.Client.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: tok})
	must(t, err)
	code, err := totp.GenerateCodeCustom(aws.ToString(as.SecretCode), s.Clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	must(t, err)
	_, err = s.Client.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String(code)})
	must(t, err)
	_, err = s.Client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: tok,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}})
	must(t, err)
	return aws.ToString(as.SecretCode)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
