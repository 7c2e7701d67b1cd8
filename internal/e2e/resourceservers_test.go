package e2e

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/userpool/resourceservers"
)

func scope(name, desc string) types.ResourceServerScopeType {
	return types.ResourceServerScopeType{ScopeName: aws.String(name), ScopeDescription: aws.String(desc)}
}

// scopesOf renders scopes as "name=description" strings.
func scopesOf(s []types.ResourceServerScopeType) []string {
	out := []string{}
	for _, sc := range s {
		out = append(out, aws.ToString(sc.ScopeName)+"="+aws.ToString(sc.ScopeDescription))
	}
	return out
}

func TestResourceServers(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	c := e.s.Client
	create := func(id string, scopes ...types.ResourceServerScopeType) (*cip.CreateResourceServerOutput, error) {
		return c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
			UserPoolId: aws.String(e.pool), Identifier: aws.String(id), Name: aws.String("api"), Scopes: scopes,
		})
	}

	t.Run("create and describe", func(t *testing.T) {
		out, err := create("https://api.example.com", scope("read", "Read things"), scope("write", "Write things"))
		noErr(t, err)
		rs := out.ResourceServer
		if aws.ToString(rs.UserPoolId) != e.pool || aws.ToString(rs.Identifier) != "https://api.example.com" || aws.ToString(rs.Name) != "api" {
			t.Errorf("created %+v", rs)
		}
		if got, want := scopesOf(rs.Scopes), []string{"read=Read things", "write=Write things"}; !reflect.DeepEqual(got, want) {
			t.Errorf("scopes %v, want %v", got, want)
		}
		d, err := c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String("https://api.example.com")})
		noErr(t, err)
		if !reflect.DeepEqual(scopesOf(d.ResourceServer.Scopes), scopesOf(rs.Scopes)) || aws.ToString(d.ResourceServer.Name) != aws.ToString(rs.Name) {
			t.Errorf("described %+v, created %+v", d.ResourceServer, rs)
		}
	})

	t.Run("duplicate", func(t *testing.T) {
		_, err := create("https://api.example.com")
		testserver.WantError[*types.InvalidParameterException](t, err, "https://api.example.com already exists in "+e.pool)
	})

	t.Run("update replaces scopes", func(t *testing.T) {
		out, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{
			UserPoolId: aws.String(e.pool), Identifier: aws.String("https://api.example.com"), Name: aws.String("renamed"),
			Scopes: []types.ResourceServerScopeType{scope("admin", "Everything")},
		})
		noErr(t, err)
		if aws.ToString(out.ResourceServer.Name) != "renamed" {
			t.Errorf("name %q", aws.ToString(out.ResourceServer.Name))
		}
		d, err := c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String("https://api.example.com")})
		noErr(t, err)
		if got, want := scopesOf(d.ResourceServer.Scopes), []string{"admin=Everything"}; !reflect.DeepEqual(got, want) || aws.ToString(d.ResourceServer.Name) != "renamed" {
			t.Errorf("after update: %q %v, want renamed %v", aws.ToString(d.ResourceServer.Name), got, want)
		}
	})

	t.Run("list pages", func(t *testing.T) {
		for _, id := range []string{"b", "a", "d", "c"} {
			_, err := create(id)
			noErr(t, err)
		}
		var ids []string
		pages := 0
		p := cip.NewListResourceServersPaginator(c, &cip.ListResourceServersInput{UserPoolId: aws.String(e.pool), MaxResults: aws.Int32(2)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			noErr(t, err)
			pages++
			if len(page.ResourceServers) > 2 {
				t.Fatalf("page of %d, max 2", len(page.ResourceServers))
			}
			for _, rs := range page.ResourceServers {
				ids = append(ids, aws.ToString(rs.Identifier))
			}
		}
		if want := []string{"a", "b", "c", "d", "https://api.example.com"}; !reflect.DeepEqual(ids, want) || pages != 3 {
			t.Errorf("listed %v in %d pages, want %v in 3", ids, pages, want)
		}
		_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(e.pool), MaxResults: aws.Int32(51)})
		testserver.WantError[*types.InvalidParameterException](t, err,
			"1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50")
	})

	t.Run("delete", func(t *testing.T) {
		_, err := c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String("d")})
		noErr(t, err)
		_, err = c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String("d")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Resource server d does not exist.")
		_, err = c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String("d")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Resource server d does not exist.")
	})

	t.Run("unknown pool or identifier", func(t *testing.T) {
		_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String("us-east-1_Nope"), Identifier: aws.String("x"), Name: aws.String("x")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
		_, err = c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String("us-east-1_Nope")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
		_, err = c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String("nope"), Name: aws.String("x")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Resource server nope does not exist.")
	})

	t.Run("name with a slash", func(t *testing.T) {
		_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String("ok"), Name: aws.String("a/b")})
		testserver.WantError[*types.InvalidParameterException](t, err,
			"1 validation error detected: Value 'a/b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")
	})

	t.Run("constraints", func(t *testing.T) {
		long := strings.Repeat("i", 257)
		for _, tc := range []struct {
			name string
			in   *cip.CreateResourceServerInput
			msg  string
		}{
			{"identifier too long", &cip.CreateResourceServerInput{Identifier: aws.String(long), Name: aws.String("n")},
				"1 validation error detected: Value '" + long + "' at 'identifier' failed to satisfy constraint: Member must have length less than or equal to 256"},
			{"identifier with a space", &cip.CreateResourceServerInput{Identifier: aws.String("a b"), Name: aws.String("n")},
				"1 validation error detected: Value 'a b' at 'identifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+"},
			{"scope name with a slash", &cip.CreateResourceServerInput{Identifier: aws.String("ok"), Name: aws.String("n"), Scopes: []types.ResourceServerScopeType{scope("a/b", "d")}},
				"1 validation error detected: Value 'a/b' at 'scopes.1.member.scopeName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+"},
			{"too many scopes", &cip.CreateResourceServerInput{Identifier: aws.String("ok"), Name: aws.String("n"), Scopes: manyScopes(101)}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.in.UserPoolId = aws.String(e.pool)
				_, err := c.CreateResourceServer(ctx, tc.in)
				if tc.msg == "" {
					var ipe *types.InvalidParameterException
					if !errors.As(err, &ipe) || !strings.Contains(ipe.ErrorMessage(), "at 'scopes' failed to satisfy constraint: Member must have length less than or equal to 100") {
						t.Fatalf("err %v, want InvalidParameterException on scopes", err)
					}
				} else {
					testserver.WantError[*types.InvalidParameterException](t, err, tc.msg)
				}
				if aws.ToString(tc.in.Identifier) == "ok" {
					_, err = c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: tc.in.Identifier})
					testserver.WantError[*types.ResourceNotFoundException](t, err, "Resource server ok does not exist.")
				}
			})
		}
	})

	t.Run("quota", func(t *testing.T) {
		pool := e.s.Pool(t, nil)
		for i := range resourceservers.MaxPerPool {
			_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(fmt.Sprintf("rs%02d", i)), Name: aws.String("n")})
			noErr(t, err)
		}
		_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("one-more"), Name: aws.String("n")})
		testserver.WantError[*types.LimitExceededException](t, err, "The user pool has reached its limit of 25 resource servers.")
		out, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(50)})
		noErr(t, err)
		if len(out.ResourceServers) != 25 || out.NextToken != nil {
			t.Errorf("listed %d (next %v), want 25 and no next token", len(out.ResourceServers), out.NextToken)
		}
	})

	// The store conformance suite checks that DeletePool removes the items;
	// here the resource servers must go with the pool through the API.
	t.Run("DeleteUserPool removes them", func(t *testing.T) {
		_, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(e.pool)})
		noErr(t, err)
		_, err = c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(e.pool), Identifier: aws.String("a")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool "+e.pool+" does not exist.")
	})
}

func manyScopes(n int) []types.ResourceServerScopeType {
	out := make([]types.ResourceServerScopeType, n)
	for i := range out {
		out[i] = scope(fmt.Sprintf("s%d", i), "d")
	}
	return out
}
