package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
)

// Each action returns "notice|page to show next" ("notice" alone goes
// back to the page the form was on) or the service's error.

func poolURL(id string) string { return Path + "/pools/" + url.PathEscape(id) }

func userURL(pool, user string) string {
	return poolURL(pool) + "/users/" + url.PathEscape(user)
}

// userAction is a button of the user page.
type userAction struct{ Action, Label, Class, Confirm string }

// userActions lists the user page's buttons for a user that is enabled or not.
func userActions(enabled bool) []userAction {
	toggle := userAction{"disable", "Disable", "plain", ""}
	if !enabled {
		toggle = userAction{"enable", "Enable", "plain", ""}
	}
	return []userAction{
		{"reset", "Reset password", "plain", ""},
		toggle,
		{"signout", "Sign out everywhere", "plain", ""},
		{"delete", "Delete user", "danger", "Delete this user? This cannot be undone."},
	}
}

func (c *Console) createPool(_ http.ResponseWriter, r *http.Request) (string, error) {
	in := &model.CreateUserPoolRequest{PoolName: model.String(strings.TrimSpace(r.PostFormValue("name")))}
	if r.PostFormValue("autoVerifyEmail") != "" {
		in.AutoVerifiedAttributes = []string{"email"}
	}
	if r.PostFormValue("keepEmail") != "" {
		in.UserAttributeUpdateSettings = &model.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []string{"email"}}
	}
	out, err := call(r.Context(), c.o.Service.Pools.CreateUserPool, in)
	if err != nil {
		return "", err
	}
	id := model.StringValue(out.UserPool.Id)
	return "Created user pool " + id + ".|" + poolURL(id), nil
}

func (c *Console) createGroup(_ http.ResponseWriter, r *http.Request) (string, error) {
	name := strings.TrimSpace(r.PostFormValue("group"))
	_, err := call(r.Context(), c.o.Service.Groups.CreateGroup, &model.CreateGroupRequest{UserPoolId: model.String(r.PathValue("pool")), GroupName: model.String(name)})
	if err != nil {
		return "", err
	}
	return "Created group " + name + ".", nil
}

func (c *Console) createUser(_ http.ResponseWriter, r *http.Request) (string, error) {
	ctx, pool := r.Context(), r.PathValue("pool")
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	in := &model.AdminCreateUserRequest{UserPoolId: model.String(pool), Username: model.String(f("username"))}
	for _, name := range []string{"email", "phone_number"} {
		if v := f(name); v != "" {
			in.UserAttributes = append(in.UserAttributes, model.AttributeType{Name: model.String(name), Value: model.String(v)})
		}
	}
	if f("emailVerified") != "" {
		in.UserAttributes = append(in.UserAttributes, model.AttributeType{Name: model.String("email_verified"), Value: model.String("true")})
	}
	if v := r.PostFormValue("temporaryPassword"); v != "" {
		in.TemporaryPassword = model.String(v)
	}
	if f("suppress") != "" {
		in.MessageAction = model.String("SUPPRESS")
	}
	out, err := call(ctx, c.o.Service.Users.AdminCreateUser, in)
	if err != nil {
		return "", err
	}
	name := model.StringValue(out.User.Username)
	notice := "Created user " + name + "."
	// A permanent password is AdminSetUserPassword after the creation, as
	// a script against the API would do it.
	if pw := r.PostFormValue("password"); pw != "" {
		if _, err := call(ctx, c.o.Service.Users.AdminSetUserPassword, &model.AdminSetUserPasswordRequest{
			UserPoolId: model.String(pool), Username: model.String(name), Password: model.String(pw), Permanent: model.Bool(true),
		}); err != nil {
			return "", cognitoPrefix(err, "The user was created, but the password was refused: ")
		}
		notice = "Created user " + name + " with a permanent password."
	}
	return notice + "|" + userURL(pool, name), nil
}

// cognitoPrefix puts prefix before the message of a Cognito error.
func cognitoPrefix(err error, prefix string) error {
	if ce, ok := err.(*cognito.Error); ok {
		return cognito.New(ce.Code, prefix+ce.Message)
	}
	return err
}

func (c *Console) userAction(_ http.ResponseWriter, r *http.Request) (string, error) {
	ctx, pool, name := r.Context(), model.String(r.PathValue("pool")), model.String(r.PathValue("user"))
	var err error
	notice := ""
	switch r.PathValue("action") {
	case "reset":
		_, err = call(ctx, c.o.Service.Users.AdminResetUserPassword, &model.AdminResetUserPasswordRequest{UserPoolId: pool, Username: name})
		notice = "Password reset: the user must set a new one with the code sent to them."
	case "enable":
		_, err = call(ctx, c.o.Service.Users.AdminEnableUser, &model.AdminEnableUserRequest{UserPoolId: pool, Username: name})
		notice = "User enabled."
	case "disable":
		_, err = call(ctx, c.o.Service.Users.AdminDisableUser, &model.AdminDisableUserRequest{UserPoolId: pool, Username: name})
		notice = "User disabled."
	case "group":
		g := strings.TrimSpace(r.PostFormValue("group"))
		_, err = call(ctx, c.o.Service.Groups.AdminAddUserToGroup, &model.AdminAddUserToGroupRequest{UserPoolId: pool, Username: name, GroupName: model.String(g)})
		notice = "Added to group " + g + "."
	case "signout":
		_, err = call(ctx, c.o.Service.Users.AdminUserGlobalSignOut, &model.AdminUserGlobalSignOutRequest{UserPoolId: pool, Username: name})
		notice = "Signed out everywhere: the user's refresh tokens and access tokens are revoked."
	case "delete":
		_, err = call(ctx, c.o.Service.Users.AdminDeleteUser, &model.AdminDeleteUserRequest{UserPoolId: pool, Username: name})
		notice = "Deleted user " + *name + ".|" + poolURL(*pool)
	case "attributes":
		a := strings.TrimSpace(r.PostFormValue("name"))
		_, err = call(ctx, c.o.Service.Users.AdminUpdateUserAttributes, &model.AdminUpdateUserAttributesRequest{UserPoolId: pool, Username: name,
			UserAttributes: []model.AttributeType{{Name: model.String(a), Value: model.String(r.PostFormValue("value"))}}})
		notice = "Updated " + a + "."
	default:
		return "", cognito.New(cognito.InvalidParameter, "Unknown console action "+r.PathValue("action")+".")
	}
	if err != nil {
		return "", err
	}
	return notice, nil
}
