package e2e

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

func TestUserPoolDomains(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	c := e.s.Client
	other := e.s.Pool(t, nil)
	create := func(pool, domain string) (*cip.CreateUserPoolDomainOutput, error) {
		return c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(domain)})
	}
	describe := func(t *testing.T, domain string) *types.DomainDescriptionType {
		t.Helper()
		out, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String(domain)})
		noErr(t, err)
		return out.DomainDescription
	}
	poolDomains := func(t *testing.T, pool string) (string, string) {
		t.Helper()
		out, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
		noErr(t, err)
		return aws.ToString(out.UserPool.Domain), aws.ToString(out.UserPool.CustomDomain)
	}

	t.Run("unknown domain describes empty", func(t *testing.T) {
		d := describe(t, "nobody-has-this")
		if d == nil || d.UserPoolId != nil || d.Domain != nil || d.Status != "" {
			t.Errorf("described %+v, want an empty description", d)
		}
	})

	t.Run("create prefix domain", func(t *testing.T) {
		out, err := create(e.pool, "my-app")
		noErr(t, err)
		if aws.ToInt32(out.ManagedLoginVersion) != 1 || out.CloudFrontDomain != nil {
			t.Errorf("created %+v", out)
		}
		d := describe(t, "my-app")
		if aws.ToString(d.UserPoolId) != e.pool || aws.ToString(d.Domain) != "my-app" || d.Status != types.DomainStatusTypeActive ||
			aws.ToString(d.AWSAccountId) == "" || aws.ToInt32(d.ManagedLoginVersion) != 1 || d.CustomDomainConfig != nil {
			t.Errorf("described %+v", d)
		}
		if prefix, custom := poolDomains(t, e.pool); prefix != "my-app" || custom != "" {
			t.Errorf("DescribeUserPool Domain %q CustomDomain %q", prefix, custom)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		_, err := create(other, "my-app")
		testserver.WantError[*types.InvalidParameterException](t, err, "Domain already associated with another user pool.")
		_, err = create(e.pool, "my-app")
		testserver.WantError[*types.InvalidParameterException](t, err, "User pool already has a domain configured.")
		_, err = create(e.pool, "second-one")
		testserver.WantError[*types.InvalidParameterException](t, err, "User pool already has a domain configured.")
		for word, domain := range map[string]string{"aws": "my-aws-app", "amazon": "amazonish", "cognito": "login-cognito"} {
			_, err = create(other, domain)
			testserver.WantError[*types.InvalidParameterException](t, err, "Domain cannot contain reserved word: "+word)
		}
		_, err = create(other, "Upper")
		testserver.WantError[*types.InvalidParameterException](t, err,
			"1 validation error detected: Value 'Upper' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$")
		_, err = create(other, "-dash")
		testserver.WantError[*types.InvalidParameterException](t, err,
			"1 validation error detected: Value '-dash' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$")
		_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(other), Domain: aws.String("fine"), ManagedLoginVersion: aws.Int32(3)})
		testserver.WantError[*types.InvalidParameterException](t, err, "ManagedLoginVersion must be 1 or 2, not 3.")
		_, err = create("us-east-1_Nope", "fine")
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
		if d := describe(t, "fine"); d.Domain != nil {
			t.Errorf("a refused domain was stored: %+v", d)
		}
	})

	t.Run("update managed login version", func(t *testing.T) {
		out, err := c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: aws.String(e.pool), Domain: aws.String("my-app"), ManagedLoginVersion: aws.Int32(2)})
		noErr(t, err)
		if aws.ToInt32(out.ManagedLoginVersion) != 2 || out.CloudFrontDomain != nil {
			t.Errorf("updated %+v", out)
		}
		if v := aws.ToInt32(describe(t, "my-app").ManagedLoginVersion); v != 2 {
			t.Errorf("described version %d, want 2", v)
		}
		// Another pool cannot touch it, nor give a prefix domain a certificate.
		_, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: aws.String(other), Domain: aws.String("my-app"), ManagedLoginVersion: aws.Int32(1)})
		testserver.WantError[*types.InvalidParameterException](t, err, "No such domain or user pool exists.")
		_, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: aws.String(e.pool), Domain: aws.String("my-app"),
			CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:certificate/abc")}})
		testserver.WantError[*types.InvalidParameterException](t, err, "CustomDomainConfig can only be set for a custom domain.")
	})

	t.Run("custom domain", func(t *testing.T) {
		arn := "arn:aws:acm:us-east-1:000000000000:certificate/1111"
		out, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(e.pool), Domain: aws.String("auth-example"),
			ManagedLoginVersion: aws.Int32(2), CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(arn)}})
		noErr(t, err)
		cf := aws.ToString(out.CloudFrontDomain)
		if !regexp.MustCompile(`^d[a-z0-9]{13}\.cloudfront\.net$`).MatchString(cf) || aws.ToInt32(out.ManagedLoginVersion) != 2 {
			t.Errorf("created %+v (CloudFront %q)", out, cf)
		}
		d := describe(t, "auth-example")
		if aws.ToString(d.CloudFrontDistribution) != cf || d.CustomDomainConfig == nil || aws.ToString(d.CustomDomainConfig.CertificateArn) != arn {
			t.Errorf("described %+v", d)
		}
		if prefix, custom := poolDomains(t, e.pool); prefix != "my-app" || custom != "auth-example" {
			t.Errorf("DescribeUserPool Domain %q CustomDomain %q", prefix, custom)
		}
		arn2 := "arn:aws:acm:us-east-1:000000000000:certificate/2222"
		u, err := c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: aws.String(e.pool), Domain: aws.String("auth-example"),
			CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(arn2)}})
		noErr(t, err)
		if aws.ToString(u.CloudFrontDomain) != cf || aws.ToInt32(u.ManagedLoginVersion) != 2 {
			t.Errorf("updated %+v", u)
		}
		if got := aws.ToString(describe(t, "auth-example").CustomDomainConfig.CertificateArn); got != arn2 {
			t.Errorf("certificate %q after update, want %q", got, arn2)
		}
	})

	t.Run("delete frees the name", func(t *testing.T) {
		_, err := c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: aws.String(other), Domain: aws.String("my-app")})
		testserver.WantError[*types.InvalidParameterException](t, err, "No such domain or user pool exists.")
		_, err = c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: aws.String(e.pool), Domain: aws.String("my-app")})
		noErr(t, err)
		if d := describe(t, "my-app"); d.Domain != nil {
			t.Errorf("deleted domain still described: %+v", d)
		}
		if prefix, custom := poolDomains(t, e.pool); prefix != "" || custom != "auth-example" {
			t.Errorf("DescribeUserPool Domain %q CustomDomain %q after delete", prefix, custom)
		}
		_, err = c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: aws.String(e.pool), Domain: aws.String("my-app")})
		testserver.WantError[*types.InvalidParameterException](t, err, "No such domain or user pool exists.")
		_, err = create(other, "my-app")
		noErr(t, err)
		if got := aws.ToString(describe(t, "my-app").UserPoolId); got != other {
			t.Errorf("my-app belongs to %q, want %q", got, other)
		}
	})

	t.Run("racing pools get the name once", func(t *testing.T) {
		pools := []string{e.s.Pool(t, nil), e.s.Pool(t, nil), e.s.Pool(t, nil), e.s.Pool(t, nil)}
		errs := make(chan error, len(pools))
		for _, p := range pools {
			go func() {
				_, err := create(p, "contested")
				errs <- err
			}()
		}
		won := 0
		for range pools {
			if err := <-errs; err == nil {
				won++
			} else {
				testserver.WantError[*types.InvalidParameterException](t, err, "Domain already associated with another user pool.")
			}
		}
		if won != 1 {
			t.Errorf("%d pools got the domain, want 1", won)
		}
	})

	t.Run("deleting the pool frees its domains", func(t *testing.T) {
		_, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(other)})
		noErr(t, err)
		if d := describe(t, "my-app"); d.Domain != nil {
			t.Errorf("domain of a deleted pool still described: %+v", d)
		}
		_, err = create(e.pool, "my-app")
		noErr(t, err)
		_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(e.pool)})
		noErr(t, err)
		for _, name := range []string{"my-app", "auth-example"} {
			if d := describe(t, name); d.Domain != nil {
				t.Errorf("%s still described after its pool was deleted: %+v", name, d)
			}
		}
		p := e.s.Pool(t, nil)
		_, err = create(p, "my-app")
		noErr(t, err)
	})
}
