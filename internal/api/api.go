package api

import (
	"context"
	"fmt"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// op adapts a typed service method to an awsjson.Handler.
func op[In, Out any](f func(context.Context, *In) (Out, error)) awsjson.Handler {
	return func(ctx context.Context, input any) (any, error) {
		in, ok := input.(*In)
		if !ok {
			return nil, fmt.Errorf("api: input is %T, want %T", input, in)
		}
		out, err := f(ctx, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// Handlers returns the implemented operations of s by name.
func Handlers(s *userpool.Service) map[string]awsjson.Handler {
	return map[string]awsjson.Handler{
		// Pools and app clients.
		"CreateUserPool":         op(s.CreateUserPool),
		"DescribeUserPool":       op(s.DescribeUserPool),
		"UpdateUserPool":         op(s.UpdateUserPool),
		"DeleteUserPool":         op(s.DeleteUserPool),
		"ListUserPools":          op(s.ListUserPools),
		"AddCustomAttributes":    op(s.AddCustomAttributes),
		"CreateUserPoolClient":   op(s.CreateUserPoolClient),
		"DescribeUserPoolClient": op(s.DescribeUserPoolClient),
		"UpdateUserPoolClient":   op(s.UpdateUserPoolClient),
		"DeleteUserPoolClient":   op(s.DeleteUserPoolClient),
		"ListUserPoolClients":    op(s.ListUserPoolClients),

		// Administration of users.
		"AdminCreateUser":           op(s.AdminCreateUser),
		"AdminGetUser":              op(s.AdminGetUser),
		"AdminDeleteUser":           op(s.AdminDeleteUser),
		"AdminDisableUser":          op(s.AdminDisableUser),
		"AdminEnableUser":           op(s.AdminEnableUser),
		"AdminSetUserPassword":      op(s.AdminSetUserPassword),
		"AdminConfirmSignUp":        op(s.AdminConfirmSignUp),
		"AdminUpdateUserAttributes": op(s.AdminUpdateUserAttributes),
		"AdminDeleteUserAttributes": op(s.AdminDeleteUserAttributes),
		"AdminUserGlobalSignOut":    op(s.AdminUserGlobalSignOut),
		"ListUsers":                 op(s.ListUsers),

		// Sign-up and sign-in.
		"SignUp":                      op(s.SignUp),
		"ConfirmSignUp":               op(s.ConfirmSignUp),
		"ResendConfirmationCode":      op(s.ResendConfirmationCode),
		"InitiateAuth":                op(s.InitiateAuth),
		"AdminInitiateAuth":           op(s.AdminInitiateAuth),
		"RespondToAuthChallenge":      op(s.RespondToAuthChallenge),
		"AdminRespondToAuthChallenge": op(s.AdminRespondToAuthChallenge),
		"ForgotPassword":              op(s.ForgotPassword),
		"ConfirmForgotPassword":       op(s.ConfirmForgotPassword),
		"ChangePassword":              op(s.ChangePassword),
		"GlobalSignOut":               op(s.GlobalSignOut),
		"RevokeToken":                 op(s.RevokeToken),

		// The signed-in user.
		"GetUser":                          op(s.GetUser),
		"DeleteUser":                       op(s.DeleteUser),
		"UpdateUserAttributes":             op(s.UpdateUserAttributes),
		"DeleteUserAttributes":             op(s.DeleteUserAttributes),
		"GetUserAttributeVerificationCode": op(s.GetUserAttributeVerificationCode),
		"VerifyUserAttribute":              op(s.VerifyUserAttribute),
	}
}
