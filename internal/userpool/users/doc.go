// Package users implements the operations on users and their attributes:
// the admin user operations, GetUser, UpdateUserAttributes and its
// neighbours (the attribute plan: verification, pending values, aliases),
// ListUsers and its filter, sign-up and confirmation, forgotten and changed
// passwords, global sign-out, and user migration on those paths.
//
// It must not know sign-in flows or challenges; it uses tokens to authorize
// callers, delivery for codes and messages, passwords and triggers.
package users
