package e2e

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

func TestTerms(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	pool := aws.String(e.pool)
	create := func(clientID, name string, links map[string]string) (*types.TermsType, error) {
		out, err := e.s.Client.CreateTerms(ctx, &cip.CreateTermsInput{UserPoolId: pool, ClientId: aws.String(clientID), TermsName: aws.String(name),
			TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone, Links: links})
		if err != nil {
			return nil, err
		}
		return out.Terms, nil
	}
	describe := func(id string) (*types.TermsType, error) {
		out, err := e.s.Client.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: pool, TermsId: aws.String(id)})
		if err != nil {
			return nil, err
		}
		return out.Terms, nil
	}

	links := map[string]string{"cognito:default": "https://example.com/terms", "cognito:french": "https://example.com/fr/conditions"}
	var tou, pp *types.TermsType
	t.Run("create one of each name", func(t *testing.T) {
		var err error
		tou, err = create(e.client, "terms-of-use", links)
		noErr(t, err)
		if !uuidV4.MatchString(aws.ToString(tou.TermsId)) || aws.ToString(tou.UserPoolId) != e.pool || aws.ToString(tou.ClientId) != e.client ||
			aws.ToString(tou.TermsName) != "terms-of-use" || tou.TermsSource != types.TermsSourceTypeLink || tou.Enforcement != types.TermsEnforcementTypeNone ||
			!reflect.DeepEqual(tou.Links, links) || tou.CreationDate == nil || tou.LastModifiedDate == nil {
			t.Fatalf("Create = %+v", tou)
		}
		pp, err = create(e.client, "privacy-policy", map[string]string{"cognito:default": "https://example.com/privacy"})
		noErr(t, err)
		got, err := describe(aws.ToString(tou.TermsId))
		noErr(t, err)
		if !reflect.DeepEqual(got, tou) {
			t.Fatalf("Describe = %+v, want %+v", got, tou)
		}
	})
	t.Run("one of each name per client", func(t *testing.T) {
		_, err := create(e.client, "terms-of-use", links)
		testserver.WantError[*types.TermsExistsException](t, err, "Terms terms-of-use already exist for client "+e.client+".")
		other := e.s.AppClient(t, e.pool, nil)
		_, err = create(other, "terms-of-use", links)
		noErr(t, err)
	})
	t.Run("update changes what it names", func(t *testing.T) {
		newLinks := map[string]string{"cognito:default": "https://example.com/v2/terms"}
		out, err := e.s.Client.UpdateTerms(ctx, &cip.UpdateTermsInput{UserPoolId: pool, TermsId: tou.TermsId, Links: newLinks})
		noErr(t, err)
		got, err := describe(aws.ToString(tou.TermsId))
		noErr(t, err)
		for _, x := range []*types.TermsType{out.Terms, got} {
			if !reflect.DeepEqual(x.Links, newLinks) || aws.ToString(x.TermsName) != "terms-of-use" || x.Enforcement != types.TermsEnforcementTypeNone || !x.CreationDate.Equal(*tou.CreationDate) {
				t.Fatalf("after update: %+v", x)
			}
		}
	})
	t.Run("update to a taken name", func(t *testing.T) {
		_, err := e.s.Client.UpdateTerms(ctx, &cip.UpdateTermsInput{UserPoolId: pool, TermsId: tou.TermsId, TermsName: aws.String("privacy-policy")})
		testserver.WantError[*types.TermsExistsException](t, err, "Terms privacy-policy already exist for client "+e.client+".")
	})
	t.Run("rename frees the old name", func(t *testing.T) {
		_, err := e.s.Client.DeleteTerms(ctx, &cip.DeleteTermsInput{UserPoolId: pool, TermsId: pp.TermsId})
		noErr(t, err)
		_, err = describe(aws.ToString(pp.TermsId))
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Terms does not exist.")
		_, err = e.s.Client.UpdateTerms(ctx, &cip.UpdateTermsInput{UserPoolId: pool, TermsId: tou.TermsId, TermsName: aws.String("privacy-policy")})
		noErr(t, err)
		tou2, err := create(e.client, "terms-of-use", links)
		noErr(t, err)
		pp, tou = tou, tou2
	})

	invalid := []struct {
		name  string
		links map[string]string
		msg   string
	}{
		{"no links", nil, "Links are required when TermsSource is LINK."},
		{"not a web URL", map[string]string{"cognito:default": "javascript:alert(1)"}, "The link for cognito:default is not a valid URL."},
		{"relative URL", map[string]string{"cognito:default": "https://example.com/t", "cognito:german": "/de/agb"}, "The link for cognito:german is not a valid URL."},
	}
	fresh := e.s.AppClient(t, e.pool, nil)
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := create(fresh, "terms-of-use", tc.links)
			testserver.WantError[*types.InvalidParameterException](t, err, tc.msg)
		})
	}
	t.Run("unknown language", func(t *testing.T) {
		_, err := create(fresh, "terms-of-use", map[string]string{"cognito:klingon": "https://example.com/t"})
		var ipe *types.InvalidParameterException
		if !errors.As(err, &ipe) {
			t.Fatalf("err = %v, want InvalidParameterException", err)
		}
	})

	t.Run("list pages through every client's terms", func(t *testing.T) {
		var ids []string
		var token *string
		for pages := 0; ; pages++ {
			out, err := e.s.Client.ListTerms(ctx, &cip.ListTermsInput{UserPoolId: pool, MaxResults: aws.Int32(2), NextToken: token})
			noErr(t, err)
			if len(out.Terms) > 2 || pages > 3 {
				t.Fatalf("page of %d after %d pages", len(out.Terms), pages)
			}
			for _, d := range out.Terms {
				if d.TermsName == nil || d.Enforcement != types.TermsEnforcementTypeNone || d.CreationDate == nil || d.LastModifiedDate == nil {
					t.Errorf("description %+v lacks members", d)
				}
				ids = append(ids, aws.ToString(d.TermsId))
			}
			if token = out.NextToken; token == nil {
				break
			}
		}
		if len(ids) != 3 || !sort.StringsAreSorted(ids) {
			t.Fatalf("listed %v, want the 3 terms documents in ID order", ids)
		}
		_, err := e.s.Client.ListTerms(ctx, &cip.ListTermsInput{UserPoolId: pool, NextToken: aws.String("!!")})
		testserver.WantError[*types.InvalidParameterException](t, err, "Invalid pagination token.")
	})

	t.Run("deleting the client drops its terms", func(t *testing.T) {
		_, err := e.s.Client.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: pool, ClientId: aws.String(e.client)})
		noErr(t, err)
		for _, id := range []*string{tou.TermsId, pp.TermsId} {
			_, err = describe(aws.ToString(id))
			testserver.WantError[*types.ResourceNotFoundException](t, err, "Terms does not exist.")
		}
		err = e.s.App.Store.View(ctx, func(tx store.Tx) error {
			_, err := tx.GetItem(e.pool, core.TermsByClientKind, core.TermsIndexKey(e.client, "terms-of-use"))
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("terms index of deleted client: got %v, want ErrNotFound", err)
		}
	})

	t.Run("unknown pool, client and ID", func(t *testing.T) {
		_, err := e.s.Client.ListTerms(ctx, &cip.ListTermsInput{UserPoolId: aws.String("us-east-1_Nope")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
		_, err = create("nope", "terms-of-use", links)
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client nope does not exist.")
		const unknown = "7f0b6a4e-2c1d-4e8f-9a3b-5d6c7e8f9a0b"
		_, err = e.s.Client.UpdateTerms(ctx, &cip.UpdateTermsInput{UserPoolId: pool, TermsId: aws.String(unknown), Links: links})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Terms does not exist.")
		_, err = e.s.Client.DeleteTerms(ctx, &cip.DeleteTermsInput{UserPoolId: pool, TermsId: aws.String(unknown)})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Terms does not exist.")
	})
}
