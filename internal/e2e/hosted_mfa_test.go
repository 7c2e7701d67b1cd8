package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestHostedChallenges signs in on the hosted pages through an
// authenticator code and a forced password change.
func TestHostedChallenges(t *testing.T) {
	e := newHostedEnv(t, nil)
	ctx := context.Background()
	_, err := e.s.Client.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool),
		MfaConfiguration: types.UserPoolMfaTypeOptional, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	noErr(t, err)

	t.Run("authenticator code", func(t *testing.T) {
		e.s.User(t, e.pool, "ana")
		tok := e.s.SignIn(t, e.client, "ana")
		secret := e.enrolTOTP(t, *tok.AccessToken)
		_, err := e.s.Client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: tok.AccessToken,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}})
		noErr(t, err)
		nextStep(e.s)
		b := newBrowser(t, e.cbURL)
		mfa := b.submit(b.get(e.authorizeURL()), "username", "ana", "password", testserver.Password)
		if mfa.location != "" || !strings.Contains(mfa.body, `id="code"`) {
			t.Fatalf("after the password: %d %q %s", mfa.status, mfa.location, mfa.body)
		}
		wrong := b.submit(mfa, "code", "000000")
		if !strings.Contains(wrong.body, `role="alert"`) || !strings.Contains(wrong.body, `name="code"`) {
			t.Fatalf("a wrong code: %s", wrong.body)
		}
		cb := e.callbackParams(t, b.submit(wrong, "code", totpCode(t, e.s, secret)))
		if cb.Get("code") == "" {
			t.Fatalf("callback %v", cb)
		}
	})

	t.Run("new password required", func(t *testing.T) {
		e.s.TempUser(t, e.pool, "bo", "Temp-Passw0rd!")
		b := newBrowser(t, e.cbURL)
		np := b.submit(b.get(e.authorizeURL()), "username", "bo", "password", "Temp-Passw0rd!")
		if !strings.Contains(np.body, `id="new_password"`) {
			t.Fatalf("after the temporary password: %d %s", np.status, np.body)
		}
		cb := e.callbackParams(t, b.submit(np, "new_password", "Brand-New-Passw0rd!"))
		if cb.Get("code") == "" {
			t.Fatalf("callback %v", cb)
		}
		if _, err := e.s.PasswordAuth(e.client, "bo", "Brand-New-Passw0rd!", nil); err != nil {
			t.Errorf("the new password does not sign in: %v", err)
		}
	})

	t.Run("wrong password stays on the page", func(t *testing.T) {
		b := newBrowser(t, e.cbURL)
		p := b.submit(b.get(e.authorizeURL()), "username", "ana", "password", "wrong")
		if p.location != "" || !strings.Contains(p.body, "Incorrect username or password.") {
			t.Errorf("wrong password: %d %q %s", p.status, p.location, p.body)
		}
	})

	t.Run("a form without its CSRF token is refused", func(t *testing.T) {
		b := newBrowser(t, e.cbURL)
		login := b.get(e.authorizeURL())
		for name, token := range map[string]string{"none": "", "forged": "x"} {
			form := url.Values{"step": {"signin"}, "username": {"ana"}, "password": {testserver.Password}, "_csrf": {token}}
			req, err := http.NewRequest("POST", login.url.String(), strings.NewReader(form.Encode()))
			noErr(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if p := b.do(req); p.status != 403 || p.location != "" {
				t.Errorf("%s token: %d %q", name, p.status, p.location)
			}
		}
		// Another browser's token does not fit this browser's cookie.
		other := newBrowser(t, e.cbURL).get(e.authorizeURL())
		other.url = login.url
		if p := b.submit(other, "username", "ana", "password", testserver.Password); p.status != 403 {
			t.Errorf("another browser's token: %d %q", p.status, p.location)
		}
	})
}
