package e2e

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestFederationInChromium signs in to the downstream pool through the
// upstream provider in headless Chromium: the provider's button on the
// login page, the upstream login page, and back to the client with a
// code. It saves screenshots of the three pages.
func TestFederationInChromium(t *testing.T) {
	b := testserver.NewBrowser(t, "federation-")
	f := newFedEnv(t, nil)
	sub := f.upUser(t, "ana", "eng")

	_, err := f.down.Client.SetUICustomization(context.Background(), &cip.SetUICustomizationInput{UserPoolId: aws.String(f.downPool),
		ClientId: aws.String(f.downClient), CSS: aws.String(".idpButton-customizable { background-color: #ffff00; }")})
	noErr(t, err)

	b.Run("open the login page", chromedp.Navigate(f.authorizeURL("identity_provider", "")), chromedp.WaitVisible("a.idpButton-customizable"))
	b.Shot("login")
	if bg := b.Eval(`getComputedStyle(document.querySelector("a.idpButton-customizable")).backgroundColor`); bg != "rgb(255, 255, 0)" {
		t.Errorf("provider button background %s: the UI customization CSS does not apply", bg)
	}
	b.Run("choose the provider", chromedp.Click("a.idpButton-customizable"), chromedp.WaitVisible("#username"))
	b.Shot("upstream-login")
	if loc := b.Eval("location.href"); !strings.HasPrefix(loc, f.up.URL+"/"+f.upPool+"/login?") {
		t.Fatalf("the provider's button led to %s, want the upstream login page", loc)
	}
	b.Run("sign in upstream", chromedp.SendKeys("#username", "ana"), chromedp.SendKeys("#password", testserver.Password+kb.Enter),
		chromedp.WaitVisible("#done"))
	b.Shot("callback")
	code := f.browserCode(t, b)
	if id := f.tokens(t, code); id["cognito:username"] != fedProvider+"_"+sub || id["custom:team"] != "eng" {
		t.Errorf("ID token %v, want the federated user with its mapped attributes", id)
	}
	for _, name := range []string{"login", "upstream-login", "callback"} {
		if fi, err := os.Stat(filepath.Join(b.Dir, "federation-"+name+".png")); err != nil || fi.Size() == 0 {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}
}

// TestFederationProfileInChromium opens the profile page, which asks to
// sign in, signs in through the upstream provider and ends back on the
// profile page of the federated user.
func TestFederationProfileInChromium(t *testing.T) {
	b := testserver.NewBrowser(t, "federation-profile-")
	f := newFedEnv(t, nil)
	sub := f.upUser(t, "ana", "eng")
	client := f.down.AppClient(t, f.downPool, &cip.CreateUserPoolClientInput{ClientName: aws.String("profile"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "aws.cognito.signin.user.admin"}, SupportedIdentityProviders: []string{"COGNITO", fedProvider},
		CallbackURLs: []string{f.cbURL}})
	q := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {f.cbURL}, "scope": {"openid aws.cognito.signin.user.admin"}}

	b.Run("open the profile page", chromedp.Navigate(f.downIss+"/profile?"+q.Encode()), chromedp.WaitVisible("a.idpButton-customizable"))
	b.Run("sign in through the provider", chromedp.Click("a.idpButton-customizable"), chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", "ana"), chromedp.SendKeys("#password", testserver.Password+kb.Enter), chromedp.WaitVisible("#attributes"))
	b.Shot("page")
	if got := b.Text("#username"); got != fedProvider+"_"+sub {
		t.Errorf("profile of %q, want the federated user", got)
	}
	if loc := b.Eval("location.pathname"); loc != "/"+f.downPool+"/profile" {
		t.Errorf("ended at %s, want the profile page", loc)
	}
}

// browserCode returns the code of the client's callback, where browser b
// must have ended, with the authorize request's state.
func (f *fedEnv) browserCode(t *testing.T, b *testserver.Browser) string {
	t.Helper()
	loc := b.Eval("location.href")
	u, err := url.Parse(loc)
	noErr(t, err)
	if !strings.HasPrefix(loc, f.cbURL+"?") || u.Query().Get("code") == "" || u.Query().Get("state") != "st-1" {
		t.Fatalf("browser ended at %s, want the callback with a code and the state", loc)
	}
	return u.Query().Get("code")
}
