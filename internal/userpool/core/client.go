package core

import (
	"context"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// CheckSecretHash verifies SECRET_HASH for clients that have a secret;
// a hash under any of the client's current secrets passes.
func (s *Env) CheckSecretHash(c *Client, username, given string) error {
	if !c.HasSecret() {
		return nil
	}
	id := model.StringValue(c.Cfg.ClientId)
	if given == "" {
		return cognito.Errorf(cognito.NotAuthorized, "Client %s is configured for secret but secret was not received", id)
	}
	if !c.matchesSecretHash(username, given) {
		return cognito.Errorf(cognito.NotAuthorized, "Unable to verify secret hash for client %s", id)
	}
	return nil
}

func IncorrectPassword() error {
	return cognito.New(cognito.NotAuthorized, "Incorrect username or password.")
}

// UnknownUser is the error for a sign-in name that matches nobody: the
// client's PreventUserExistenceErrors decides whether it says so.
func UnknownUser(c *Client) error {
	if model.StringValue(c.Cfg.PreventUserExistenceErrors) == "ENABLED" {
		return IncorrectPassword()
	}
	return UserNotFound()
}

func (s *Env) LoadAuthClient(ctx context.Context, poolID, clientID string) (*Pool, *Client, error) {
	var p *Pool
	var c *Client
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if poolID != "" {
			if p, err = s.LoadPool(tx, poolID); err != nil {
				return err
			}
			c, err = s.LoadClient(tx, poolID, clientID)
			return err
		}
		p, c, err = s.FindClient(tx, clientID)
		return err
	})
	return p, c, err
}

// Legacy ExplicitAuthFlows values (before the ALLOW_ names) name only the
// extra flows: a legacy client always allows refresh and custom
// authentication and, unless CUSTOM_AUTH_FLOW_ONLY, SRP. A client lists
// either legacy or ALLOW_ values, never both (CreateUserPoolClient refuses
// the mix). See docs/clients.md.
var legacyFlows = map[string]string{
	"ADMIN_NO_SRP_AUTH":     "ALLOW_ADMIN_USER_PASSWORD_AUTH",
	"USER_PASSWORD_AUTH":    "ALLOW_USER_PASSWORD_AUTH",
	"CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}

// IsLegacyFlow reports whether f is a legacy ExplicitAuthFlows value.
func IsLegacyFlow(f string) bool { _, ok := legacyFlows[f]; return ok }

// UnitOf converts a TokenValidityUnits value to a duration.
func UnitOf(unit string) time.Duration {
	switch unit {
	case "seconds":
		return time.Second
	case "minutes":
		return time.Minute
	case "days":
		return 24 * time.Hour
	}
	return time.Hour
}

// AllowsFlow reports whether the client permits an auth flow
// ("ALLOW_USER_PASSWORD_AUTH" style name).
func (c *Client) AllowsFlow(flow string) bool {
	legacy, customOnly := false, false
	for _, f := range c.Cfg.ExplicitAuthFlows {
		if f == flow {
			return true
		}
		if modern, ok := legacyFlows[f]; ok {
			legacy = true
			customOnly = customOnly || f == "CUSTOM_AUTH_FLOW_ONLY"
			if modern == flow {
				return true
			}
		}
	}
	if !legacy {
		return false
	}
	switch flow {
	case "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH":
		return true
	case "ALLOW_USER_SRP_AUTH":
		return !customOnly
	}
	return false
}

func (c *Client) Validity(v *int32, unit *string) time.Duration {
	return time.Duration(model.Int32Value(v)) * UnitOf(model.StringValue(unit))
}

func clientNotFound(id string) error {
	return cognito.Errorf(cognito.ResourceNotFound, "User pool client %s does not exist.", id)
}

// Client is a decoded app client.
type Client struct {
	Cfg     model.UserPoolClientType
	Secrets []ClientSecret // oldest first
}
