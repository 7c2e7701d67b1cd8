package e2e

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestFederationInChromium signs in to the downstream pool through the
// upstream provider in headless Chromium: the provider's button on the
// login page, the upstream login page, and back to the client with a
// code. It saves screenshots of the three pages.
func TestFederationInChromium(t *testing.T) {
	chromium := testserver.Chromium(t)
	artifacts := testserver.Artifacts(t)
	f := newFedEnv(t, nil)
	sub := f.upUser(t, "ana", "eng")

	ectx, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox)...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(ectx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err == nil {
				err = os.WriteFile(filepath.Join(artifacts, name), png, 0o644)
			}
			return chromedp.Void{}, err
		}
	}
	err := chromedp.Do(tctx,
		chromedp.Navigate(f.authorizeURL("identity_provider", "")),
		chromedp.WaitVisible("a.idpButton-customizable"),
		shot("federation-login.png"),
		chromedp.Click("a.idpButton-customizable"),
		chromedp.WaitVisible("#username"),
		shot("federation-upstream-login.png"),
	)
	noErr(t, err)
	loc, err := chromedp.Run(tctx, chromedp.Location())
	noErr(t, err)
	if !strings.HasPrefix(loc, f.up.URL+"/"+f.upPool+"/login?") {
		t.Fatalf("the provider's button led to %s, want the upstream login page", loc)
	}
	err = chromedp.Do(tctx,
		chromedp.SendKeys("#username", "ana"),
		chromedp.SendKeys("#password", testserver.Password+kb.Enter),
		chromedp.WaitVisible("#done"),
		shot("federation-callback.png"),
	)
	noErr(t, err)
	loc, err = chromedp.Run(tctx, chromedp.Location())
	noErr(t, err)
	u, err := url.Parse(loc)
	noErr(t, err)
	if !strings.HasPrefix(loc, f.cbURL+"?") || u.Query().Get("code") == "" || u.Query().Get("state") != "st-1" {
		t.Fatalf("browser ended at %s, want the callback with a code and the state", loc)
	}
	if id := f.tokens(t, u.Query().Get("code")); id["cognito:username"] != fedProvider+"_"+sub || id["custom:team"] != "eng" {
		t.Errorf("ID token %v, want the federated user with its mapped attributes", id)
	}
	for _, name := range []string{"federation-login.png", "federation-upstream-login.png", "federation-callback.png"} {
		if fi, err := os.Stat(filepath.Join(artifacts, name)); err != nil || fi.Size() == 0 {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}
	t.Logf("screenshots in %s", artifacts)
}
