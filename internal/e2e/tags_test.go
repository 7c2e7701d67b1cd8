package e2e

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// poolARN returns a pool's ARN as DescribeUserPool shows it.
func (e *env) poolARN(t *testing.T, pool string) string {
	t.Helper()
	out, err := e.s.Client.DescribeUserPool(context.Background(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
	noErr(t, err)
	return aws.ToString(out.UserPool.Arn)
}

// tagsOf returns a pool's tags as ListTagsForResource and DescribeUserPool
// show them, failing the test when the two differ.
func (e *env) tagsOf(t *testing.T, pool string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out, err := e.s.Client.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String(e.poolARN(t, pool))})
	noErr(t, err)
	d, err := e.s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
	noErr(t, err)
	if !maps.Equal(out.Tags, d.UserPool.UserPoolTags) {
		t.Fatalf("ListTagsForResource %v, DescribeUserPool UserPoolTags %v", out.Tags, d.UserPool.UserPoolTags)
	}
	return out.Tags
}

func wantTags(t *testing.T, got, want map[string]string) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Fatalf("tags = %v, want %v", got, want)
	}
}

// numberedTags returns n tags k0..k(n-1).
func numberedTags(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprintf("k%d", i)] = "v"
	}
	return m
}

// TestPoolTags: CreateUserPool's UserPoolTags, TagResource, UntagResource
// and UpdateUserPool all act on the one tag set that ListTagsForResource
// and DescribeUserPool show.
func TestPoolTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &cip.CreateUserPoolInput{UserPoolTags: map[string]string{"env": "test", "team": "id"}}, nil)
	ctx := context.Background()
	arn := e.poolARN(t, e.pool)
	wantTags(t, e.tagsOf(t, e.pool), map[string]string{"env": "test", "team": "id"})

	before, err := e.s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(e.pool)})
	noErr(t, err)
	_, err = e.s.Client.TagResource(ctx, &cip.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "prod", "owner": "", "cost": "42"}})
	noErr(t, err)
	wantTags(t, e.tagsOf(t, e.pool), map[string]string{"env": "prod", "team": "id", "owner": "", "cost": "42"})
	after, err := e.s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(e.pool)})
	noErr(t, err)
	if !aws.ToTime(after.UserPool.LastModifiedDate).Equal(aws.ToTime(before.UserPool.LastModifiedDate)) {
		t.Errorf("TagResource moved LastModifiedDate")
	}

	_, err = e.s.Client.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team", "absent"}})
	noErr(t, err)
	wantTags(t, e.tagsOf(t, e.pool), map[string]string{"env": "prod", "owner": "", "cost": "42"})

	// An update without UserPoolTags keeps them; one with them replaces
	// the set.
	_, err = e.s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(e.pool)})
	noErr(t, err)
	wantTags(t, e.tagsOf(t, e.pool), map[string]string{"env": "prod", "owner": "", "cost": "42"})
	_, err = e.s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(e.pool), UserPoolTags: map[string]string{"only": "this"}})
	noErr(t, err)
	wantTags(t, e.tagsOf(t, e.pool), map[string]string{"only": "this"})

	// A pool created without tags lists none, as an empty map.
	other := e.s.Pool(t, nil)
	if got := e.tagsOf(t, other); got == nil || len(got) != 0 {
		t.Errorf("untagged pool: tags = %#v, want {}", got)
	}
	// Tags are per pool.
	_, err = e.s.Client.TagResource(ctx, &cip.TagResourceInput{ResourceArn: aws.String(e.poolARN(t, other)), Tags: map[string]string{"x": "y"}})
	noErr(t, err)
	wantTags(t, e.tagsOf(t, e.pool), map[string]string{"only": "this"})
}

// TestPoolTagLimits: 50 tags per pool, counted after the merge; a refused
// request changes nothing.
func TestPoolTagLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &cip.CreateUserPoolInput{UserPoolTags: numberedTags(49)}, nil)
	ctx := context.Background()
	arn := aws.String(e.poolARN(t, e.pool))
	const msg = "A user pool can have at most 50 tags."

	// Replacing a value does not add a tag; one new key reaches the limit.
	_, err := e.s.Client.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k0": "new", "k49": "v"}})
	noErr(t, err)
	want := numberedTags(50)
	want["k0"] = "new"
	wantTags(t, e.tagsOf(t, e.pool), want)

	_, err = e.s.Client.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k1": "changed", "k50": "v"}})
	testserver.WantError[*types.InvalidParameterException](t, err, msg)
	wantTags(t, e.tagsOf(t, e.pool), want)

	_, err = e.s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(e.pool), UserPoolTags: numberedTags(51)})
	testserver.WantError[*types.InvalidParameterException](t, err, msg)
	wantTags(t, e.tagsOf(t, e.pool), want)

	_, err = e.s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("many"), UserPoolTags: numberedTags(51)})
	testserver.WantError[*types.InvalidParameterException](t, err, msg)

	// The model's bounds are checked at the edge: keys 1..128, values
	// 0..256.
	_, err = e.s.Client.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k0": strings.Repeat("v", 257)}})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Errorf("value of 257 characters: err = %v, want InvalidParameterException", err)
	}
	_, err = e.s.Client.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{strings.Repeat("k", 129): "v"}})
	if !errors.As(err, &ipe) {
		t.Errorf("key of 129 characters: err = %v, want InvalidParameterException", err)
	}
	wantTags(t, e.tagsOf(t, e.pool), want)
}

// TestPoolTagARNs: an ARN that is not a user pool ARN is a parameter
// error; a user pool ARN of no pool here is not found, for all three
// operations.
func TestPoolTagARNs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	arn := e.poolARN(t, e.pool)
	region := strings.Split(arn, ":")[3]
	cases := []struct {
		name, arn string
		notFound  string // the pool a ResourceNotFoundException names; "" for InvalidParameterException
	}{
		{"another service", "arn:aws:cognito-identity:" + region + ":000000000000:identitypool/" + e.pool, ""},
		{"not a pool", "arn:aws:cognito-idp:" + region + ":000000000000:userpoolclient/" + e.pool, ""},
		{"no pool ID", "arn:aws:cognito-idp:" + region + ":000000000000:userpool/", ""},
		{"unknown pool", "arn:aws:cognito-idp:" + region + ":000000000000:userpool/" + region + "_Nope", region + "_Nope"},
		{"another account", "arn:aws:cognito-idp:" + region + ":123456789012:userpool/" + e.pool, e.pool},
		{"another region", "arn:aws:cognito-idp:eu-north-9:000000000000:userpool/" + e.pool, e.pool},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check := func(err error) {
				t.Helper()
				if c.notFound == "" {
					testserver.WantError[*types.InvalidParameterException](t, err, "Invalid ResourceArn: "+c.arn+" is not a user pool ARN.")
					return
				}
				testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool "+c.notFound+" does not exist.")
			}
			_, err := e.s.Client.TagResource(ctx, &cip.TagResourceInput{ResourceArn: aws.String(c.arn), Tags: map[string]string{"a": "b"}})
			check(err)
			_, err = e.s.Client.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: aws.String(c.arn), TagKeys: []string{"a"}})
			check(err)
			_, err = e.s.Client.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String(c.arn)})
			check(err)
		})
	}
	wantTags(t, e.tagsOf(t, e.pool), map[string]string{})

	// A deleted pool's ARN names nothing.
	_, err := e.s.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(e.pool)})
	noErr(t, err)
	_, err = e.s.Client.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool "+e.pool+" does not exist.")
}
