package pools

import (
	"context"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// clientSettings are the fields CreateUserPoolClient and
// UpdateUserPoolClient share.
type clientSettings struct {
	RefreshTokenValidity, AccessTokenValidity, IdTokenValidity *int32
	TokenValidityUnits                                         *model.TokenValidityUnitsType
	ReadAttributes, WriteAttributes, ExplicitAuthFlows         []string
	SupportedIdentityProviders, CallbackURLs, LogoutURLs       []string
	DefaultRedirectURI                                         *string
	AllowedOAuthFlows, AllowedOAuthScopes                      []string
	AllowedOAuthFlowsUserPoolClient                            *bool
	AnalyticsConfiguration                                     *model.AnalyticsConfigurationType
	PreventUserExistenceErrors                                 *string
	EnableTokenRevocation                                      *bool
	EnablePropagateAdditionalUserContextData                   *bool
	AuthSessionValidity                                        *int32
	RefreshTokenRotation                                       *model.RefreshTokenRotationType
}

func (cs clientSettings) apply(p *core.Pool, cfg *model.UserPoolClientType, verb string) error {
	// Tools send [] for "not set"; an empty list means the defaults, as an
	// omitted one does, and is not echoed back.
	if len(cs.ReadAttributes) == 0 {
		cs.ReadAttributes = nil
	}
	if len(cs.WriteAttributes) == 0 {
		cs.WriteAttributes = nil
	}
	for _, list := range []struct {
		names []string
		what  string
	}{{cs.ReadAttributes, "read"}, {cs.WriteAttributes, "write"}} {
		for _, n := range list.names {
			if _, ok := p.Schema[n]; !ok {
				return cognito.Errorf(cognito.InvalidParameter, "Invalid %s attributes specified while %s a client", list.what, verb)
			}
		}
	}
	units := cs.TokenValidityUnits
	if units == nil {
		units = &model.TokenValidityUnitsType{}
	}
	if units.AccessToken == nil {
		units.AccessToken = model.String("hours")
	}
	if units.IdToken == nil {
		units.IdToken = model.String("hours")
	}
	if units.RefreshToken == nil {
		units.RefreshToken = model.String("days")
	}
	access, id, refresh := cs.AccessTokenValidity, cs.IdTokenValidity, cs.RefreshTokenValidity
	if access == nil {
		access = model.Int32(int32(time.Hour / core.UnitOf(*units.AccessToken)))
	}
	if id == nil {
		id = model.Int32(int32(time.Hour / core.UnitOf(*units.IdToken)))
	}
	if refresh == nil || *refresh == 0 {
		refresh = model.Int32(int32(30 * 24 * time.Hour / core.UnitOf(*units.RefreshToken)))
	}
	// Cognito answers every out-of-range validity with the same text.
	// Seconds in int64: large values times days overflow a Duration.
	inRange := func(v int32, unit string, lo, hi time.Duration) bool {
		secs := int64(v) * int64(core.UnitOf(unit)/time.Second)
		return secs >= int64(lo/time.Second) && secs <= int64(hi/time.Second)
	}
	if !inRange(*access, *units.AccessToken, 5*time.Minute, 24*time.Hour) ||
		!inRange(*id, *units.IdToken, 5*time.Minute, 24*time.Hour) ||
		!inRange(*refresh, *units.RefreshToken, time.Hour, 3650*24*time.Hour) {
		return cognito.New(cognito.InvalidParameter, "Invalid range for token validity.")
	}
	flows := cs.ExplicitAuthFlows
	if len(flows) == 0 {
		flows = []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}
	}
	legacy, modern := false, false
	for _, f := range flows {
		if strings.HasPrefix(f, "ALLOW_") {
			modern = true
		} else {
			legacy = true
		}
	}
	if legacy && modern {
		return cognito.New(cognito.InvalidParameter, "ExplicitAuthFlows can't have both ALLOW_XXX and XXX values")
	}
	sess := cs.AuthSessionValidity
	if sess == nil {
		sess = model.Int32(3)
	}
	prevent := cs.PreventUserExistenceErrors
	if prevent == nil {
		prevent = model.String("LEGACY")
	}
	revoke := cs.EnableTokenRevocation
	if revoke == nil {
		revoke = model.Bool(true)
	}
	propagate := cs.EnablePropagateAdditionalUserContextData
	if propagate == nil {
		propagate = model.Bool(false)
	}
	oauthClient := cs.AllowedOAuthFlowsUserPoolClient
	if oauthClient == nil {
		oauthClient = model.Bool(false)
	}
	cfg.AccessTokenValidity, cfg.IdTokenValidity, cfg.RefreshTokenValidity = access, id, refresh
	cfg.TokenValidityUnits = units
	cfg.ReadAttributes, cfg.WriteAttributes = cs.ReadAttributes, cs.WriteAttributes
	cfg.ExplicitAuthFlows = flows
	cfg.SupportedIdentityProviders, cfg.CallbackURLs, cfg.LogoutURLs = cs.SupportedIdentityProviders, cs.CallbackURLs, cs.LogoutURLs
	cfg.DefaultRedirectURI = cs.DefaultRedirectURI
	cfg.AllowedOAuthFlows, cfg.AllowedOAuthScopes = cs.AllowedOAuthFlows, cs.AllowedOAuthScopes
	cfg.AllowedOAuthFlowsUserPoolClient = oauthClient
	cfg.AnalyticsConfiguration = cs.AnalyticsConfiguration
	cfg.PreventUserExistenceErrors = prevent
	cfg.EnableTokenRevocation = revoke
	cfg.EnablePropagateAdditionalUserContextData = propagate
	cfg.AuthSessionValidity = sess
	cfg.RefreshTokenRotation = cs.RefreshTokenRotation
	return nil
}

// CreateUserPoolClient creates an app client, with a secret if asked.
func (s *Service) CreateUserPoolClient(ctx context.Context, in *model.CreateUserPoolClientRequest) (*model.CreateUserPoolClientResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	id, err := s.ClientIDFor(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	cfg := model.UserPoolClientType{
		UserPoolId: in.UserPoolId, ClientName: in.ClientName, ClientId: model.String(id),
		CreationDate: model.NewTime(now), LastModifiedDate: model.NewTime(now),
	}
	var secrets []core.ClientSecret
	switch {
	case in.ClientSecret != nil:
		cfg.ClientSecret = in.ClientSecret
	case model.BoolValue(in.GenerateSecret):
		secret, err := s.NewClientSecret()
		if err != nil {
			return nil, err
		}
		cfg.ClientSecret = model.String(secret)
	}
	if cfg.ClientSecret != nil {
		secrets = []core.ClientSecret{{ID: core.SecretID(id, now), Value: *cfg.ClientSecret, Created: now, Described: true}}
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, poolID)
		if err != nil {
			return err
		}
		err = applySettings[clientSettings](in, func(cs clientSettings) error { return cs.apply(p, &cfg, "creating") })
		if err != nil {
			return err
		}
		if err := checkOAuth(tx, poolID, &cfg, cfg.ClientSecret != nil); err != nil {
			return err
		}
		data, err := core.EncodeClient(cfg, secrets)
		if err != nil {
			return err
		}
		return tx.CreateClient(store.Client{PoolID: poolID, ID: id, Name: model.StringValue(in.ClientName), Created: now, Modified: now, Data: data})
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateUserPoolClientResponse{UserPoolClient: &cfg}, nil
}

// DescribeUserPoolClient returns an app client, with its secret.
func (s *Service) DescribeUserPoolClient(ctx context.Context, in *model.DescribeUserPoolClientRequest) (*model.DescribeUserPoolClientResponse, error) {
	var c *core.Client
	err := s.Store.View(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, model.StringValue(in.UserPoolId)); err != nil {
			return err
		}
		var err error
		c, err = s.LoadClient(tx, model.StringValue(in.UserPoolId), model.StringValue(in.ClientId))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.DescribeUserPoolClientResponse{UserPoolClient: &c.Cfg}, nil
}

// UpdateUserPoolClient replaces an app client's settings; omitted settings
// return to their defaults.
func (s *Service) UpdateUserPoolClient(ctx context.Context, in *model.UpdateUserPoolClientRequest) (*model.UpdateUserPoolClientResponse, error) {
	poolID, id := model.StringValue(in.UserPoolId), model.StringValue(in.ClientId)
	var out model.UserPoolClientType
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, poolID)
		if err != nil {
			return err
		}
		c, err := s.LoadClient(tx, poolID, id)
		if err != nil {
			return err
		}
		cfg := c.Cfg
		err = applySettings[clientSettings](in, func(cs clientSettings) error { return cs.apply(p, &cfg, "updating") })
		if err != nil {
			return err
		}
		if err := checkOAuth(tx, poolID, &cfg, len(c.Secrets) > 0); err != nil {
			return err
		}
		if in.ClientName != nil {
			cfg.ClientName = in.ClientName
		}
		now := s.Now().UTC()
		cfg.LastModifiedDate = model.NewTime(now)
		data, err := core.EncodeClient(cfg, c.Secrets)
		if err != nil {
			return err
		}
		out = cfg
		return tx.PutClient(store.Client{PoolID: poolID, ID: id, Name: model.StringValue(cfg.ClientName),
			Created: cfg.CreationDate.Time, Modified: now, Data: data})
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateUserPoolClientResponse{UserPoolClient: &out}, nil
}

// DeleteUserPoolClient deletes an app client.
func (s *Service) DeleteUserPoolClient(ctx context.Context, in *model.DeleteUserPoolClientRequest) (any, error) {
	poolID, id := model.StringValue(in.UserPoolId), model.StringValue(in.ClientId)
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, poolID); err != nil {
			return err
		}
		if _, err := s.LoadClient(tx, poolID, id); err != nil {
			return err
		}
		// The client's own settings go with it.
		if err := core.DeleteClientItems(tx, poolID, id); err != nil {
			return err
		}
		return tx.DeleteClient(poolID, id)
	})
	if err != nil {
		return nil, err
	}
	s.ForgetClient(poolID, id)
	return nil, nil
}

// ListUserPoolClients lists a pool's app clients in ID order.
func (s *Service) ListUserPoolClients(ctx context.Context, in *model.ListUserPoolClientsRequest) (*model.ListUserPoolClientsResponse, error) {
	after, err := core.DecodePageToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := 60
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	out := &model.ListUserPoolClientsResponse{UserPoolClients: []model.UserPoolClientDescription{}}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, model.StringValue(in.UserPoolId)); err != nil {
			return err
		}
		recs, err := tx.ListClients(model.StringValue(in.UserPoolId), after, limit+1)
		if err != nil {
			return err
		}
		for i, rec := range recs {
			if i == limit {
				out.NextToken = core.EncodePageToken(recs[i-1].ID)
				break
			}
			out.UserPoolClients = append(out.UserPoolClients, model.UserPoolClientDescription{
				ClientId: model.String(rec.ID), UserPoolId: model.String(rec.PoolID), ClientName: model.String(rec.Name),
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
