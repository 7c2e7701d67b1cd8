package hosted_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// logoPNG is a w×h PNG of one colour.
func logoPNG(t *testing.T, w, h int, c color.Color) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	must(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// brandedPool is a pool with a prefix domain and two code-flow clients.
func brandedPool(t *testing.T, s *testserver.Server) (pool, web, admin string) {
	ctx := context.Background()
	pool = s.Pool(t, nil)
	_, err := s.Client.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String("branded")})
	must(t, err)
	client := func(name string) string {
		return s.AppClient(t, pool, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String(name),
			AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
			AllowedOAuthScopes: []string{"openid"}, CallbackURLs: []string{"https://app.example.com/cb"}, SupportedIdentityProviders: []string{"COGNITO"}})
	}
	return pool, client("web"), client("admin")
}

func loginURL(s *testserver.Server, pool, client string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {"https://app.example.com/cb"}}
	return s.URL + "/" + pool + "/login?" + q.Encode()
}

// TestUICustomizationInChromium shows the classic hosted UI customization
// on the login page: the pool's CSS and logo for one client, a client's
// own CSS for another, and, once the domain moves to managed login
// (version 2), the client's branding style instead.
func TestUICustomizationInChromium(t *testing.T) {
	b := testserver.NewBrowser(t, "hosted-branding-")
	s := testserver.Start(t)
	ctx := context.Background()
	pool, web, admin := brandedPool(t, s)
	_, err := s.Client.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool),
		CSS:       aws.String(".submitButton-customizable{background-color:rgb(200, 30, 30)} .background-customizable{background-color:rgb(250, 240, 200)}"),
		ImageFile: logoPNG(t, 120, 40, color.RGBA{R: 20, G: 120, B: 20, A: 255})})
	must(t, err)
	_, err = s.Client.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), ClientId: aws.String(admin),
		CSS: aws.String(".submitButton-customizable{background-color:rgb(20, 20, 160)}")})
	must(t, err)

	button := `getComputedStyle(document.querySelector(".submitButton-customizable")).backgroundColor`
	b.Run("open web's login page", chromedp.Navigate(loginURL(s, pool, web)), chromedp.WaitVisible("#username"))
	b.Shot("classic")
	if got := b.Eval(button); got != "rgb(200, 30, 30)" {
		t.Errorf("web's button is %s, want the pool's rgb(200, 30, 30)", got)
	}
	if got := b.Eval(`getComputedStyle(document.body).backgroundColor`); got != "rgb(250, 240, 200)" {
		t.Errorf("page background is %s, want the pool's rgb(250, 240, 200)", got)
	}
	if got := b.Eval(`String(document.querySelector("#logo").naturalWidth)`); got != "120" {
		t.Errorf("the logo's width is %s, want 120: the image did not load", got)
	}

	b.Run("open admin's login page", chromedp.Navigate(loginURL(s, pool, admin)), chromedp.WaitVisible("#username"))
	b.Shot("classic-client")
	if got := b.Eval(button); got != "rgb(20, 20, 160)" {
		t.Errorf("admin's button is %s, want its own rgb(20, 20, 160)", got)
	}
	if got := b.Eval(`String(document.querySelector("#logo") === null)`); got != "true" {
		t.Error("admin's page shows the pool's logo; its own customization has none")
	}

	// Managed login: the domain's version picks the branding style.
	_, err = s.Client.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String("branded"),
		ManagedLoginVersion: aws.Int32(2)})
	must(t, err)
	settings := map[string]any{
		"categories": map[string]any{"global": map[string]any{"colorSchemeMode": "LIGHT"}},
		"components": map[string]any{
			"primaryButton":  map[string]any{"lightMode": map[string]any{"defaults": map[string]any{"backgroundColor": "00aa00ff", "textColor": "000000ff"}}},
			"pageBackground": map[string]any{"lightMode": map[string]any{"color": "e0e0ffff"}},
		},
		"componentClasses": map[string]any{"buttons": map[string]any{"borderRadius": 16}},
	}
	_, err = s.Client.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: aws.String(pool), ClientId: aws.String(web),
		Settings: document.NewLazyDocument(settings),
		Assets: []types.AssetType{{Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeLight,
			Extension: types.AssetExtensionTypePng, Bytes: logoPNG(t, 64, 64, color.RGBA{B: 200, A: 255})}}})
	must(t, err)
	b.Run("open web's managed login page", chromedp.Navigate(loginURL(s, pool, web)), chromedp.WaitVisible("#username"))
	b.Shot("managed-login")
	if got := b.Eval(button); got != "rgb(0, 170, 0)" {
		t.Errorf("web's managed login button is %s, want the branding's rgb(0, 170, 0)", got)
	}
	if got := b.Eval(`getComputedStyle(document.querySelector(".submitButton-customizable")).borderTopLeftRadius`); got != "16px" {
		t.Errorf("button radius is %s, want the branding's 16px", got)
	}
	if got := b.Eval(`getComputedStyle(document.body).backgroundColor`); got != "rgb(224, 224, 255)" {
		t.Errorf("page background is %s, want the branding's rgb(224, 224, 255)", got)
	}
	if got := b.Eval(`String(document.querySelector("#logo").naturalWidth)`); got != "64" {
		t.Errorf("the form logo's width is %s, want 64", got)
	}
	// admin has no branding style: Cognito's look, and no classic CSS.
	b.Run("open admin's managed login page", chromedp.Navigate(loginURL(s, pool, admin)), chromedp.WaitVisible("#username"))
	if got := b.Eval(button); got != "rgb(9, 114, 211)" {
		t.Errorf("admin's managed login button is %s, want the default rgb(9, 114, 211)", got)
	}
}

// TestUICustomizationCannotLeaveStyle: a stylesheet that tries to close
// its <style> element reaches the page escaped, as CSS, not as markup.
func TestUICustomizationCannotLeaveStyle(t *testing.T) {
	s := testserver.Start(t)
	ctx := context.Background()
	pool, web, _ := brandedPool(t, s)
	_, err := s.Client.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool),
		CSS: aws.String(`.label-customizable{font-family:"</style><h2 id=injected>x</h2>"}`)})
	must(t, err)
	res, err := http.Get(loginURL(s, pool, web))
	must(t, err)
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	must(t, err)
	page := string(body)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="customization"`) {
		t.Fatalf("status %d, customization missing:\n%s", res.StatusCode, page)
	}
	if strings.Contains(page, "</style><h2") {
		t.Errorf("the stylesheet closed its element:\n%s", page)
	}
	if !strings.Contains(page, `\3c /style>`) {
		t.Errorf("the stylesheet's < is not escaped:\n%s", page)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src data:") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
}

// TestUICustomizationImageURL: the ImageUrl of a customization serves its
// logo until the customization changes.
func TestUICustomizationImageURL(t *testing.T) {
	s := testserver.Start(t)
	ctx := context.Background()
	pool, web, _ := brandedPool(t, s)
	logo := logoPNG(t, 8, 8, color.RGBA{R: 255, A: 255})
	set, err := s.Client.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), ClientId: aws.String(web), ImageFile: logo})
	must(t, err)
	imageURL := aws.ToString(set.UICustomization.ImageUrl)
	if !strings.HasPrefix(imageURL, s.URL+"/ui-customization/"+pool+"/"+web+"/") {
		t.Fatalf("ImageUrl %q", imageURL)
	}
	fetch := func(u string) (int, string, []byte) {
		res, err := http.Get(u)
		must(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		must(t, err)
		return res.StatusCode, res.Header.Get("Content-Type"), body
	}
	if status, ct, body := fetch(imageURL); status != http.StatusOK || ct != "image/png" || !bytes.Equal(body, logo) {
		t.Errorf("GET ImageUrl: %d %s, %d bytes (want the %d-byte logo)", status, ct, len(body), len(logo))
	}
	if status, _, _ := fetch(strings.Replace(imageURL, "image.png", "image.jpg", 1)); status != http.StatusNotFound {
		t.Errorf("the logo under another name: %d, want 404", status)
	}
	s.Clock.Advance(2 * time.Second)
	_, err = s.Client.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(pool), ClientId: aws.String(web), ImageFile: logoPNG(t, 9, 9, color.Black)})
	must(t, err)
	if status, _, _ := fetch(imageURL); status != http.StatusNotFound {
		t.Errorf("the old version's ImageUrl: %d, want 404", status)
	}
}

// TestTermsOnSignUp: with managed login, the sign-up page links to the
// client's terms of use and privacy policy; the classic hosted UI does
// not show them.
func TestTermsOnSignUp(t *testing.T) {
	s := testserver.Start(t)
	ctx := context.Background()
	pool, web, _ := brandedPool(t, s)
	for name, link := range map[string]string{"terms-of-use": "https://example.com/terms", "privacy-policy": "https://example.com/privacy"} {
		_, err := s.Client.CreateTerms(ctx, &cip.CreateTermsInput{UserPoolId: aws.String(pool), ClientId: aws.String(web), TermsName: aws.String(name),
			TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone, Links: map[string]string{"cognito:default": link}})
		must(t, err)
	}
	signUp := strings.Replace(loginURL(s, pool, web), "/login?", "/signup?", 1)
	page := func() string {
		res, err := http.Get(signUp)
		must(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		must(t, err)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("sign-up page: %d\n%s", res.StatusCode, body)
		}
		return string(body)
	}
	if strings.Contains(page(), `id="terms"`) {
		t.Error("the classic hosted UI shows terms")
	}
	_, err := s.Client.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String("branded"),
		ManagedLoginVersion: aws.Int32(2)})
	must(t, err)
	body := page()
	for _, want := range []string{`<a class="redirect-customizable" href="https://example.com/terms">Terms of use</a>`,
		`<a class="redirect-customizable" href="https://example.com/privacy">Privacy policy</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the managed login sign-up page lacks %s:\n%s", want, body)
		}
	}
}
