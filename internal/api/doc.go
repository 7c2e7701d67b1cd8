// Package api is the operation table: it binds each Cognito operation name
// to the method of the user-pool area (userpool.Service.Pools, .Users,
// .Auth, .Tokens) that serves it. Adding an area adds a group here; see
// docs/architecture.md.
//
// It must not hold rules (they are in the areas of userpool) or wire
// details (they are in awsjson).
package api
