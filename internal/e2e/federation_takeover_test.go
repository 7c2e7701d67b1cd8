package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestFederationNameSquatting: a native user who signs up with the name a
// provider identity's federated user would get (<provider>_<sub>) does
// not receive that identity's sign-ins, and keeps its own attributes.
func TestFederationNameSquatting(t *testing.T) {
	f := newFedEnv(t, nil)
	ctx := context.Background()
	anaSub := f.upUser(t, "ana", "eng")
	squat := fedProvider + "_" + anaSub
	_, err := f.down.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(f.downClient), Username: aws.String(squat),
		Password: aws.String(testserver.Password), UserAttributes: testserver.AttrList("email", "mallory@example.com")})
	noErr(t, err)
	_, err = f.down.Client.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(f.downPool), Username: aws.String(squat)})
	noErr(t, err)

	b := newBrowser(t, f.cbURL)
	login := b.get(f.authorizeURL())
	cb := f.callback(t, b.submit(login, "username", "ana", "password", testserver.Password))
	if cb.Get("code") != "" || cb.Get("error") != "invalid_request" {
		t.Fatalf("ana's sign-in through the provider with her name taken reached the client with %v, want invalid_request", cb)
	}
	if got := f.down.UserAttrs(t, f.downPool, squat)["email"]; got != "mallory@example.com" {
		t.Errorf("the native user's email became %q", got)
	}
}

// TestFederationPublicOnly: a server configured to reach identity
// providers at public addresses only refuses a provider on loopback: the
// sign-in ends at the client's callback with server_error and creates no
// user, where the same provider works for a server without the setting.
func TestFederationPublicOnly(t *testing.T) {
	f := newFedEnv(t, nil, testserver.WithConfig(func(c *config.Config) { c.Federation.PublicOnly = true }))
	f.upUser(t, "ana", "eng")
	cb := f.callback(t, newBrowser(t, f.cbURL).get(f.authorizeURL()))
	if cb.Get("error") != "server_error" || cb.Get("code") != "" || cb.Get("state") != "st-1" {
		t.Fatalf("authorize through a loopback provider with publicOnly reached the client with %v, want server_error", cb)
	}
	open := newFedEnv(t, nil)
	open.upUser(t, "ana", "eng")
	if cb := open.signIn(t, "ana"); cb.Get("code") == "" {
		t.Fatalf("without publicOnly the same provider answered %v", cb)
	}
}
