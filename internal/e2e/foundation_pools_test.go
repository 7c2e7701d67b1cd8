package e2e

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

func schemaByName(list []types.SchemaAttributeType) map[string]types.SchemaAttributeType {
	m := map[string]types.SchemaAttributeType{}
	for _, a := range list {
		m[aws.ToString(a.Name)] = a
	}
	return m
}

func TestFoundationPools(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()

	t.Run("create", func(t *testing.T) {
		out, err := s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{
			PoolName: aws.String("shop"),
			Schema: []types.SchemaAttributeType{
				{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString},
				{Name: aws.String("age"), AttributeDataType: types.AttributeDataTypeNumber, Mutable: aws.Bool(false)},
				{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true)},
			},
		})
		noErr(t, err)
		p := out.UserPool
		if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(aws.ToString(p.Id)) {
			t.Errorf("Id = %q", aws.ToString(p.Id))
		}
		if aws.ToString(p.Name) != "shop" || p.EstimatedNumberOfUsers != 0 {
			t.Errorf("Name %q Estimated %d", aws.ToString(p.Name), p.EstimatedNumberOfUsers)
		}
		sc := schemaByName(p.SchemaAttributes)
		for _, std := range []string{"sub", "email", "email_verified", "phone_number", "name", "given_name", "family_name", "updated_at"} {
			if _, ok := sc[std]; !ok {
				t.Errorf("standard attribute %s missing from schema", std)
			}
		}
		if !aws.ToBool(sc["email"].Required) {
			t.Errorf("email not required after override")
		}
		if a, ok := sc["custom:tier"]; !ok || a.AttributeDataType != types.AttributeDataTypeString || !aws.ToBool(a.Mutable) {
			t.Errorf("custom:tier = %s", testserver.String(a))
		}
		if a := sc["custom:age"]; aws.ToBool(a.Mutable) || a.AttributeDataType != types.AttributeDataTypeNumber {
			t.Errorf("custom:age = %s", testserver.String(a))
		}
		if _, ok := sc["tier"]; ok {
			t.Errorf("custom attribute listed without custom: prefix")
		}
	})
	t.Run("username and alias attributes both", func(t *testing.T) {
		_, err := s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{
			PoolName:           aws.String("both"),
			UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			AliasAttributes:    []types.AliasAttributeType{types.AliasAttributeTypePreferredUsername},
		})
		testserver.WantError[*types.InvalidParameterException](t, err, "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool")
	})
	t.Run("duplicate custom attribute in schema", func(t *testing.T) {
		_, err := s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{
			PoolName: aws.String("dup"),
			Schema: []types.SchemaAttributeType{
				{Name: aws.String("x"), AttributeDataType: types.AttributeDataTypeString},
				{Name: aws.String("x"), AttributeDataType: types.AttributeDataTypeString},
			},
		})
		testserver.WantError[*types.InvalidParameterException](t, err, "custom:x: Existing attribute already has name custom:x.")
	})
	t.Run("describe defaults", func(t *testing.T) {
		id := s.Pool(t, nil)
		out, err := s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
		noErr(t, err)
		p := out.UserPool
		if u := p.UserAttributeUpdateSettings; u == nil || u.AttributesRequireVerificationBeforeUpdate == nil || len(u.AttributesRequireVerificationBeforeUpdate) != 0 {
			t.Errorf("UserAttributeUpdateSettings = %s", testserver.String(u))
		}
		pp := p.Policies.PasswordPolicy
		if aws.ToInt32(pp.MinimumLength) != 8 || !pp.RequireUppercase || !pp.RequireLowercase || !pp.RequireNumbers || !pp.RequireSymbols || pp.TemporaryPasswordValidityDays != 7 {
			t.Errorf("PasswordPolicy = %s", testserver.String(pp))
		}
		if p.DeletionProtection != types.DeletionProtectionTypeInactive || p.MfaConfiguration != types.UserPoolMfaTypeOff {
			t.Errorf("DeletionProtection %s Mfa %s", p.DeletionProtection, p.MfaConfiguration)
		}
		if aws.ToString(p.VerificationMessageTemplate.EmailSubject) != "Your verification code" {
			t.Errorf("template = %s", testserver.String(p.VerificationMessageTemplate))
		}
	})
	t.Run("estimated number of users", func(t *testing.T) {
		id := s.Pool(t, nil)
		s.User(t, id, "a")
		s.User(t, id, "b")
		out, err := s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
		noErr(t, err)
		if n := out.UserPool.EstimatedNumberOfUsers; n != 2 {
			t.Errorf("EstimatedNumberOfUsers = %d", n)
		}
	})
	t.Run("describe missing", func(t *testing.T) {
		_, err := s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_missing00")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_missing00 does not exist.")
	})
	t.Run("update resets omitted settings", func(t *testing.T) {
		id := s.Pool(t, &cip.CreateUserPoolInput{
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			Policies:               &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(12)}},
			UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{
				AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			},
			EmailVerificationSubject: aws.String("Hi"),
		})
		_, err := s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
			UserPoolId: aws.String(id), DeletionProtection: types.DeletionProtectionTypeActive,
		})
		noErr(t, err)
		out, err := s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
		noErr(t, err)
		p := out.UserPool
		if len(p.AutoVerifiedAttributes) != 0 {
			t.Errorf("AutoVerifiedAttributes = %v", p.AutoVerifiedAttributes)
		}
		if aws.ToInt32(p.Policies.PasswordPolicy.MinimumLength) != 8 {
			t.Errorf("MinimumLength = %d", aws.ToInt32(p.Policies.PasswordPolicy.MinimumLength))
		}
		if u := p.UserAttributeUpdateSettings; u == nil || len(u.AttributesRequireVerificationBeforeUpdate) != 0 {
			t.Errorf("UserAttributeUpdateSettings = %s", testserver.String(u))
		}
		if aws.ToString(p.EmailVerificationSubject) != "Your verification code" {
			t.Errorf("EmailVerificationSubject = %q", aws.ToString(p.EmailVerificationSubject))
		}
		if p.DeletionProtection != types.DeletionProtectionTypeActive {
			t.Errorf("DeletionProtection = %s", p.DeletionProtection)
		}
		if aws.ToString(p.Name) != "test" {
			t.Errorf("Name = %q", aws.ToString(p.Name))
		}
	})
	t.Run("update verification settings need auto-verified", func(t *testing.T) {
		id := s.Pool(t, nil)
		_, err := s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
			UserPoolId: aws.String(id),
			UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{
				AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			},
		})
		testserver.WantError[*types.InvalidParameterException](t, err,
			"All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes")
	})
	t.Run("update missing", func(t *testing.T) {
		_, err := s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String("us-east-1_missing00")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_missing00 does not exist.")
	})
	t.Run("delete", func(t *testing.T) {
		id := s.Pool(t, nil)
		client := s.AppClient(t, id, nil)
		_, err := s.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
		noErr(t, err)
		_, err = s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool "+id+" does not exist.")
		_, err = s.PasswordAuth(client, "a", "b", nil)
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client "+client+" does not exist.")
		_, err = s.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool "+id+" does not exist.")
	})
	t.Run("deletion protection", func(t *testing.T) {
		id := s.Pool(t, &cip.CreateUserPoolInput{DeletionProtection: types.DeletionProtectionTypeActive})
		_, err := s.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
		testserver.WantError[*types.InvalidParameterException](t, err,
			"The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
		_, err = s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(id)})
		noErr(t, err)
		_, err = s.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
		noErr(t, err)
	})
	t.Run("add custom attributes", func(t *testing.T) {
		id := s.Pool(t, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
			{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString},
		}})
		_, err := s.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(id),
			CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber}}})
		noErr(t, err)
		out, err := s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
		noErr(t, err)
		if a, ok := schemaByName(out.UserPool.SchemaAttributes)["custom:level"]; !ok || a.AttributeDataType != types.AttributeDataTypeNumber {
			t.Errorf("custom:level = %s", testserver.String(a))
		}
		_, err = s.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(id),
			CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString}}})
		testserver.WantError[*types.InvalidParameterException](t, err, "custom:tier: Existing attribute already has name custom:tier.")
		_, err = s.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(id),
			CustomAttributes: []types.SchemaAttributeType{
				{Name: aws.String("twin"), AttributeDataType: types.AttributeDataTypeString},
				{Name: aws.String("twin"), AttributeDataType: types.AttributeDataTypeString},
			}})
		testserver.WantError[*types.InvalidParameterException](t, err, "custom:twin: Existing attribute already has name custom:twin.")
		var many []types.SchemaAttributeType
		for i := range 49 {
			many = append(many, types.SchemaAttributeType{Name: aws.String(fmt.Sprintf("a%d", i)), AttributeDataType: types.AttributeDataTypeString})
		}
		for _, part := range [][]types.SchemaAttributeType{many[:24], many[24:48]} {
			_, err = s.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(id), CustomAttributes: part})
			noErr(t, err) // 2 + 48 = 50, the limit
		}
		_, err = s.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(id), CustomAttributes: many[48:]})
		testserver.WantError[*types.InvalidParameterException](t, err, "A user pool can have at most 50 custom attributes.")
		_, err = s.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String("us-east-1_missing00"), CustomAttributes: many[:1]})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_missing00 does not exist.")
	})
	t.Run("list pagination", func(t *testing.T) {
		s := testserver.Start(t)
		want := map[string]bool{}
		for range 5 {
			want[s.Pool(t, nil)] = true
		}
		seen := map[string]bool{}
		var token *string
		pages := 0
		for {
			out, err := s.Client.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(2), NextToken: token})
			noErr(t, err)
			pages++
			if len(out.UserPools) > 2 {
				t.Fatalf("page of %d pools", len(out.UserPools))
			}
			for _, p := range out.UserPools {
				if seen[aws.ToString(p.Id)] {
					t.Errorf("pool %s listed twice", aws.ToString(p.Id))
				}
				seen[aws.ToString(p.Id)] = true
				if aws.ToString(p.Name) != "test" || p.CreationDate == nil {
					t.Errorf("description = %s", testserver.String(p))
				}
			}
			if out.NextToken == nil {
				break
			}
			token = out.NextToken
		}
		if pages != 3 || len(seen) != len(want) {
			t.Errorf("pages %d, pools %d, want 3 and %d", pages, len(seen), len(want))
		}
		for id := range want {
			if !seen[id] {
				t.Errorf("pool %s not listed", id)
			}
		}
	})
}
