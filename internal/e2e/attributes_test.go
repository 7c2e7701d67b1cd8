package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestUpdateUserAttributesCheckOrder proves the order of the checks: shape
// validation before the token, the token before the user, the user before
// the attributes.
func TestUpdateUserAttributesCheckOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, nil, nil)
	tok := e.signedIn(t, "jane", "email", "jane@example.com")
	raw := cip.NewFromConfig(aws.Config{}, func(o *cip.Options) {
		*o = e.s.Client.Options()
		attrNoValidation(o)
	})
	// Every later check would fail too: a bad attribute name.
	bad := testserver.AttrList("nope", "x")

	shape := []struct {
		name string
		in   *cip.UpdateUserAttributesInput
		msg  string
	}{
		{"missing AccessToken", &cip.UpdateUserAttributesInput{UserAttributes: bad},
			"1 validation error detected: Value at 'accessToken' failed to satisfy constraint: Member must not be null"},
		{"empty AccessToken", &cip.UpdateUserAttributesInput{AccessToken: aws.String(""), UserAttributes: bad},
			"1 validation error detected: Value at 'accessToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9-_=.]+"},
		{"null Name", &cip.UpdateUserAttributesInput{AccessToken: aws.String("garbage"),
			UserAttributes: []types.AttributeType{{Value: aws.String("x")}}},
			"1 validation error detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: Member must not be null"},
		{"empty Name", &cip.UpdateUserAttributesInput{AccessToken: aws.String("garbage"),
			UserAttributes: []types.AttributeType{{Name: aws.String(""), Value: aws.String("x")}}},
			"2 validation errors detected: Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+"},
	}
	for _, tt := range shape {
		t.Run("shape/"+tt.name, func(t *testing.T) {
			_, err := raw.UpdateUserAttributes(ctx, tt.in)
			testserver.WantError[*types.InvalidParameterException](t, err, tt.msg)
		})
	}

	// A second pool on the same server and a pool on another server.
	otherPool := e.s.Pool(t, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	otherClient := e.s.AppClient(t, otherPool, nil)
	e.s.User(t, otherPool, "jane")
	otherTok := aws.ToString(e.s.SignIn(t, otherClient, "jane").AccessToken)
	far := newEnv(t, nil, nil)
	farTok := far.signedIn(t, "jane")
	idTok := aws.ToString(e.s.SignIn(t, e.client, "jane").IdToken)
	p := strings.Split(tok, ".")
	op := strings.Split(otherTok, ".")

	invalid := []struct{ name, tok string }{
		{"garbage", "garbage"},
		{"three garbage parts", "a.b.c"},
		{"signed by another server's pool key", farTok},
		{"another pool's header on this token", op[0] + "." + p[1] + "." + p[2]},
		{"this token's payload under another pool's signature", p[0] + "." + p[1] + "." + op[2]},
		{"tampered payload", p[0] + "." + strings.TrimRight(p[1], "=") + "A." + p[2]},
		{"ID token", idTok},
	}
	for _, tt := range invalid {
		t.Run("token/"+tt.name, func(t *testing.T) {
			_, err := e.update(tt.tok, "nope", "x")
			testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid Access Token")
		})
	}

	t.Run("token/expired", func(t *testing.T) {
		e := newEnv(t, nil, nil)
		tok := e.signedIn(t, "jane")
		e.s.Clock.Advance(time.Hour + time.Second)
		_, err := e.update(tok, "nope", "x")
		testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token has expired")
	})

	revoke := []struct {
		name string
		do   func(t *testing.T, e *env, auth *types.AuthenticationResultType)
	}{
		{"GlobalSignOut", func(t *testing.T, e *env, auth *types.AuthenticationResultType) {
			if _, err := e.s.Client.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: auth.AccessToken}); err != nil {
				t.Fatal(err)
			}
		}},
		{"AdminUserGlobalSignOut", func(t *testing.T, e *env, _ *types.AuthenticationResultType) {
			if _, err := e.s.Client.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{
				UserPoolId: aws.String(e.pool), Username: aws.String("jane")}); err != nil {
				t.Fatal(err)
			}
		}},
		{"RevokeToken of its refresh token", func(t *testing.T, e *env, auth *types.AuthenticationResultType) {
			if _, err := e.s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{
				Token: auth.RefreshToken, ClientId: aws.String(e.client)}); err != nil {
				t.Fatal(err)
			}
		}},
		{"AdminDisableUser", func(t *testing.T, e *env, _ *types.AuthenticationResultType) {
			if _, err := e.s.Client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{
				UserPoolId: aws.String(e.pool), Username: aws.String("jane")}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range revoke {
		t.Run("token/revoked by "+tt.name, func(t *testing.T) {
			e := newEnv(t, nil, nil)
			e.s.User(t, e.pool, "jane")
			auth := e.s.SignIn(t, e.client, "jane")
			tt.do(t, e, auth)
			_, err := e.update(aws.ToString(auth.AccessToken), "nope", "x")
			testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
		})
	}

	t.Run("token/RevokeToken leaves other sessions alone", func(t *testing.T) {
		e := newEnv(t, nil, nil)
		e.s.User(t, e.pool, "jane")
		a1 := e.s.SignIn(t, e.client, "jane")
		a2 := e.s.SignIn(t, e.client, "jane")
		if _, err := e.s.Client.RevokeToken(ctx, &cip.RevokeTokenInput{Token: a1.RefreshToken, ClientId: aws.String(e.client)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.update(aws.ToString(a2.AccessToken), "name", "J"); err != nil {
			t.Fatalf("other session: %v", err)
		}
	})

	gone := []struct {
		name  string
		do    func(t *testing.T, e *env)
		check func(t *testing.T, e *env, err error)
	}{
		{"user deleted", func(t *testing.T, e *env) {
			if _, err := e.s.Client.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("jane")}); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, _ *env, err error) {
			testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		}},
		{"user deleted and re-created", func(t *testing.T, e *env) {
			if _, err := e.s.Client.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("jane")}); err != nil {
				t.Fatal(err)
			}
			e.s.User(t, e.pool, "jane")
		}, func(t *testing.T, _ *env, err error) {
			testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		}},
		{"client deleted", func(t *testing.T, e *env) {
			if _, err := e.s.Client.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(e.client)}); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, e *env, err error) {
			testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client "+e.client+" does not exist.")
		}},
		{"pool deleted", func(t *testing.T, e *env) {
			if _, err := e.s.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(e.pool)}); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, e *env, err error) {
			testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool "+e.pool+" does not exist.")
		}},
	}
	for _, tt := range gone {
		t.Run("state/"+tt.name, func(t *testing.T) {
			e := newEnv(t, nil, nil)
			tok := e.signedIn(t, "jane")
			tt.do(t, e)
			_, err := e.update(tok, "nope", "x")
			tt.check(t, e, err)
		})
	}

	t.Run("attributes checked after the token", func(t *testing.T) {
		_, err := e.update(tok, "nope", "x")
		testserver.WantError[*types.InvalidParameterException](t, err, "user.nope: Attribute does not exist in the schema.\n")
	})
}

// attrRuleEnv is a pool exercising every attribute rule.
func attrRuleEnv(t *testing.T, client *cip.CreateUserPoolClientInput) *env {
	return newEnv(t, &cip.CreateUserPoolInput{
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
			{Name: aws.String("dept"), AttributeDataType: types.AttributeDataTypeString,
				StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("2"), MaxLength: aws.String("5")}},
			{Name: aws.String("x"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
			{Name: aws.String("age"), AttributeDataType: types.AttributeDataTypeNumber,
				NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("18"), MaxValue: aws.String("120")}},
			{Name: aws.String("vip"), AttributeDataType: types.AttributeDataTypeBoolean},
			{Name: aws.String("secret"), AttributeDataType: types.AttributeDataTypeString, DeveloperOnlyAttribute: aws.Bool(true)},
		},
	}, client)
}

// TestUpdateUserAttributesRules proves each attribute rule, and that a
// failed request writes nothing.
func TestUpdateUserAttributesRules(t *testing.T) {
	t.Parallel()
	type kind int
	const (
		invalid kind = iota
		unauthorized
	)
	tests := []struct {
		name string
		kv   []string
		in   []types.AttributeType // overrides kv
		kind kind
		msg  string
	}{
		{name: "sub", kv: []string{"sub", "x"}, msg: "Cannot modify the non-mutable attribute sub"},
		{name: "sub blank", kv: []string{"sub", ""}, msg: "Cannot modify the non-mutable attribute sub"},
		{name: "sub null", in: []types.AttributeType{{Name: aws.String("given_name"), Value: aws.String("G")}, {Name: aws.String("sub")}},
			msg: "Cannot modify the non-mutable attribute sub"},
		{name: "null value", in: []types.AttributeType{{Name: aws.String("given_name"), Value: aws.String("G")}, {Name: aws.String("nickname")}},
			msg: "Attribute value for nickname must not be null"},
		{name: "required attribute blank", kv: []string{"given_name", "G", "name", ""}, msg: "user.name: Required attribute cannot be deleted.\n"},
		{name: "unknown", kv: []string{"given_name", "G", "shoe_size", "9"}, msg: "user.shoe_size: Attribute does not exist in the schema.\n"},
		{name: "custom without prefix", kv: []string{"given_name", "G", "dept", "ops"}, msg: "user.dept: Attribute does not exist in the schema.\n"},
		{name: "names are case-sensitive", kv: []string{"given_name", "G", "Email", "a@b.c"}, msg: "user.Email: Attribute does not exist in the schema.\n"},
		{name: "immutable custom", kv: []string{"given_name", "G", "custom:x", "y"}, msg: "user.custom:x: Attribute cannot be updated.\n"},
		{name: "immutable custom blank", kv: []string{"given_name", "G", "custom:x", ""}, msg: "user.custom:x: Attribute cannot be updated.\n"},
		{name: "string too short", kv: []string{"given_name", "G", "custom:dept", "a"}, msg: "user.custom:dept: String must be no shorter than 2 characters\n"},
		{name: "string too long", kv: []string{"given_name", "G", "custom:dept", "abcdef"}, msg: "user.custom:dept: String must be no longer than 5 characters\n"},
		{name: "value longer than the shape allows", kv: []string{"given_name", strings.Repeat("g", 2049)},
			msg: "1 validation error detected: Value at 'userAttributes.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{name: "birthdate length", kv: []string{"birthdate", "1990-1-1"}, msg: "user.birthdate: String must be no shorter than 10 characters\n"},
		{name: "number below min", kv: []string{"given_name", "G", "custom:age", "17"}, msg: "user.custom:age: Number must be no less than 18\n"},
		{name: "number above max", kv: []string{"given_name", "G", "custom:age", "121"}, msg: "user.custom:age: Number must be no greater than 120\n"},
		{name: "not a number", kv: []string{"given_name", "G", "custom:age", "old"}, msg: "user.custom:age: Attribute value is not a number\n"},
		{name: "updated_at negative", kv: []string{"updated_at", "-1"}, msg: "user.updated_at: Number must be no less than 0\n"},
		{name: "not a boolean", kv: []string{"given_name", "G", "custom:vip", "yes"}, msg: "user.custom:vip: Attribute value is not a boolean\n"},
		{name: "several failures together", kv: []string{"given_name", "G", "custom:dept", "a", "shoe_size", "9", "custom:x", "y", "custom:age", "x"},
			msg: "user.custom:dept: String must be no shorter than 2 characters\n" +
				"user.shoe_size: Attribute does not exist in the schema.\n" +
				"user.custom:x: Attribute cannot be updated.\n" +
				"user.custom:age: Attribute value is not a number\n"},
		{name: "bad email", kv: []string{"given_name", "G", "email", "not-an-email"}, msg: "Invalid email address format."},
		{name: "bad phone with dashes", kv: []string{"given_name", "G", "phone_number", "+1-432-555-1212"}, msg: "Invalid phone number format."},
		{name: "bad phone without plus", kv: []string{"given_name", "G", "phone_number", "14325551212"}, msg: "Invalid phone number format."},
		{name: "bad phone with spaces", kv: []string{"given_name", "G", "phone_number", "+1 432 555 1212"}, msg: "Invalid phone number format."},
		{name: "developer-only attribute", kv: []string{"given_name", "G", "dev:custom:secret", "s"}, kind: unauthorized,
			msg: "A client attempted to write unauthorized attribute"},
		{name: "developer-only attribute by custom name", kv: []string{"given_name", "G", "custom:secret", "s"}, kind: unauthorized,
			msg: "A client attempted to write unauthorized attribute"},
		{name: "email_verified without WriteAttributes", kv: []string{"given_name", "G", "email_verified", "true"}, kind: unauthorized,
			msg: "A client attempted to write unauthorized attribute"},
	}
	e := attrRuleEnv(t, nil)
	tok := e.signedIn(t, "jane", "name", "Jane", "email", "jane@example.com", "custom:dept", "hr", "custom:x", "orig")
	before := e.adminAttrs(t, "jane")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in == nil {
				in = testserver.AttrList(tt.kv...)
			}
			_, err := e.s.Client.UpdateUserAttributes(context.Background(), &cip.UpdateUserAttributesInput{
				AccessToken: aws.String(tok), UserAttributes: in,
			})
			switch tt.kind {
			case invalid:
				testserver.WantError[*types.InvalidParameterException](t, err, tt.msg)
			case unauthorized:
				testserver.WantError[*types.NotAuthorizedException](t, err, tt.msg)
			}
			after := e.adminAttrs(t, "jane")
			if testserver.String(after) != testserver.String(before) {
				t.Errorf("failed request changed the user:\nbefore %v\nafter  %v", before, after)
			}
		})
	}

	ok := []struct {
		name string
		kv   []string
		want map[string]string
	}{
		{"blank deletes", []string{"custom:dept", ""}, map[string]string{"custom:dept": ""}},
		{"valid values", []string{"custom:dept", "ops", "custom:age", "42", "custom:vip", "true", "birthdate", "1990-01-31", "updated_at", "0"},
			map[string]string{"custom:dept": "ops", "custom:age": "42", "custom:vip": "true", "birthdate": "1990-01-31"}},
		{"boolean case folded", []string{"custom:vip", "FALSE"}, map[string]string{"custom:vip": "false"}},
		{"duplicate name, last wins", []string{"nickname", "a", "nickname", "b"}, map[string]string{"nickname": "b"}},
		{"deleting an absent attribute", []string{"middle_name", ""}, map[string]string{"middle_name": ""}},
	}
	for _, tt := range ok {
		t.Run("ok/"+tt.name, func(t *testing.T) {
			out, err := e.update(tok, tt.kv...)
			if err != nil {
				t.Fatal(err)
			}
			if out.CodeDeliveryDetailsList != nil {
				t.Errorf("CodeDeliveryDetailsList = %s, want nil", testserver.String(out.CodeDeliveryDetailsList))
			}
			wantEntries(t, "GetUser", e.getUser(t, tok), tt.want)
			wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), tt.want)
		})
	}
}

// TestWriteAttributes proves the app client's WriteAttributes and the
// *_verified flags for self-service callers.
func TestWriteAttributes(t *testing.T) {
	t.Parallel()
	e := attrRuleEnv(t, &cip.CreateUserPoolClientInput{WriteAttributes: []string{"name", "email", "email_verified", "custom:dept"}})
	tok := e.signedIn(t, "jane", "name", "Jane", "email", "jane@example.com", "email_verified", "true")
	t.Run("attribute outside WriteAttributes", func(t *testing.T) {
		_, err := e.update(tok, "custom:dept", "ops", "nickname", "jj")
		testserver.WantError[*types.NotAuthorizedException](t, err, "A client attempted to write unauthorized attribute")
		wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{"custom:dept": "", "nickname": ""})
	})
	t.Run("attributes inside WriteAttributes", func(t *testing.T) {
		if _, err := e.update(tok, "custom:dept", "ops", "name", "J"); err != nil {
			t.Fatal(err)
		}
		wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{"custom:dept": "ops", "name": "J"})
	})
	t.Run("email_verified=true from self-service never verifies", func(t *testing.T) {
		out, err := e.update(tok, "email", "new@example.com", "email_verified", "true")
		if err != nil {
			t.Fatal(err)
		}
		if out.CodeDeliveryDetailsList != nil {
			t.Errorf("CodeDeliveryDetailsList = %s", testserver.String(out.CodeDeliveryDetailsList))
		}
		wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{"email": "new@example.com", "email_verified": "false"})
		if _, err := e.update(tok, "email_verified", "true"); err != nil {
			t.Fatal(err)
		}
		wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{"email_verified": "false"})
	})
	t.Run("required attribute always writable", func(t *testing.T) {
		e := attrRuleEnv(t, &cip.CreateUserPoolClientInput{WriteAttributes: []string{"custom:dept"}})
		tok := e.signedIn(t, "jane", "name", "Jane")
		if _, err := e.update(tok, "name", "Janet"); err != nil {
			t.Fatal(err)
		}
		wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{"name": "Janet"})
	})
}

// TestDeleteUserAttributes proves the delete operations share the update
// rules.
func TestDeleteUserAttributes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := attrRuleEnv(t, nil)
	tok := e.signedIn(t, "jane", "name", "Jane", "email", "jane@example.com", "email_verified", "true",
		"custom:dept", "hr", "custom:x", "orig", "nickname", "jj")
	del := func(names ...string) error {
		_, err := e.s.Client.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(tok), UserAttributeNames: names})
		return err
	}
	t.Run("required", func(t *testing.T) {
		testserver.WantError[*types.InvalidParameterException](t, del("nickname", "name"), "user.name: Required attribute cannot be deleted.\n")
	})
	t.Run("unknown", func(t *testing.T) {
		testserver.WantError[*types.InvalidParameterException](t, del("nickname", "dept"), "user.dept: Attribute does not exist in the schema.\n")
	})
	t.Run("immutable", func(t *testing.T) {
		testserver.WantError[*types.InvalidParameterException](t, del("custom:x"), "user.custom:x: Attribute cannot be updated.\n")
	})
	t.Run("sub", func(t *testing.T) {
		testserver.WantError[*types.InvalidParameterException](t, del("sub"), "Cannot modify the non-mutable attribute sub")
	})
	t.Run("unwritable", func(t *testing.T) {
		testserver.WantError[*types.NotAuthorizedException](t, del("email_verified"), "A client attempted to write unauthorized attribute")
	})
	wantEntries(t, "after failures", e.adminAttrs(t, "jane"), map[string]string{"nickname": "jj", "custom:x": "orig"})
	t.Run("deletes, email takes its flag", func(t *testing.T) {
		if err := del("nickname", "custom:dept", "email", "middle_name"); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"nickname": "", "custom:dept": "", "email": "", "email_verified": "", "name": "Jane"}
		wantEntries(t, "GetUser", e.getUser(t, tok), want)
	})
	t.Run("admin", func(t *testing.T) {
		_, err := e.s.Client.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{
			UserPoolId: aws.String(e.pool), Username: aws.String("jane"), UserAttributeNames: []string{"name"}})
		testserver.WantError[*types.InvalidParameterException](t, err, "user.name: Required attribute cannot be deleted.\n")
		if err := e.adminUpdate("jane", "dev:custom:secret", "s"); err != nil {
			t.Fatal(err)
		}
		_, err = e.s.Client.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{
			UserPoolId: aws.String(e.pool), Username: aws.String("jane"), UserAttributeNames: []string{"dev:custom:secret"}})
		if err != nil {
			t.Fatal(err)
		}
		wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{"dev:custom:secret": "", "custom:secret": ""})
	})
}

// TestAdminUpdateUserAttributesRules proves the admin call's differences:
// no client filter, developer-only attributes and *_verified writable,
// schema errors as in self-service.
func TestAdminUpdateUserAttributesRules(t *testing.T) {
	t.Parallel()
	e := attrRuleEnv(t, nil)
	e.s.User(t, e.pool, "jane", "name", "Jane", "custom:x", "orig")
	tests := []struct {
		name string
		kv   []string
		msg  string
	}{
		{"immutable", []string{"given_name", "G", "custom:x", "y"}, "user.custom:x: Attribute cannot be updated.\n"},
		{"unknown", []string{"given_name", "G", "dept", "y"}, "user.dept: Attribute does not exist in the schema.\n"},
		{"bad email", []string{"given_name", "G", "email", "x"}, "Invalid email address format."},
		{"sub", []string{"sub", "x"}, "Cannot modify the non-mutable attribute sub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testserver.WantError[*types.InvalidParameterException](t, e.adminUpdate("jane", tt.kv...), tt.msg)
			wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{"given_name": ""})
		})
	}
	t.Run("developer-only and verified flags", func(t *testing.T) {
		if err := e.adminUpdate("jane", "dev:custom:secret", "s", "email", "j@example.com", "email_verified", "true"); err != nil {
			t.Fatal(err)
		}
		wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{"email": "j@example.com", "email_verified": "true"})
	})
	t.Run("missing user", func(t *testing.T) {
		testserver.WantError[*types.UserNotFoundException](t, e.adminUpdate("nobody", "name", "x"), "User does not exist.")
	})
}
