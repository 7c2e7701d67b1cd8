package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

const (
	roleAdmin  = "arn:aws:iam::123456789012:role/admin"
	roleReader = "arn:aws:iam::123456789012:role/reader"
)

// createGroup creates a group, failing the test on error.
func (e *env) createGroup(t *testing.T, name string, precedence *int32, role string) *types.GroupType {
	t.Helper()
	in := &cip.CreateGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String(name), Precedence: precedence}
	if role != "" {
		in.RoleArn = aws.String(role)
	}
	out, err := e.s.Client.CreateGroup(context.Background(), in)
	noErr(t, err)
	return out.Group
}

// addToGroup adds username to group, failing the test on error.
func (e *env) addToGroup(t *testing.T, username, group string) {
	t.Helper()
	_, err := e.s.Client.AdminAddUserToGroup(context.Background(), &cip.AdminAddUserToGroupInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(username), GroupName: aws.String(group),
	})
	noErr(t, err)
}

// groupsOf returns the names of username's groups, read page by page.
func (e *env) groupsOf(t *testing.T, username string, limit int32) []string {
	t.Helper()
	var names []string
	p := cip.NewAdminListGroupsForUserPaginator(e.s.Client, &cip.AdminListGroupsForUserInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(username), Limit: aws.Int32(limit),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		noErr(t, err)
		if len(page.Groups) > int(limit) {
			t.Fatalf("page of %d groups, limit %d", len(page.Groups), limit)
		}
		for _, g := range page.Groups {
			names = append(names, aws.ToString(g.GroupName))
		}
	}
	return names
}

// membersOf returns the usernames of a group, read page by page.
func (e *env) membersOf(t *testing.T, group string, limit int32) []string {
	t.Helper()
	var names []string
	p := cip.NewListUsersInGroupPaginator(e.s.Client, &cip.ListUsersInGroupInput{
		UserPoolId: aws.String(e.pool), GroupName: aws.String(group), Limit: aws.Int32(limit),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		noErr(t, err)
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.Username))
		}
	}
	return names
}

// verified returns the claims of a token the pool's JWKS verifies.
func verified(t *testing.T, v *jwtVerifier, tok string) map[string]any {
	t.Helper()
	_, claims, err := v.verify(tok, time.Now())
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	return claims
}

// errorAs reports whether err is the SDK exception E.
func errorAs[E error](err error) (E, bool) {
	var e E
	ok := errors.As(err, &e)
	return e, ok
}

// TestGroupLifecycle creates, reads, updates, lists and deletes groups
// with Cognito's answers for each mistake.
func TestGroupLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	c := e.s.Client

	before := time.Now().Add(-time.Second)
	out, err := c.CreateGroup(ctx, &cip.CreateGroupInput{
		UserPoolId: aws.String(e.pool), GroupName: aws.String("admins"),
		Description: aws.String("People who run things"), RoleArn: aws.String(roleAdmin), Precedence: aws.Int32(1),
	})
	noErr(t, err)
	g := out.Group
	if aws.ToString(g.GroupName) != "admins" || aws.ToString(g.UserPoolId) != e.pool ||
		aws.ToString(g.Description) != "People who run things" || aws.ToString(g.RoleArn) != roleAdmin ||
		aws.ToInt32(g.Precedence) != 1 {
		t.Errorf("CreateGroup = %+v", g)
	}
	if g.CreationDate == nil || g.CreationDate.Before(before) || g.LastModifiedDate == nil || !g.LastModifiedDate.Equal(*g.CreationDate) {
		t.Errorf("dates: created %v, modified %v", g.CreationDate, g.LastModifiedDate)
	}

	t.Run("duplicate name", func(t *testing.T) {
		_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("admins")})
		testserver.WantError[*types.GroupExistsException](t, err, "A group with the name already exists.")
	})
	t.Run("names are case-sensitive", func(t *testing.T) {
		e.createGroup(t, "Admins", nil, "")
	})
	t.Run("unknown pool", func(t *testing.T) {
		_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String("us-east-1_Nope"), GroupName: aws.String("x")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
	})
	t.Run("bad input", func(t *testing.T) {
		_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("neg"), Precedence: aws.Int32(-1)})
		testserver.WantError[*types.InvalidParameterException](t, err,
			"1 validation error detected: Value '-1' at 'precedence' failed to satisfy constraint: Member must have value greater than or equal to 0")
		_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("r"), RoleArn: aws.String("not-an-arn")})
		if _, ok := errorAs[*types.InvalidParameterException](err); !ok {
			t.Errorf("bad role ARN: %v", err)
		}
		_, err = c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(e.pool), Limit: aws.Int32(61)})
		if _, ok := errorAs[*types.InvalidParameterException](err); !ok {
			t.Errorf("Limit 61: %v", err)
		}
		_, err = c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(e.pool), NextToken: aws.String("!!")})
		testserver.WantError[*types.InvalidParameterException](t, err, "Invalid pagination token.")
	})

	t.Run("get", func(t *testing.T) {
		got, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("admins")})
		noErr(t, err)
		if aws.ToString(got.Group.Description) != "People who run things" || aws.ToInt32(got.Group.Precedence) != 1 {
			t.Errorf("GetGroup = %+v", got.Group)
		}
		_, err = c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("nobody")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Group not found.")
	})

	t.Run("update keeps what it is not given", func(t *testing.T) {
		time.Sleep(10 * time.Millisecond)
		up, err := c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("admins"), Precedence: aws.Int32(7)})
		noErr(t, err)
		if aws.ToInt32(up.Group.Precedence) != 7 || aws.ToString(up.Group.RoleArn) != roleAdmin || aws.ToString(up.Group.Description) != "People who run things" {
			t.Errorf("UpdateGroup = %+v", up.Group)
		}
		if !up.Group.LastModifiedDate.After(*up.Group.CreationDate) {
			t.Errorf("modified %v not after created %v", up.Group.LastModifiedDate, up.Group.CreationDate)
		}
		got, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("admins")})
		noErr(t, err)
		if aws.ToInt32(got.Group.Precedence) != 7 {
			t.Errorf("after update, precedence %d", aws.ToInt32(got.Group.Precedence))
		}
		_, err = c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("nobody")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Group not found.")
	})

	t.Run("list pages by name", func(t *testing.T) {
		for _, n := range []string{"eve", "bob", "carol", "dave"} {
			e.createGroup(t, n, nil, "")
		}
		var names []string
		pages := 0
		p := cip.NewListGroupsPaginator(c, &cip.ListGroupsInput{UserPoolId: aws.String(e.pool), Limit: aws.Int32(2)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			noErr(t, err)
			pages++
			for _, g := range page.Groups {
				names = append(names, aws.ToString(g.GroupName))
			}
		}
		want := []string{"Admins", "admins", "bob", "carol", "dave", "eve"}
		if !slices.Equal(names, want) || pages != 3 {
			t.Errorf("ListGroups = %v in %d pages, want %v in 3", names, pages, want)
		}
		all, err := c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(e.pool)})
		noErr(t, err)
		if len(all.Groups) != len(want) || all.NextToken != nil {
			t.Errorf("ListGroups without Limit: %d groups, next %v", len(all.Groups), all.NextToken)
		}
	})

	t.Run("delete", func(t *testing.T) {
		_, err := c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("eve")})
		noErr(t, err)
		_, err = c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("eve")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Group not found.")
		_, err = c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("eve")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Group not found.")
	})
}

// TestGroupMembership adds and removes members, lists both ways with
// pagination, and checks that deleting a group or a user removes its
// memberships.
func TestGroupMembership(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	c := e.s.Client
	for _, g := range []string{"a", "b", "c"} {
		e.createGroup(t, g, nil, "")
	}
	var users []string
	for i := range 5 {
		u := fmt.Sprintf("user%d", i)
		users = append(users, u)
		e.s.User(t, e.pool, u, "email", u+"@example.com")
		e.addToGroup(t, u, "a")
	}
	e.addToGroup(t, "user0", "c")
	e.addToGroup(t, "user0", "b")
	e.addToGroup(t, "user0", "b") // again: no error, no duplicate

	if got := e.groupsOf(t, "user0", 2); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("groups of user0 = %v", got)
	}
	if got := e.groupsOf(t, "user1", 60); !slices.Equal(got, []string{"a"}) {
		t.Errorf("groups of user1 = %v", got)
	}
	if got := e.membersOf(t, "a", 2); !slices.Equal(got, users) {
		t.Errorf("members of a = %v, want %v", got, users)
	}
	page, err := c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("b")})
	noErr(t, err)
	if len(page.Users) != 1 || testserver.Attrs(page.Users[0].Attributes)["email"] != "user0@example.com" ||
		page.Users[0].UserStatus != types.UserStatusTypeConfirmed || !page.Users[0].Enabled {
		t.Errorf("ListUsersInGroup b = %+v", page.Users)
	}

	t.Run("errors", func(t *testing.T) {
		_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(e.pool), Username: aws.String("ghost"), GroupName: aws.String("a")})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		_, err = c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(e.pool), Username: aws.String("user1"), GroupName: aws.String("zzz")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Group not found.")
		_, err = c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(e.pool), Username: aws.String("ghost"), GroupName: aws.String("a")})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		_, err = c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("ghost")})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		_, err = c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("zzz")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Group not found.")
	})

	t.Run("remove", func(t *testing.T) {
		_, err := c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(e.pool), Username: aws.String("user0"), GroupName: aws.String("c")})
		noErr(t, err)
		_, err = c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(e.pool), Username: aws.String("user0"), GroupName: aws.String("c")})
		noErr(t, err)
		if got := e.groupsOf(t, "user0", 60); !slices.Equal(got, []string{"a", "b"}) {
			t.Errorf("after remove, groups of user0 = %v", got)
		}
	})

	t.Run("deleting a group drops its memberships", func(t *testing.T) {
		_, err := c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("b")})
		noErr(t, err)
		if got := e.groupsOf(t, "user0", 60); !slices.Equal(got, []string{"a"}) {
			t.Errorf("groups of user0 = %v", got)
		}
		e.createGroup(t, "b", nil, "")
		if got := e.membersOf(t, "b", 60); len(got) != 0 {
			t.Errorf("recreated group has members %v", got)
		}
	})

	t.Run("deleting a user drops its memberships", func(t *testing.T) {
		_, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("user2")})
		noErr(t, err)
		if got := e.membersOf(t, "a", 60); slices.Contains(got, "user2") {
			t.Errorf("members of a = %v after deleting user2", got)
		}
		e.s.User(t, e.pool, "user2")
		if got := e.groupsOf(t, "user2", 60); len(got) != 0 {
			t.Errorf("recreated user2 is in %v", got)
		}
	})

	t.Run("alias sign-in name", func(t *testing.T) {
		// Members are named by username or, in alias pools, any alias; a
		// plain pool knows only usernames.
		_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(e.pool), Username: aws.String("user3@example.com"), GroupName: aws.String("b")})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
	})
}

// TestGroupClaims checks cognito:groups, cognito:roles and
// cognito:preferred_role in tokens from sign-in and refresh, verified
// against the pool's JWKS.
func TestGroupClaims(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	v := newJWTVerifier(t, e.s.URL+"/"+e.pool)
	e.s.User(t, e.pool, "gil")

	claims := func(t *testing.T) (id, access map[string]any) {
		t.Helper()
		res := e.s.SignIn(t, e.client, "gil")
		return verified(t, v, aws.ToString(res.IdToken)), verified(t, v, aws.ToString(res.AccessToken))
	}
	id, access := claims(t)
	for _, n := range []string{"cognito:groups", "cognito:roles", "cognito:preferred_role"} {
		if _, ok := id[n]; ok {
			t.Errorf("ID token of a user in no group has %s", n)
		}
		if _, ok := access[n]; ok {
			t.Errorf("access token of a user in no group has %s", n)
		}
	}

	e.createGroup(t, "zeta", aws.Int32(0), "")
	e.createGroup(t, "readers", aws.Int32(5), roleReader)
	e.createGroup(t, "admins", aws.Int32(2), roleAdmin)
	e.createGroup(t, "anyone", nil, "")
	for _, g := range []string{"anyone", "readers", "zeta", "admins"} {
		e.addToGroup(t, "gil", g)
	}
	id, access = claims(t)
	wantGroups := []any{"zeta", "admins", "readers", "anyone"}
	wantEntries(t, "ID token", id, map[string]any{
		"cognito:groups":         wantGroups,
		"cognito:roles":          []any{roleAdmin, roleReader},
		"cognito:preferred_role": roleAdmin,
	})
	wantEntries(t, "access token", access, map[string]any{
		"cognito:groups": wantGroups, "cognito:roles": nil, "cognito:preferred_role": nil,
	})

	t.Run("a tie at the top leaves no preferred role", func(t *testing.T) {
		_, err := e.s.Client.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("readers"), Precedence: aws.Int32(2)})
		noErr(t, err)
		id, _ := claims(t)
		wantEntries(t, "ID token", id, map[string]any{"cognito:preferred_role": nil, "cognito:roles": []any{roleAdmin, roleReader}})
	})

	t.Run("refresh sees the current groups", func(t *testing.T) {
		res := e.s.SignIn(t, e.client, "gil")
		_, err := e.s.Client.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(e.pool), Username: aws.String("gil"), GroupName: aws.String("zeta")})
		noErr(t, err)
		_, err = e.s.Client.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("readers")})
		noErr(t, err)
		ref, err := e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{
			AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(e.client),
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)},
		})
		noErr(t, err)
		id := verified(t, v, aws.ToString(ref.AuthenticationResult.IdToken))
		wantEntries(t, "refreshed ID token", id, map[string]any{
			"cognito:groups": []any{"admins", "anyone"}, "cognito:roles": []any{roleAdmin}, "cognito:preferred_role": roleAdmin,
		})
	})
}
