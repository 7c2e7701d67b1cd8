package e2e

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

func TestFoundationClients(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
		{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString},
	}})
	clientID := regexp.MustCompile(`^[a-z0-9]{26}$`)

	t.Run("defaults", func(t *testing.T) {
		out, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientName: aws.String("web"),
		})
		noErr(t, err)
		c := out.UserPoolClient
		if !clientID.MatchString(aws.ToString(c.ClientId)) {
			t.Errorf("ClientId = %q", aws.ToString(c.ClientId))
		}
		if c.ClientSecret != nil {
			t.Errorf("ClientSecret = %q without GenerateSecret", aws.ToString(c.ClientSecret))
		}
		if aws.ToInt32(c.AccessTokenValidity) != 1 || aws.ToInt32(c.IdTokenValidity) != 1 || c.RefreshTokenValidity != 30 {
			t.Errorf("validity = %d/%d/%d", aws.ToInt32(c.AccessTokenValidity), aws.ToInt32(c.IdTokenValidity), c.RefreshTokenValidity)
		}
		u := c.TokenValidityUnits
		if u == nil || u.AccessToken != types.TimeUnitsTypeHours || u.IdToken != types.TimeUnitsTypeHours || u.RefreshToken != types.TimeUnitsTypeDays {
			t.Errorf("TokenValidityUnits = %s", testserver.String(u))
		}
		want := []types.ExplicitAuthFlowsType{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}
		if !slices.Equal(c.ExplicitAuthFlows, want) {
			t.Errorf("ExplicitAuthFlows = %v", c.ExplicitAuthFlows)
		}
		if c.PreventUserExistenceErrors != types.PreventUserExistenceErrorTypesLegacy || !aws.ToBool(c.EnableTokenRevocation) || aws.ToInt32(c.AuthSessionValidity) != 3 {
			t.Errorf("client = %s", testserver.String(c))
		}
		if c.ReadAttributes != nil || c.WriteAttributes != nil {
			t.Errorf("Read/WriteAttributes echoed though omitted: %v %v", c.ReadAttributes, c.WriteAttributes)
		}
	})
	t.Run("generated secret", func(t *testing.T) {
		out, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientName: aws.String("server"), GenerateSecret: true,
		})
		noErr(t, err)
		secret := aws.ToString(out.UserPoolClient.ClientSecret)
		if !regexp.MustCompile(`^[a-z0-9]{51}$`).MatchString(secret) {
			t.Errorf("ClientSecret = %q", secret)
		}
		d, err := s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: out.UserPoolClient.ClientId})
		noErr(t, err)
		if aws.ToString(d.UserPoolClient.ClientSecret) != secret {
			t.Errorf("described secret %q differs", aws.ToString(d.UserPoolClient.ClientSecret))
		}
	})
	t.Run("given secret", func(t *testing.T) {
		const given = "myOwnSecret0123456789ABCDEF"
		out, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientName: aws.String("own"), GenerateSecret: true, ClientSecret: aws.String(given),
		})
		noErr(t, err)
		if aws.ToString(out.UserPoolClient.ClientSecret) != given {
			t.Errorf("ClientSecret = %q", aws.ToString(out.UserPoolClient.ClientSecret))
		}
	})
	t.Run("token validity units", func(t *testing.T) {
		out, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientName: aws.String("units"),
			AccessTokenValidity: aws.Int32(10), IdTokenValidity: aws.Int32(600), RefreshTokenValidity: 2,
			TokenValidityUnits: &types.TokenValidityUnitsType{
				AccessToken: types.TimeUnitsTypeMinutes, IdToken: types.TimeUnitsTypeSeconds, RefreshToken: types.TimeUnitsTypeHours,
			},
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		})
		noErr(t, err)
		c := out.UserPoolClient
		if aws.ToInt32(c.AccessTokenValidity) != 10 || aws.ToInt32(c.IdTokenValidity) != 600 || c.RefreshTokenValidity != 2 ||
			c.TokenValidityUnits.AccessToken != types.TimeUnitsTypeMinutes {
			t.Errorf("client = %s", testserver.String(c))
		}
		s.User(t, pool, "units-user")
		res := s.SignIn(t, aws.ToString(c.ClientId), "units-user")
		if res.ExpiresIn != 600 {
			t.Errorf("ExpiresIn = %d, want 600", res.ExpiresIn)
		}
	})
	t.Run("zero refresh validity means 30 days", func(t *testing.T) {
		out, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientName: aws.String("zero"), RefreshTokenValidity: 0,
		})
		noErr(t, err)
		if out.UserPoolClient.RefreshTokenValidity != 30 {
			t.Errorf("RefreshTokenValidity = %d", out.UserPoolClient.RefreshTokenValidity)
		}
	})
	for _, tc := range []struct {
		name string
		in   cip.CreateUserPoolClientInput
	}{
		{"access too short", cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(4),
			TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes}}},
		{"access too long", cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(25)}},
		{"id too long", cip.CreateUserPoolClientInput{IdTokenValidity: aws.Int32(2),
			TokenValidityUnits: &types.TokenValidityUnitsType{IdToken: types.TimeUnitsTypeDays}}},
		{"refresh too short", cip.CreateUserPoolClientInput{RefreshTokenValidity: 59,
			TokenValidityUnits: &types.TokenValidityUnitsType{RefreshToken: types.TimeUnitsTypeMinutes}}},
		{"refresh too long", cip.CreateUserPoolClientInput{RefreshTokenValidity: 3651}},
		{"refresh huge", cip.CreateUserPoolClientInput{RefreshTokenValidity: 315360000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.UserPoolId, in.ClientName = aws.String(pool), aws.String("bad")
			_, err := s.Client.CreateUserPoolClient(ctx, &in)
			testserver.WantError[*types.InvalidParameterException](t, err, "Invalid range for token validity.")
		})
	}
	t.Run("invalid read and write attributes", func(t *testing.T) {
		_, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientName: aws.String("bad"), WriteAttributes: []string{"custom:nope"},
		})
		testserver.WantError[*types.InvalidParameterException](t, err, "Invalid write attributes specified while creating a client")
		_, err = s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientName: aws.String("bad"), ReadAttributes: []string{"tier"},
		})
		testserver.WantError[*types.InvalidParameterException](t, err, "Invalid read attributes specified while creating a client")
		id := s.AppClient(t, pool, nil)
		_, err = s.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientId: aws.String(id), WriteAttributes: []string{"custom:nope"},
		})
		testserver.WantError[*types.InvalidParameterException](t, err, "Invalid write attributes specified while updating a client")
		out, err := s.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientId: aws.String(id), ReadAttributes: []string{"email", "custom:tier"},
		})
		noErr(t, err)
		if !slices.Equal(out.UserPoolClient.ReadAttributes, []string{"email", "custom:tier"}) {
			t.Errorf("ReadAttributes = %v", out.UserPoolClient.ReadAttributes)
		}
	})
	t.Run("explicit auth flows enforced", func(t *testing.T) {
		id := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		})
		s.User(t, pool, "flows")
		_, err := s.PasswordAuth(id, "flows", testserver.Password, nil)
		testserver.WantError[*types.InvalidParameterException](t, err, "USER_PASSWORD_AUTH flow not enabled for this client")
		_, err = s.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
			UserPoolId: aws.String(pool), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, ClientId: aws.String(id),
			AuthParameters: map[string]string{"USERNAME": "flows", "PASSWORD": testserver.Password},
		})
		testserver.WantError[*types.InvalidParameterException](t, err, "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client")
		// Legacy names still work.
		legacy := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"USER_PASSWORD_AUTH"},
		})
		s.SignIn(t, legacy, "flows")
		_, err = s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientName: aws.String("mixed"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"},
		})
		testserver.WantError[*types.InvalidParameterException](t, err, "ExplicitAuthFlows can't have both ALLOW_XXX and XXX values")
	})
	t.Run("prevent user existence errors", func(t *testing.T) {
		for _, tc := range []struct {
			mode types.PreventUserExistenceErrorTypes
			want func(t *testing.T, err error)
		}{
			{types.PreventUserExistenceErrorTypesLegacy, func(t *testing.T, err error) {
				testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
			}},
			{types.PreventUserExistenceErrorTypesEnabled, func(t *testing.T, err error) {
				testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
			}},
		} {
			t.Run(string(tc.mode), func(t *testing.T) {
				id := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: tc.mode})
				_, err := s.PasswordAuth(id, "ghost", testserver.Password, nil)
				tc.want(t, err)
			})
		}
	})
	t.Run("update resets omitted settings", func(t *testing.T) {
		id := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{
			AccessTokenValidity: aws.Int32(2), PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		})
		out, err := s.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientId: aws.String(id), ClientName: aws.String("renamed"),
		})
		noErr(t, err)
		c := out.UserPoolClient
		if aws.ToString(c.ClientName) != "renamed" || aws.ToInt32(c.AccessTokenValidity) != 1 ||
			c.PreventUserExistenceErrors != types.PreventUserExistenceErrorTypesLegacy || aws.ToString(c.ClientId) != id {
			t.Errorf("updated client = %s", testserver.String(c))
		}
		d, err := s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id)})
		noErr(t, err)
		if aws.ToString(d.UserPoolClient.ClientName) != "renamed" {
			t.Errorf("described name %q", aws.ToString(d.UserPoolClient.ClientName))
		}
	})
	t.Run("delete and not found", func(t *testing.T) {
		id := s.AppClient(t, pool, nil)
		_, err := s.Client.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id)})
		noErr(t, err)
		_, err = s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id)})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client "+id+" does not exist.")
		_, err = s.Client.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id)})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client "+id+" does not exist.")
		_, err = s.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(id)})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client "+id+" does not exist.")
		_, err = s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String("us-east-1_missing00"), ClientName: aws.String("x")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_missing00 does not exist.")
	})
	t.Run("list pagination", func(t *testing.T) {
		p := s.Pool(t, nil)
		want := map[string]bool{}
		for range 5 {
			want[s.AppClient(t, p, nil)] = true
		}
		seen := map[string]bool{}
		var token *string
		pages := 0
		for {
			out, err := s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(p), MaxResults: aws.Int32(2), NextToken: token})
			noErr(t, err)
			pages++
			for _, c := range out.UserPoolClients {
				if seen[aws.ToString(c.ClientId)] || aws.ToString(c.ClientName) != "app" || aws.ToString(c.UserPoolId) != p {
					t.Errorf("description = %s", testserver.String(c))
				}
				seen[aws.ToString(c.ClientId)] = true
			}
			if out.NextToken == nil {
				break
			}
			token = out.NextToken
		}
		if pages != 3 || len(seen) != 5 {
			t.Errorf("pages %d, clients %d", pages, len(seen))
		}
		for id := range want {
			if !seen[id] {
				t.Errorf("client %s not listed", id)
			}
		}
	})
}
