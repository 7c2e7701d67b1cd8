package e2e

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// oauthClient is an app client input allowed to use OAuth flows.
func oauthClient(pool string, secret bool, flows []types.OAuthFlowType, scopes []string, callbacks ...string) *cip.CreateUserPoolClientInput {
	return &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String("oauth"), GenerateSecret: secret,
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: flows, AllowedOAuthScopes: scopes,
		CallbackURLs: callbacks, SupportedIdentityProviders: []string{"COGNITO"},
	}
}

var (
	codeFlow    = []types.OAuthFlowType{types.OAuthFlowTypeCode}
	machineFlow = []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}
)

func TestOAuthClientSettings(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	c := e.s.Client
	_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: aws.String(e.pool), Identifier: aws.String("https://api.example.com"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{scope("read", "Read"), scope("write", "Write")},
	})
	noErr(t, err)

	t.Run("accepted", func(t *testing.T) {
		for name, in := range map[string]*cip.CreateUserPoolClientInput{
			"code with standard scopes":  oauthClient(e.pool, false, codeFlow, []string{"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"}, "https://app.example.com/cb"),
			"implicit on localhost":      oauthClient(e.pool, false, []types.OAuthFlowType{types.OAuthFlowTypeImplicit}, []string{"openid"}, "http://localhost:3000/cb"),
			"loopback literals":          oauthClient(e.pool, false, codeFlow, []string{"openid"}, "http://127.0.0.1:8080/cb", "http://[::1]/cb"),
			"app scheme":                 oauthClient(e.pool, false, codeFlow, []string{"openid"}, "myapp://callback"),
			"client credentials, custom": oauthClient(e.pool, true, machineFlow, []string{"https://api.example.com/read", "https://api.example.com/write"}),
			"custom scope with code":     oauthClient(e.pool, false, codeFlow, []string{"openid", "https://api.example.com/read"}, "https://app.example.com/cb"),
		} {
			t.Run(name, func(t *testing.T) {
				out, err := c.CreateUserPoolClient(ctx, in)
				noErr(t, err)
				got := out.UserPoolClient
				if !reflect.DeepEqual(got.AllowedOAuthScopes, in.AllowedOAuthScopes) || !reflect.DeepEqual(got.AllowedOAuthFlows, in.AllowedOAuthFlows) || !aws.ToBool(got.AllowedOAuthFlowsUserPoolClient) {
					t.Errorf("created %v %v %v, want %v %v true", got.AllowedOAuthScopes, got.AllowedOAuthFlows, got.AllowedOAuthFlowsUserPoolClient, in.AllowedOAuthScopes, in.AllowedOAuthFlows)
				}
			})
		}
	})

	t.Run("refused on create", func(t *testing.T) {
		cases := []struct {
			name string
			in   *cip.CreateUserPoolClientInput
			test func(t *testing.T, err error)
		}{
			{"unknown standard-looking scope", oauthClient(e.pool, false, codeFlow, []string{"openid", "Cognito"}, "https://a.example.com"), func(t *testing.T, err error) {
				testserver.WantError[*types.ScopeDoesNotExistException](t, err, "Invalid scope requested: Cognito")
			}},
			{"unknown custom scope", oauthClient(e.pool, true, machineFlow, []string{"https://api.example.com/admin"}), func(t *testing.T, err error) {
				testserver.WantError[*types.ScopeDoesNotExistException](t, err, "Invalid scope requested: https://api.example.com/admin")
			}},
			{"unknown resource server", oauthClient(e.pool, true, machineFlow, []string{"https://other.example.com/read"}), func(t *testing.T, err error) {
				testserver.WantError[*types.ScopeDoesNotExistException](t, err, "Invalid scope requested: https://other.example.com/read")
			}},
			{"no scopes", oauthClient(e.pool, false, codeFlow, nil, "https://a.example.com"), func(t *testing.T, err error) {
				testserver.WantError[*types.InvalidParameterException](t, err, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.")
			}},
			{"no flows", oauthClient(e.pool, false, nil, []string{"openid"}, "https://a.example.com"), func(t *testing.T, err error) {
				testserver.WantError[*types.InvalidParameterException](t, err, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.")
			}},
			{"client credentials with code", oauthClient(e.pool, true, []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials, types.OAuthFlowTypeCode}, []string{"https://api.example.com/read"}, "https://a.example.com"), func(t *testing.T, err error) {
				testserver.WantError[*types.InvalidOAuthFlowException](t, err, "client_credentials flow can not be selected along with code flow or implicit flow.")
			}},
			{"client credentials without secret", oauthClient(e.pool, false, machineFlow, []string{"https://api.example.com/read"}), func(t *testing.T, err error) {
				testserver.WantError[*types.InvalidOAuthFlowException](t, err, "client_credentials flow can not be selected if client does not have a client secret.")
			}},
			{"client credentials with openid", oauthClient(e.pool, true, machineFlow, []string{"https://api.example.com/read", "openid"}), func(t *testing.T, err error) {
				testserver.WantError[*types.InvalidOAuthFlowException](t, err, "openid is not supported with client_credentials flow")
			}},
			{"code without callback", oauthClient(e.pool, false, codeFlow, []string{"openid"}), func(t *testing.T, err error) {
				testserver.WantError[*types.InvalidOAuthFlowException](t, err, "CallbackUrls can not be empty when code flow or implicit flow is selected")
			}},
			{"http callback", oauthClient(e.pool, false, codeFlow, []string{"openid"}, "http://app.example.com/cb"), func(t *testing.T, err error) {
				testserver.WantError[*types.InvalidParameterException](t, err, "http://app.example.com/cb cannot use the HTTP protocol.")
			}},
			{"http on a LAN address", oauthClient(e.pool, false, codeFlow, []string{"openid"}, "http://192.168.1.50:5001/cb"), func(t *testing.T, err error) {
				testserver.WantError[*types.InvalidParameterException](t, err, "http://192.168.1.50:5001/cb cannot use the HTTP protocol.")
			}},
			{"relative callback", oauthClient(e.pool, false, codeFlow, []string{"openid"}, "/cb"), func(t *testing.T, err error) {
				testserver.WantError[*types.InvalidParameterException](t, err, "/cb is not a valid URL.")
			}},
			{"callback with fragment", oauthClient(e.pool, false, codeFlow, []string{"openid"}, "https://a.example.com/cb#x"), func(t *testing.T, err error) {
				testserver.WantError[*types.InvalidParameterException](t, err, "https://a.example.com/cb#x cannot contain a fragment.")
			}},
			{"http logout URL", func() *cip.CreateUserPoolClientInput {
				in := oauthClient(e.pool, false, codeFlow, []string{"openid"}, "https://a.example.com/cb")
				in.LogoutURLs = []string{"http://a.example.com/bye"}
				return in
			}(), func(t *testing.T, err error) {
				testserver.WantError[*types.InvalidParameterException](t, err, "http://a.example.com/bye cannot use the HTTP protocol.")
			}},
			{"unknown scope on a client not allowed OAuth", &cip.CreateUserPoolClientInput{
				UserPoolId: aws.String(e.pool), ClientName: aws.String("plain"), AllowedOAuthScopes: []string{"nope"},
			}, func(t *testing.T, err error) {
				testserver.WantError[*types.ScopeDoesNotExistException](t, err, "Invalid scope requested: nope")
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := c.CreateUserPoolClient(ctx, tc.in)
				tc.test(t, err)
			})
		}
	})

	t.Run("flows stored but not checked while OAuth is off", func(t *testing.T) {
		in := oauthClient(e.pool, false, []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials, types.OAuthFlowTypeCode}, []string{"openid"})
		in.AllowedOAuthFlowsUserPoolClient = false
		out, err := c.CreateUserPoolClient(ctx, in)
		noErr(t, err)
		if len(out.UserPoolClient.AllowedOAuthFlows) != 2 || aws.ToBool(out.UserPoolClient.AllowedOAuthFlowsUserPoolClient) {
			t.Errorf("created %+v", out.UserPoolClient)
		}
	})

	t.Run("update", func(t *testing.T) {
		id := e.s.AppClient(t, e.pool, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientName: aws.String("later"), GenerateSecret: true})
		update := func(flows []types.OAuthFlowType, scopes []string, callbacks ...string) (*cip.UpdateUserPoolClientOutput, error) {
			return c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
				UserPoolId: aws.String(e.pool), ClientId: aws.String(id), AllowedOAuthFlowsUserPoolClient: true,
				AllowedOAuthFlows: flows, AllowedOAuthScopes: scopes, CallbackURLs: callbacks,
			})
		}
		_, err := update(machineFlow, []string{"https://api.example.com/delete"})
		testserver.WantError[*types.ScopeDoesNotExistException](t, err, "Invalid scope requested: https://api.example.com/delete")
		_, err = update(codeFlow, []string{"openid"}, "http://example.com")
		testserver.WantError[*types.InvalidParameterException](t, err, "http://example.com cannot use the HTTP protocol.")
		_, err = update(codeFlow, []string{"openid"})
		testserver.WantError[*types.InvalidOAuthFlowException](t, err, "CallbackUrls can not be empty when code flow or implicit flow is selected")
		// The client has a secret from its creation, so it may use
		// client_credentials.
		out, err := update(machineFlow, []string{"https://api.example.com/write"})
		noErr(t, err)
		if got := out.UserPoolClient.AllowedOAuthScopes; !reflect.DeepEqual(got, []string{"https://api.example.com/write"}) {
			t.Errorf("scopes %v", got)
		}
		d, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(id)})
		noErr(t, err)
		if got := d.UserPoolClient.AllowedOAuthFlows; !reflect.DeepEqual(got, machineFlow) {
			t.Errorf("described flows %v", got)
		}

		// A public client cannot switch to client_credentials.
		_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId: aws.String(e.pool), ClientId: aws.String(e.client), AllowedOAuthFlowsUserPoolClient: true,
			AllowedOAuthFlows: machineFlow, AllowedOAuthScopes: []string{"https://api.example.com/read"},
		})
		testserver.WantError[*types.InvalidOAuthFlowException](t, err, "client_credentials flow can not be selected if client does not have a client secret.")
	})

	t.Run("deleted scope stays on the client until its next update", func(t *testing.T) {
		_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
			UserPoolId: aws.String(e.pool), Identifier: aws.String("orders"), Name: aws.String("orders"),
			Scopes: []types.ResourceServerScopeType{scope("read", "Read")},
		})
		noErr(t, err)
		id := e.s.AppClient(t, e.pool, oauthClient(e.pool, true, machineFlow, []string{"orders/read"}))
		_, err = c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String("orders")})
		noErr(t, err)
		d, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(id)})
		noErr(t, err)
		if got := d.UserPoolClient.AllowedOAuthScopes; !reflect.DeepEqual(got, []string{"orders/read"}) {
			t.Errorf("scopes after delete %v", got)
		}
		_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId: aws.String(e.pool), ClientId: aws.String(id), AllowedOAuthFlowsUserPoolClient: true,
			AllowedOAuthFlows: machineFlow, AllowedOAuthScopes: d.UserPoolClient.AllowedOAuthScopes,
		})
		testserver.WantError[*types.ScopeDoesNotExistException](t, err, "Invalid scope requested: orders/read")
	})
}
