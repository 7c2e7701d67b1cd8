package e2e

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestFederationRequiredAttribute: a first sign-in through a provider
// whose mapping leaves a required attribute of the pool empty reaches the
// client as Cognito's invalid_request "attributes required: [...]" and
// creates no user; once the mapping supplies it, the same identity signs
// in and its user has the mapped value.
func TestFederationRequiredAttribute(t *testing.T) {
	ctx := context.Background()
	f := newFedEnvSchema(t, []types.SchemaAttributeType{{Name: aws.String("given_name"), AttributeDataType: types.AttributeDataTypeString,
		Required: aws.Bool(true), Mutable: aws.Bool(true)}}, nil)
	sub := f.upUser(t, "ana", "eng")
	name := fedProvider + "_" + sub

	cb := f.signIn(t, "ana")
	if cb.Get("code") != "" || cb.Get("error") != "invalid_request" || cb.Get("error_description") != "attributes required: [given_name]" {
		t.Fatalf("a sign-in without the required given_name reached the client with %v, want invalid_request \"attributes required: [given_name]\"", cb)
	}
	if cb.Get("state") != "st-1" {
		t.Errorf("the error redirect carried state %q, want st-1", cb.Get("state"))
	}
	_, err := f.down.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(f.downPool), Username: aws.String(name)})
	var nf *types.UserNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("after the refused sign-in AdminGetUser(%s) answered %v, want UserNotFoundException", name, err)
	}

	_, err = f.down.Client.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: aws.String(f.downPool),
		ProviderName: aws.String(fedProvider), AttributeMapping: map[string]string{"email": "email", "name": "name", "given_name": "name"}})
	noErr(t, err)
	cb = f.signIn(t, "ana")
	if cb.Get("code") == "" {
		t.Fatalf("with given_name mapped the sign-in reached the client with %v, want a code", cb)
	}
	if got := f.down.UserAttrs(t, f.downPool, name)["given_name"]; got != "Upstream ana" {
		t.Errorf("the federated user's given_name is %q, want the upstream name", got)
	}
}

// TestFederationPrompt: the authorize request's prompt values and
// login_hint reach the OIDC provider the browser is sent to, and the provider's answer to
// prompt=none without its own session comes back to the client.
func TestFederationPrompt(t *testing.T) {
	f := newFedEnv(t, nil)
	f.upUser(t, "ana", "eng")
	c := noRedirect(t)
	for _, prompt := range []string{"select_account", "login consent", "none"} {
		resp, err := c.Get(f.authorizeURL("prompt", prompt))
		noErr(t, err)
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		noErr(t, err)
		if loc.Path != "/"+f.upPool+"/oauth2/authorize" || loc.Query().Get("prompt") != prompt {
			t.Errorf("authorize with prompt=%q sent the browser to %s, want the upstream authorize endpoint with the same prompt", prompt, loc)
		}
	}
	// login_hint reaches the provider, whose sign-in form (a Cognate
	// pool's here) starts with it, as the managed login's own does.
	b := newBrowser(t, f.cbURL)
	login := b.get(f.authorizeURL("login_hint", "ana@example.com"))
	if login.url.Path != "/"+f.upPool+"/login" || login.url.Query().Get("login_hint") != "ana@example.com" ||
		!strings.Contains(login.body, `id="username" name="username" value="ana@example.com"`) {
		t.Errorf("authorize with login_hint led to %s:\n%s", login.url, login.body)
	}
	cb := f.callback(t, newBrowser(t, f.cbURL).get(f.authorizeURL("prompt", "none")))
	if cb.Get("error") != "login_required" || cb.Get("state") != "st-1" || cb.Get("code") != "" {
		t.Errorf("prompt=none without an upstream session reached the client with %v, want login_required", cb)
	}
}
