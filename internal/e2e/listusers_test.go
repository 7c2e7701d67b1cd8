package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// listNames runs ListUsers with filter, following every page of limit,
// and returns the usernames in order.
func listNames(t *testing.T, s *testserver.Server, pool, filter string, limit int32) []string {
	t.Helper()
	names := []string{}
	in := &cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(limit)}
	if filter != "" {
		in.Filter = aws.String(filter)
	}
	p := cip.NewListUsersPaginator(s.Client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		noErr(t, err)
		if len(page.Users) > int(limit) {
			t.Fatalf("page of %d users, limit %d", len(page.Users), limit)
		}
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.Username))
		}
	}
	return names
}

func TestListUsersFilters(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
		{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}}})
	s.User(t, pool, "ann", "email", "ann@example.com", "phone_number", "+15555550101", "name", "Ann Lee",
		"given_name", "Ann", "family_name", "Lee", "preferred_username", "annie")
	s.User(t, pool, "Bob", "email", "bob@example.com", "phone_number", "+15555550102", "name", "Bob Lee",
		"given_name", "Bob", "family_name", "Lee", "preferred_username", "bobby", "custom:tier", "gold")
	s.TempUser(t, pool, "cy", testserver.Password, "email", "cy@example.org", "phone_number", "+4415555550103",
		"name", "Cy Ng", "given_name", "Cy", "family_name", "Ng")
	_, err := s.Client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("cy")})
	noErr(t, err)
	sub := s.UserAttrs(t, pool, "ann")["sub"]

	for _, tc := range []struct{ filter, want string }{
		// Every attribute Cognito can search, with both operators.
		{`username = "ann"`, "[ann]"},
		{`username = "bob"`, "[]"}, // case-sensitive
		{`username ^= "B"`, "[Bob]"},
		{`email = "bob@example.com"`, "[Bob]"},
		{`email ^= "c"`, "[cy]"},
		{`phone_number = "+15555550102"`, "[Bob]"},
		{`phone_number ^= "+1555"`, "[ann Bob]"},
		{`name = "Cy Ng"`, "[cy]"},
		{`name ^= "Bob "`, "[Bob]"},
		{`given_name = "Ann"`, "[ann]"},
		{`given_name ^= ""`, "[ann Bob cy]"},
		{`family_name = "Lee"`, "[ann Bob]"}, // same value: by username (folded: the pool ignores case)
		{`family_name ^= "N"`, "[cy]"},
		{`preferred_username = "bobby"`, "[Bob]"},
		{`preferred_username ^= "ann"`, "[ann]"},
		{`cognito:user_status = "FORCE_CHANGE_PASSWORD"`, "[cy]"},
		{`cognito:user_status = "confirmed"`, "[ann Bob]"}, // case-insensitive
		{`cognito:user_status ^= "force"`, "[cy]"},
		{`status = "Disabled"`, "[cy]"},
		{`status = "disabled"`, "[]"}, // case-sensitive
		{`status ^= "En"`, "[ann Bob]"},
		{`sub = "` + sub + `"`, "[ann]"},
		{`sub ^= "` + sub[:8] + `"`, "[ann]"},
		// Results follow the matched value, then the username.
		{`email ^= ""`, "[ann Bob cy]"},
		{`phone_number ^= "+"`, "[ann Bob cy]"},
	} {
		for _, limit := range []int32{1, 2, 60} {
			if got := fmt.Sprint(listNames(t, s, pool, tc.filter, limit)); got != tc.want {
				t.Errorf("%s (limit %d): users %s, want %s", tc.filter, limit, got, tc.want)
			}
		}
	}
	t.Run("custom attributes are not searchable", func(t *testing.T) {
		_, err := s.Client.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(`custom:tier = "gold"`)})
		testserver.WantError[*types.InvalidParameterException](t, err, "Invalid search attribute: custom:tier")
	})
	t.Run("a changed value is found by its new value only", func(t *testing.T) {
		_, err := s.Client.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool),
			Username: aws.String("ann"), UserAttributes: testserver.AttrList("email", "zed@example.com", "family_name", "")})
		noErr(t, err)
		for filter, want := range map[string]string{`email = "ann@example.com"`: "[]", `email ^= "zed"`: "[ann]",
			`family_name = "Lee"`: "[Bob]", `given_name = "Ann"`: "[ann]"} {
			if got := fmt.Sprint(listNames(t, s, pool, filter, 60)); got != want {
				t.Errorf("%s: users %s, want %s", filter, got, want)
			}
		}
		_, err = s.Client.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("ann")})
		noErr(t, err)
		if got := listNames(t, s, pool, `given_name = "Ann"`, 60); len(got) != 0 {
			t.Errorf("deleted user listed: %v", got)
		}
	})
	t.Run("attributes to get", func(t *testing.T) {
		out, err := s.Client.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool),
			Filter: aws.String(`username = "Bob"`), AttributesToGet: []string{"custom:tier", "email"}})
		noErr(t, err)
		if len(out.Users) != 1 {
			t.Fatalf("users = %s", testserver.String(out.Users))
		}
		if got := testserver.Attrs(out.Users[0].Attributes); len(got) != 2 || got["email"] != "bob@example.com" || got["custom:tier"] != "gold" {
			t.Errorf("attributes = %v", got)
		}
		out, err = s.Client.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), AttributesToGet: []string{}})
		noErr(t, err)
		for _, u := range out.Users {
			if len(u.Attributes) != 0 {
				t.Errorf("AttributesToGet [] gave %s", testserver.String(u.Attributes))
			}
		}
		_, err = s.Client.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), AttributesToGet: []string{"custom:none"}})
		testserver.WantError[*types.InvalidParameterException](t, err, "One or more requested attributes do not exist.")
	})
	t.Run("bad pagination token", func(t *testing.T) {
		_, err := s.Client.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool),
			Filter: aws.String(`email ^= ""`), PaginationToken: aws.String("eHh4")})
		testserver.WantError[*types.InvalidParameterException](t, err, "Invalid pagination token.")
	})
}

// pageWhileChanging reads a listing page by page with next, calling
// change between pages, and returns every name it saw.
func pageWhileChanging(t *testing.T, next func(token *string) ([]string, *string), change func(page int)) []string {
	t.Helper()
	var seen []string
	var token *string
	for page := 0; page < 100; page++ {
		names, tok := next(token)
		seen = append(seen, names...)
		if tok == nil {
			return seen
		}
		change(page)
		token = tok
	}
	t.Fatal("listing never ended")
	return nil
}

// checkStableListing asserts what a listing read while users came and
// went must show: every user present from start to end exactly once, no
// user removed before its turn, and nobody twice.
func checkStableListing(t *testing.T, seen, stayed, removedAhead []string) {
	t.Helper()
	for _, n := range stayed {
		if c := countOf(seen, n); c != 1 {
			t.Errorf("%s listed %d times in %v", n, c, seen)
		}
	}
	for _, n := range removedAhead {
		if slices.Contains(seen, n) {
			t.Errorf("%s listed after it was deleted: %v", n, seen)
		}
	}
	sorted := slices.Clone(seen)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(seen) {
		t.Errorf("a user listed twice: %v", seen)
	}
}

func countOf(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

func TestListUsersPagingWhileUsersChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	var all []string
	for i := range 20 {
		n := fmt.Sprintf("u%02d", i)
		all = append(all, n)
		e.s.User(t, e.pool, n, "given_name", "P"+n)
	}
	e.createGroup(t, "team", nil, "")
	for _, n := range all {
		e.addToGroup(t, n, "team")
	}
	del := func(n string) {
		_, err := e.s.Client.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(e.pool), Username: aws.String(n)})
		noErr(t, err)
	}
	// Between pages: delete one user already listed and one not yet
	// listed, add one before the position and one after it.
	scenario := func(t *testing.T, page func(token *string) ([]string, *string), inGroup bool) {
		var removedAhead, removed []string
		seen := pageWhileChanging(t, page, func(p int) {
			if p > 1 {
				return
			}
			behind, ahead := fmt.Sprintf("u%02d", p), fmt.Sprintf("u%02d", 19-p)
			del(behind)
			del(ahead)
			removed = append(removed, behind, ahead)
			removedAhead = append(removedAhead, ahead)
			for _, n := range []string{fmt.Sprintf("a%d", p), fmt.Sprintf("z%d", p)} {
				e.s.User(t, e.pool, n, "given_name", "P"+n)
				if inGroup {
					e.addToGroup(t, n, "team")
				}
			}
		})
		var stayed []string
		for _, n := range all {
			if !slices.Contains(removed, n) {
				stayed = append(stayed, n)
			}
		}
		checkStableListing(t, seen, append(stayed, "z0", "z1"), removedAhead)
		for _, n := range []string{"a0", "a1"} {
			if slices.Contains(seen, n) {
				t.Errorf("%s was added behind the position yet listed: %v", n, seen)
			}
		}
		// Restore the starting pool for the next scenario.
		for _, n := range []string{"a0", "a1", "z0", "z1"} {
			del(n)
		}
		for _, n := range removed {
			e.s.User(t, e.pool, n, "given_name", "P"+n)
			e.addToGroup(t, n, "team")
		}
	}
	users := func(filter string) func(token *string) ([]string, *string) {
		return func(token *string) ([]string, *string) {
			in := &cip.ListUsersInput{UserPoolId: aws.String(e.pool), Limit: aws.Int32(5), PaginationToken: token}
			if filter != "" {
				in.Filter = aws.String(filter)
			}
			out, err := e.s.Client.ListUsers(ctx, in)
			noErr(t, err)
			var names []string
			for _, u := range out.Users {
				names = append(names, aws.ToString(u.Username))
			}
			return names, out.PaginationToken
		}
	}
	t.Run("ListUsers", func(t *testing.T) { scenario(t, users(""), false) })
	t.Run("ListUsers with a filter", func(t *testing.T) { scenario(t, users(`given_name ^= "P"`), false) })
	t.Run("ListUsersInGroup", func(t *testing.T) {
		scenario(t, func(token *string) ([]string, *string) {
			out, err := e.s.Client.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(e.pool),
				GroupName: aws.String("team"), Limit: aws.Int32(5), NextToken: token})
			noErr(t, err)
			var names []string
			for _, u := range out.Users {
				names = append(names, aws.ToString(u.Username))
			}
			return names, out.NextToken
		}, true)
	})
}

// TestListUsersIndexUpgrade opens data written before users had index
// entries: the server indexes them once at start.
func TestListUsersIndexUpgrade(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := testserver.Start(t, testserver.WithDataDir(dir))
	pool := s.Pool(t, nil)
	s.User(t, pool, "ann", "email", "ann@example.com")
	s.User(t, pool, "bob", "email", "bob@example.com")
	s.Close()

	// Drop every entry, as a database of an earlier version has none.
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "cognate.db"), sqlite.Options{})
	noErr(t, err)
	noErr(t, st.Update(ctx, func(tx store.Tx) error {
		us, err := tx.ListUsers(pool, "", 0)
		if err != nil {
			return err
		}
		for _, u := range us {
			if err := tx.PutUser(u); err != nil { // no Index, no IndexWas: no entries
				return err
			}
		}
		return tx.PutSetting("user_index_v1", []byte("0"))
	}))
	noErr(t, st.Update(ctx, func(tx store.Tx) error {
		found, err := tx.FindUsers(store.UserQuery{PoolID: pool, Attr: "email", Prefix: true})
		if err == nil && len(found) != 0 {
			return fmt.Errorf("entries left: %d", len(found))
		}
		return err
	}))
	noErr(t, st.Close())

	s = testserver.Start(t, testserver.WithDataDir(dir))
	if got := strings.Join(listNames(t, s, pool, `email ^= ""`, 60), " "); got != "ann bob" {
		t.Errorf("after upgrade, email filter lists %q", got)
	}
}
