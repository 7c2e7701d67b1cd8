package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

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
