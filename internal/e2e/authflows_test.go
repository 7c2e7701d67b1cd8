package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestAuthFlowsByClient tries every auth flow, through InitiateAuth and
// AdminInitiateAuth, against app clients with each kind of
// ExplicitAuthFlows: modern, legacy and none.
func TestAuthFlowsByClient(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, nil)
	s.User(t, pool, "flo")

	// What each client configuration allows, by flow family.
	type allows struct{ userPassword, adminPassword, srp, refresh, custom bool }
	clients := []struct {
		name   string
		flows  []types.ExplicitAuthFlowsType
		allows allows
		shown  []types.ExplicitAuthFlowsType // as DescribeUserPoolClient shows them
	}{
		{"none", nil, allows{srp: true, refresh: true, custom: true},
			[]types.ExplicitAuthFlowsType{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}},
		{"user password and refresh", []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
			allows{userPassword: true, refresh: true}, nil},
		{"admin password only", []types.ExplicitAuthFlowsType{"ALLOW_ADMIN_USER_PASSWORD_AUTH"}, allows{adminPassword: true}, nil},
		{"srp only", []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH"}, allows{srp: true}, nil},
		{"custom and refresh", []types.ExplicitAuthFlowsType{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, allows{custom: true, refresh: true}, nil},
		{"legacy ADMIN_NO_SRP_AUTH", []types.ExplicitAuthFlowsType{"ADMIN_NO_SRP_AUTH"},
			allows{adminPassword: true, srp: true, refresh: true, custom: true}, nil},
		{"legacy USER_PASSWORD_AUTH", []types.ExplicitAuthFlowsType{"USER_PASSWORD_AUTH"},
			allows{userPassword: true, srp: true, refresh: true, custom: true}, nil},
		{"legacy both password flows", []types.ExplicitAuthFlowsType{"ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"},
			allows{userPassword: true, adminPassword: true, srp: true, refresh: true, custom: true}, nil},
		{"legacy CUSTOM_AUTH_FLOW_ONLY", []types.ExplicitAuthFlowsType{"CUSTOM_AUTH_FLOW_ONLY"}, allows{refresh: true, custom: true}, nil},
	}
	const (
		challenge    = "PASSWORD_VERIFIER"
		notSupported = "Initiate Auth method not supported."
		noCustom     = "Custom auth lambda trigger is not configured for the user pool."
	)
	for _, cc := range clients {
		t.Run(cc.name, func(t *testing.T) {
			out, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
				UserPoolId: aws.String(pool), ClientName: aws.String("flows"), ExplicitAuthFlows: cc.flows})
			noErr(t, err)
			id := aws.ToString(out.UserPoolClient.ClientId)
			shown := cc.shown
			if shown == nil {
				shown = cc.flows
			}
			desc, err := s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id)})
			noErr(t, err)
			if !slices.Equal(desc.UserPoolClient.ExplicitAuthFlows, shown) || !slices.Equal(out.UserPoolClient.ExplicitAuthFlows, shown) {
				t.Errorf("ExplicitAuthFlows shown as %v (create) and %v (describe), want %v",
					out.UserPoolClient.ExplicitAuthFlows, desc.UserPoolClient.ExplicitAuthFlows, shown)
			}
			password := map[string]string{"USERNAME": "flo", "PASSWORD": testserver.Password}
			refresh := map[string]string{"REFRESH_TOKEN": "not-a-refresh-token"}
			srp := map[string]string{"USERNAME": "flo", "SRP_A": "0b"}
			cases := []struct {
				admin   bool
				flow    types.AuthFlowType
				params  map[string]string
				allowed bool
				// the outcome when allowed: "" for tokens, challenge for the
				// SRP challenge, else the error text
				ok string
			}{
				{false, "USER_PASSWORD_AUTH", password, cc.allows.userPassword, ""},
				{true, "ADMIN_USER_PASSWORD_AUTH", password, cc.allows.adminPassword, ""},
				{true, "ADMIN_NO_SRP_AUTH", password, cc.allows.adminPassword, ""},
				{false, "USER_SRP_AUTH", srp, cc.allows.srp, challenge},
				{true, "USER_SRP_AUTH", srp, cc.allows.srp, challenge},
				{false, "REFRESH_TOKEN_AUTH", refresh, cc.allows.refresh, "Invalid Refresh Token"},
				{false, "REFRESH_TOKEN", refresh, cc.allows.refresh, "Invalid Refresh Token"},
				{true, "REFRESH_TOKEN_AUTH", refresh, cc.allows.refresh, "Invalid Refresh Token"},
				{false, "CUSTOM_AUTH", password, cc.allows.custom, noCustom},
				{true, "CUSTOM_AUTH", password, cc.allows.custom, noCustom},
			}
			for _, tc := range cases {
				var err error
				var res *types.AuthenticationResultType
				var name types.ChallengeNameType
				if tc.admin {
					var out *cip.AdminInitiateAuthOutput
					out, err = s.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(id),
						AuthFlow: tc.flow, AuthParameters: tc.params})
					if err == nil {
						res, name = out.AuthenticationResult, out.ChallengeName
					}
				} else {
					var out *cip.InitiateAuthOutput
					out, err = s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: tc.flow, AuthParameters: tc.params})
					if err == nil {
						res, name = out.AuthenticationResult, out.ChallengeName
					}
				}
				what := string(tc.flow)
				if tc.admin {
					what = "AdminInitiateAuth " + what
				}
				switch {
				case !tc.allowed:
					e, ok := errorAs[*types.InvalidParameterException](err)
					if !ok || aws.ToString(e.Message) != string(tc.flow)+" flow not enabled for this client" {
						t.Errorf("%s: %v, want InvalidParameterException %q", what, err, string(tc.flow)+" flow not enabled for this client")
					}
				case tc.ok == challenge:
					if err != nil || string(name) != challenge {
						t.Errorf("%s: %v, challenge %q, want %s", what, err, name, challenge)
					}
				case tc.ok == "":
					if err != nil || res == nil || aws.ToString(res.AccessToken) == "" {
						t.Errorf("%s: %v, want tokens", what, err)
					}
				default:
					if err == nil || !containsText(err.Error(), tc.ok) || containsText(err.Error(), "flow not enabled") {
						t.Errorf("%s: %v, want an error about %q", what, err, tc.ok)
					}
				}
			}
			// Flows of the other operation are refused whatever the client.
			_, err = s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: "ADMIN_USER_PASSWORD_AUTH", AuthParameters: password})
			testserver.WantError[*types.InvalidParameterException](t, err, notSupported)
			_, err = s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: "ADMIN_NO_SRP_AUTH", AuthParameters: password})
			testserver.WantError[*types.InvalidParameterException](t, err, notSupported)
			_, err = s.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(id),
				AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: password})
			testserver.WantError[*types.InvalidParameterException](t, err, notSupported)
		})
	}

	t.Run("a legacy client refreshes its own tokens", func(t *testing.T) {
		out, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("legacy"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ADMIN_NO_SRP_AUTH"}})
		noErr(t, err)
		id := aws.ToString(out.UserPoolClient.ClientId)
		auth, err := s.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(id),
			AuthFlow: "ADMIN_NO_SRP_AUTH", AuthParameters: map[string]string{"USERNAME": "flo", "PASSWORD": testserver.Password}})
		noErr(t, err)
		ref, err := s.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(id),
			AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(auth.AuthenticationResult.RefreshToken)}})
		noErr(t, err)
		if aws.ToString(ref.AuthenticationResult.AccessToken) == "" {
			t.Error("no access token from the refresh")
		}
	})

	t.Run("legacy and ALLOW_ values do not mix", func(t *testing.T) {
		_, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("mixed"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ADMIN_NO_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
		testserver.WantError[*types.InvalidParameterException](t, err, "ExplicitAuthFlows can't have both ALLOW_XXX and XXX values")
	})
}

func containsText(s, sub string) bool { return strings.Contains(s, sub) }
