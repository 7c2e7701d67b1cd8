package e2e

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate-idp/cognate/internal/testserver"
)

var ticketField = regexp.MustCompile(`name="ticket" value="([^"]+)"`)

// TestHostedTicketBoundToItsUser: the sealed ticket that signs a user in
// after confirming signs in only that user, on that user's confirmation:
// carried into another account's confirmation form it signs in no one.
func TestHostedTicketBoundToItsUser(t *testing.T) {
	e := newHostedEnv(t, signUpPool())
	l := links(newBrowser(t, e.cbURL).get(e.authorizeURL()))
	victim := newBrowser(t, e.cbURL)
	confirm := victim.submit(victim.get(l["signup"]), "username", "victim", "password", testserver.Password, "attr:email", "victim@example.com")
	m := ticketField.FindStringSubmatch(confirm.body)
	if m == nil {
		t.Fatalf("no ticket on the confirmation page:\n%s", confirm.body)
	}
	e.callbackParams(t, victim.submit(confirm, "code", e.s.LastCode(t, e.pool, "victim", "email")))

	attacker := newBrowser(t, e.cbURL)
	other := attacker.submit(attacker.get(l["signup"]), "username", "throwaway", "password", testserver.Password, "attr:email", "t@example.com")
	other.body = ticketField.ReplaceAllString(other.body, `name="ticket" value="`+m[1]+`"`)
	after := attacker.submit(other, "code", e.s.LastCode(t, e.pool, "throwaway", "email"))
	if after.location != "" {
		t.Fatalf("confirming another account with the victim's ticket went to %s", after.location)
	}
	if status, _, _ := e.adminUser("throwaway"); status != "CONFIRMED" {
		t.Errorf("the throwaway account is %s after its own code", status)
	}
}

// TestHostedPasswordPagesForFederatedOnlyClient: a client that signs in
// through an identity provider only offers no way to a password account:
// sign-up and password reset are refused, and nobody reaches its callback.
func TestHostedPasswordPagesForFederatedOnlyClient(t *testing.T) {
	e := newHostedEnv(t, signUpPool())
	ctx := context.Background()
	_, err := e.s.Client.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(e.pool),
		ProviderName: aws.String("Corp"), ProviderType: "OIDC",
		ProviderDetails: map[string]string{"client_id": "x", "client_secret": "y", "attributes_request_method": "GET",
			"oidc_issuer": "https://idp.invalid", "authorize_scopes": "openid",
			"authorize_url": "https://idp.invalid/a", "token_url": "https://idp.invalid/t", "jwks_uri": "https://idp.invalid/j"}})
	noErr(t, err)
	in := oauthClient(e.pool, false, codeFlow, []string{"openid"}, e.cbURL)
	in.SupportedIdentityProviders = []string{"Corp"}
	sso := e.s.AppClient(t, e.pool, in)
	q := "?response_type=code&client_id=" + sso + "&redirect_uri=" + e.cbURL + "&state=s"
	b := newBrowser(t, e.cbURL)
	for _, path := range []string{"/signup", "/forgotPassword"} {
		p := b.get(e.iss + path + q)
		if p.status == 200 && (hasInput(p.body, "password") || hasInput(p.body, "username")) {
			t.Errorf("%s for an SSO-only client shows a form:\n%s", path, p.body)
		}
	}
	if _, _, err := e.adminUser("outsider"); err == nil {
		t.Fatal("an outsider exists before signing up")
	}
}

func hasInput(body, id string) bool {
	return regexp.MustCompile(`<input[^>]* id="` + id + `"`).MatchString(body)
}
