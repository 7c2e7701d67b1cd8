package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

// TestFederationOIDC signs in to one server through another one acting
// as the upstream OIDC provider, with a browser that keeps cookies.
func TestFederationOIDC(t *testing.T) {
	f := newFedEnv(t, nil)
	ctx := context.Background()
	anaSub := f.upUser(t, "ana", "eng")
	fedName := fedProvider + "_" + anaSub

	t.Run("the first sign-in creates the federated user", func(t *testing.T) {
		cb := f.signIn(t, "ana")
		if cb.Get("code") == "" || cb.Get("state") != "st-1" {
			t.Fatalf("callback %v, want a code and the state", cb)
		}
		id := f.tokens(t, cb.Get("code"))
		wantEntries(t, "ID token", id, map[string]any{"cognito:username": fedName, "email": "ana@example.com",
			"name": "Upstream ana", "custom:team": "eng", "token_use": "id"})
		ids, _ := id["identities"].([]any)
		if len(ids) != 1 {
			t.Fatalf("identities claim %#v, want one identity", id["identities"])
		}
		wantEntries(t, "identity", ids[0].(map[string]any), map[string]any{"userId": anaSub, "providerName": fedProvider,
			"providerType": "OIDC", "primary": "true"})
		if _, ok := ids[0].(map[string]any)["issuer"]; !ok {
			t.Errorf("identity %v has no issuer", ids[0])
		}

		out, err := f.down.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(f.downPool), Username: aws.String(fedName)})
		noErr(t, err)
		attrs := testserver.Attrs(out.UserAttributes)
		if out.UserStatus != types.UserStatusTypeExternalProvider || !out.Enabled {
			t.Errorf("status %s enabled %v, want EXTERNAL_PROVIDER and enabled", out.UserStatus, out.Enabled)
		}
		wantEntries(t, "attributes", attrs, map[string]string{"email": "ana@example.com", "custom:team": "eng", "name": "Upstream ana"})
		var stored []map[string]any
		noErr(t, json.Unmarshal([]byte(attrs["identities"]), &stored))
		if len(stored) != 1 || stored[0]["userId"] != anaSub || stored[0]["providerName"] != fedProvider || stored[0]["primary"] != true {
			t.Errorf("identities attribute %s", attrs["identities"])
		}
		if attrs["sub"] == anaSub {
			t.Error("the federated user has the upstream user's sub")
		}
	})

	t.Run("the federated user has no password", func(t *testing.T) {
		for _, pw := range []string{testserver.Password, ""} {
			_, err := f.down.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(f.downPool), ClientId: aws.String(f.downClient),
				AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": fedName, "PASSWORD": pw}})
			var na *types.NotAuthorizedException
			var ip *types.InvalidParameterException
			if !errors.As(err, &na) && !errors.As(err, &ip) {
				t.Errorf("password sign-in with %q: %v, want NotAuthorizedException or InvalidParameterException", pw, err)
			}
		}
	})

	t.Run("a later sign-in updates the mapped attributes", func(t *testing.T) {
		_, err := f.up.Client.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(f.upPool),
			Username: aws.String("ana"), UserAttributes: testserver.AttrList("custom:dept", "ops")})
		noErr(t, err)
		id := f.tokens(t, f.signIn(t, "ana").Get("code"))
		if id["custom:team"] != "ops" || id["cognito:username"] != fedName {
			t.Errorf("ID token %v, want custom:team ops for %s", id, fedName)
		}
		if got := f.down.UserAttrs(t, f.downPool, fedName)["custom:team"]; got != "ops" {
			t.Errorf("custom:team = %q after the second sign-in, want ops", got)
		}
	})

	t.Run("a linked native user signs in as itself", func(t *testing.T) {
		bobSub := f.upUser(t, "bob", "sales")
		f.down.User(t, f.downPool, "robert", "email", "robert@example.com")
		_, err := f.down.Client.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{UserPoolId: aws.String(f.downPool),
			DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("robert")},
			SourceUser: &types.ProviderUserIdentifierType{ProviderName: aws.String(fedProvider), ProviderAttributeName: aws.String("Cognito_Subject"),
				ProviderAttributeValue: aws.String(bobSub)}})
		noErr(t, err)
		id := f.tokens(t, f.signIn(t, "bob").Get("code"))
		if id["cognito:username"] != "robert" || id["email"] != "robert@example.com" {
			t.Errorf("ID token %v, want robert's", id)
		}
		if _, err := f.down.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(f.downPool),
			Username: aws.String(fedProvider + "_" + bobSub)}); err == nil {
			t.Error("a federated user was created for a linked identity")
		}
	})

	t.Run("a disabled provider identity is refused", func(t *testing.T) {
		_, err := f.down.Client.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: aws.String(f.downPool),
			User: &types.ProviderUserIdentifierType{ProviderName: aws.String(fedProvider), ProviderAttributeName: aws.String("Cognito_Subject"),
				ProviderAttributeValue: aws.String(anaSub)}})
		noErr(t, err)
		cb := f.signIn(t, "ana")
		if cb.Get("error") != "invalid_request" || cb.Get("error_description") != "User is disabled." || cb.Get("code") != "" || cb.Get("state") != "st-1" {
			t.Errorf("callback %v, want invalid_request: User is disabled.", cb)
		}
	})

	t.Run("a tampered state is refused", func(t *testing.T) {
		c := noRedirect(t)
		st := f.upstreamState(t, c)
		for name, bad := range map[string]string{"tampered": st[:len(st)-2] + flip(st[len(st)-2:]), "absent": "", "garbage": "abc"} {
			status, loc, body := f.idpResponse(t, c, url.Values{"code": {"x"}, "state": {bad}})
			if status != http.StatusBadRequest || loc != "" || !strings.Contains(body, "An error was encountered") {
				t.Errorf("%s state: %d %q %s", name, status, loc, body)
			}
		}
	})

	t.Run("a state from another browser is refused", func(t *testing.T) {
		st := f.upstreamState(t, noRedirect(t))
		status, loc, body := f.idpResponse(t, noRedirect(t), url.Values{"error": {"access_denied"}, "state": {st}})
		if status != http.StatusBadRequest || loc != "" || !strings.Contains(body, "An error was encountered") {
			t.Errorf("state in another browser: %d %q %s", status, loc, body)
		}
	})

	t.Run("the provider's access_denied reaches the client", func(t *testing.T) {
		c := noRedirect(t)
		status, loc, _ := f.idpResponse(t, c, url.Values{"error": {"access_denied"}, "error_description": {"The user said no"}, "state": {f.upstreamState(t, c)}})
		cb := f.callback(t, page{status: status, location: loc})
		if cb.Get("error") != "access_denied" || cb.Get("error_description") != "The user said no" || cb.Get("state") != "st-1" {
			t.Errorf("callback %v, want access_denied with the state", cb)
		}
	})

	t.Run("a code the provider refuses ends in server_error", func(t *testing.T) {
		c := noRedirect(t)
		status, loc, _ := f.idpResponse(t, c, url.Values{"code": {"not-a-code"}, "state": {f.upstreamState(t, c)}})
		cb := f.callback(t, page{status: status, location: loc})
		if cb.Get("error") != "server_error" || cb.Get("state") != "st-1" {
			t.Errorf("callback %v, want server_error with the state", cb)
		}
	})
}

// withAction is p with its form posting to action.
func withAction(p page, action string) page {
	p.body = formAction.ReplaceAllString(p.body, `<form method="post" action="`+html.EscapeString(action)+`"`)
	return p
}

// flip changes every character of s.
func flip(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}

// TestFederationAuthorize covers the authorize endpoint's choice of
// provider: the login page's buttons, idp_identifier, providers the
// client does not support and the type Cognate does not federate
// (SAML).
func TestFederationAuthorize(t *testing.T) {
	f := newFedEnv(t, nil)
	ctx := context.Background()

	t.Run("the login page has a button per provider beside the password form", func(t *testing.T) {
		p := newBrowser(t, f.cbURL).get(f.authorizeURL("identity_provider", ""))
		if p.status != 200 || !strings.Contains(p.body, `class="idpButton-customizable"`) || !strings.Contains(p.body, "identity_provider="+fedProvider) ||
			!strings.Contains(p.body, `id="password"`) || !strings.Contains(p.body, "idpDescription-customizable") {
			t.Errorf("login page %d: %s", p.status, p.body)
		}
	})

	t.Run("a client without COGNITO shows no password form", func(t *testing.T) {
		only := f.down.AppClient(t, f.downPool, &cip.CreateUserPoolClientInput{ClientName: aws.String("federated only"),
			AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
			AllowedOAuthScopes: []string{"openid"}, SupportedIdentityProviders: []string{fedProvider}, CallbackURLs: []string{f.cbURL}})
		b := newBrowser(t, f.cbURL)
		p := b.get(f.authorizeURL("identity_provider", "", "client_id", only, "scope", "openid"))
		if p.status != 200 || strings.Contains(p.body, `name="password"`) || !strings.Contains(p.body, "idpButton-customizable") {
			t.Errorf("login page %d: %s", p.status, p.body)
		}
		// A password posted anyway, with a form token of this browser, is refused.
		f.down.User(t, f.downPool, "carol")
		form := withAction(b.get(f.authorizeURL("identity_provider", "")), f.downIss+"/login?"+url.Values{"response_type": {"code"},
			"client_id": {only}, "redirect_uri": {f.cbURL}, "state": {"st-1"}, "scope": {"openid"}}.Encode())
		got := b.submit(form, "username", "carol", "password", testserver.Password)
		if got.location != "" || !strings.Contains(got.body, "identity provider only") {
			t.Errorf("password sign-in for a federated-only client: %d %q %s", got.status, got.location, got.body)
		}
	})

	t.Run("idp_identifier names the provider", func(t *testing.T) {
		resp, err := noRedirect(t).Get(f.authorizeURL("identity_provider", "", "idp_identifier", "corp.example"))
		noErr(t, err)
		resp.Body.Close()
		loc := mustURL(t, resp.Header.Get("Location"))
		q := loc.Query()
		if resp.StatusCode != http.StatusFound || loc.Host != mustURL(t, f.up.URL).Host || q.Get("client_id") != f.upClient ||
			q.Get("redirect_uri") != f.downIss+"/oauth2/idpresponse" || q.Get("scope") != "openid email profile" ||
			q.Get("response_type") != "code" || q.Get("nonce") == "" || q.Get("state") == "" {
			t.Errorf("authorize answered %d to %s", resp.StatusCode, loc)
		}
	})

	t.Run("a provider the client does not support is refused", func(t *testing.T) {
		_, err := f.down.Client.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(f.downPool),
			ProviderName: aws.String("Other"), ProviderType: types.IdentityProviderTypeTypeOidc,
			ProviderDetails: map[string]string{"client_id": "c", "attributes_request_method": "GET", "oidc_issuer": "https://idp.example", "authorize_scopes": "openid"}})
		noErr(t, err)
		cb := f.callback(t, newBrowser(t, f.cbURL).get(f.authorizeURL("identity_provider", "Other")))
		if cb.Get("error") != "invalid_request" || cb.Get("state") != "st-1" {
			t.Errorf("callback %v, want invalid_request", cb)
		}
	})

	t.Run("a SAML provider is not supported", func(t *testing.T) {
		_, err := f.down.Client.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(f.downPool),
			ProviderName: aws.String("Corp"), ProviderType: types.IdentityProviderTypeTypeSaml,
			ProviderDetails: map[string]string{"MetadataURL": "https://idp.example/metadata"}})
		noErr(t, err)
		_, err = f.down.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(f.downPool), ClientId: aws.String(f.downClient),
			AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
			AllowedOAuthScopes: []string{"openid", "email", "profile"}, SupportedIdentityProviders: []string{"COGNITO", fedProvider, "Corp"},
			CallbackURLs: []string{f.cbURL}})
		noErr(t, err)
		p := newBrowser(t, f.cbURL).get(f.authorizeURL("identity_provider", "Corp"))
		if p.status != http.StatusBadRequest || p.location != "" || !strings.Contains(p.body, "SAML") {
			t.Errorf("SAML authorize %d %q: %s", p.status, p.location, p.body)
		}
	})
}

// TestFederationTriggers checks the triggers of federated sign-ins:
// PreSignUp_ExternalProvider and PostConfirmation on the first one only,
// the authentication triggers and TokenGeneration_HostedAuth on each, and
// a PreSignUp refusal reaching the client.
func TestFederationTriggers(t *testing.T) {
	fake := lambdafake.New()
	t.Cleanup(fake.Close)
	f := newFedEnv(t, &types.LambdaConfigType{PreSignUp: aws.String(fnPreSignUp), PostConfirmation: aws.String(fnPostConfirm),
		PreAuthentication: aws.String(fnPreAuth), PostAuthentication: aws.String(fnPostAuth), PreTokenGeneration: aws.String(fnPreToken)},
		testserver.WithLambdaEndpoint(fake.URL))
	env := &env{s: f.down, fake: fake, pool: f.downPool, client: f.downClient}
	anaSub := f.upUser(t, "ana", "eng")
	bobSub := f.upUser(t, "bob", "sales")
	fake.Handle(fnPreSignUp, func(ev []byte) (int, http.Header, []byte) {
		if strings.Contains(string(ev), bobSub) {
			return lambdafake.FunctionError("Error", "bob may not sign up")(ev)
		}
		return echoResponse(`{"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false}`)(ev)
	})
	for _, fn := range []string{fnPostConfirm, fnPreAuth, fnPostAuth, fnPreToken} {
		fake.Handle(fn, lambdafake.Echo(nil))
	}
	fedName := fedProvider + "_" + anaSub

	for i := range 2 {
		if cb := f.signIn(t, "ana"); cb.Get("code") == "" {
			t.Fatalf("sign-in %d: callback %v", i+1, cb)
		} else {
			f.tokens(t, cb.Get("code"))
		}
	}
	pre := env.events(t, fnPreSignUp)
	if len(pre) != 1 || pre[0]["triggerSource"] != "PreSignUp_ExternalProvider" || pre[0]["userName"] != fedName {
		t.Fatalf("PreSignUp events %v, want one PreSignUp_ExternalProvider for %s", pre, fedName)
	}
	req := pre[0]["request"].(map[string]any)
	wantEntries(t, "PreSignUp attributes", req["userAttributes"].(map[string]any), map[string]any{"email": "ana@example.com", "custom:team": "eng"})
	if cc := pre[0]["callerContext"].(map[string]any); cc["clientId"] != f.downClient {
		t.Errorf("PreSignUp callerContext %v", cc)
	}
	if got := f.down.UserAttrs(t, f.downPool, fedName)["email_verified"]; got != "true" {
		t.Errorf("email_verified = %q, want true from autoVerifyEmail", got)
	}
	for fn, want := range map[string][]string{
		fnPostConfirm: {"PostConfirmation_ConfirmSignUp"},
		fnPreAuth:     {"PreAuthentication_Authentication", "PreAuthentication_Authentication"},
		fnPostAuth:    {"PostAuthentication_Authentication", "PostAuthentication_Authentication"},
		fnPreToken:    {"TokenGeneration_HostedAuth", "TokenGeneration_HostedAuth"},
	} {
		var got []string
		for _, ev := range env.events(t, fn) {
			got = append(got, ev["triggerSource"].(string))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s events %v, want %v", fn, got, want)
		}
	}

	cb := f.signIn(t, "bob")
	if cb.Get("error") != "invalid_request" || cb.Get("error_description") != "PreSignUp failed with error bob may not sign up." || cb.Get("state") != "st-1" {
		t.Errorf("refused sign-up: callback %v", cb)
	}
	if _, _, err := env.adminUser(fedProvider + "_" + bobSub); err == nil {
		t.Error("the refused federated user was created")
	}
}

// TestFederationConfiguredEndpoints uses providers whose ProviderDetails
// name the endpoints instead of leaving them to discovery: one reads
// userInfo by POST, one names an issuer the ID tokens do not have.
func TestFederationConfiguredEndpoints(t *testing.T) {
	f := newFedEnv(t, nil)
	ctx := context.Background()
	sub := f.upUser(t, "ana", "eng")
	upIss := f.up.URL + "/" + f.upPool
	desc, err := f.up.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(f.upPool), ClientId: aws.String(f.upClient)})
	noErr(t, err)
	for name, issuer := range map[string]string{"Direct": upIss, "WrongIssuer": "http://issuer.invalid/pool"} {
		_, err := f.down.Client.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String(f.downPool),
			ProviderName: aws.String(name), ProviderType: types.IdentityProviderTypeTypeOidc,
			ProviderDetails: map[string]string{"client_id": f.upClient, "client_secret": aws.ToString(desc.UserPoolClient.ClientSecret),
				"attributes_request_method": "POST", "oidc_issuer": issuer, "authorize_scopes": "openid email profile",
				"authorize_url": upIss + "/oauth2/authorize", "token_url": upIss + "/oauth2/token",
				"attributes_url": upIss + "/oauth2/userInfo", "jwks_uri": upIss + "/.well-known/jwks.json"},
			AttributeMapping: map[string]string{"email": "email", "custom:team": "custom:dept"}})
		noErr(t, err)
	}
	_, err = f.down.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(f.downPool), ClientId: aws.String(f.downClient),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, SupportedIdentityProviders: []string{"COGNITO", "Direct", "WrongIssuer"},
		CallbackURLs: []string{f.cbURL}})
	noErr(t, err)
	signIn := func(provider string) url.Values {
		b := newBrowser(t, f.cbURL)
		login := b.get(f.authorizeURL("identity_provider", provider))
		if login.url.Path != "/"+f.upPool+"/login" {
			t.Fatalf("authorize through %s led to %s (%d)", provider, login.url, login.status)
		}
		return f.callback(t, b.submit(login, "username", "ana", "password", testserver.Password))
	}

	t.Run("configured endpoints and userInfo by POST", func(t *testing.T) {
		id := f.tokens(t, signIn("Direct").Get("code"))
		if id["cognito:username"] != "Direct_"+sub || id["email"] != "ana@example.com" || id["custom:team"] != "eng" {
			t.Errorf("ID token %v", id)
		}
	})
	t.Run("an ID token of another issuer is refused", func(t *testing.T) {
		cb := signIn("WrongIssuer")
		if cb.Get("error") != "server_error" || cb.Get("code") != "" || cb.Get("state") != "st-1" {
			t.Errorf("callback %v, want server_error", cb)
		}
		if _, _, err := (&env{s: f.down, pool: f.downPool}).adminUser("WrongIssuer_" + sub); err == nil {
			t.Error("a user was created from a refused ID token")
		}
	})
	t.Run("an unknown idp_identifier is refused", func(t *testing.T) {
		cb := f.callback(t, newBrowser(t, f.cbURL).get(f.authorizeURL("identity_provider", "", "idp_identifier", "nobody.example")))
		if cb.Get("error") != "invalid_request" || cb.Get("state") != "st-1" {
			t.Errorf("callback %v, want invalid_request", cb)
		}
	})
}
