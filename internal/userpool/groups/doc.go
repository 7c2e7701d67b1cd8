// Package groups implements user pool groups: create, get, update, delete
// and list them, add and remove members, and list a user's groups or a
// group's users.
//
// It knows pools and users only through core. The group claims of tokens
// (cognito:groups, cognito:roles, cognito:preferred_role) are computed by
// core.UserGroupClaims, which the tokens area calls when it signs.
package groups
