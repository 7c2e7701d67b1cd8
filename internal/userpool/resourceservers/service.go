package resourceservers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Kind is the store item kind of a resource server.
const Kind = "resource-server"

// MaxPerPool is the quota of resource servers in one user pool.
// Unconfirmed: 25 is the quota the brief names; the Cognito quotas page
// was not checked.
const MaxPerPool = 25

// defaultMaxResults is the page size of ListResourceServers when
// MaxResults is absent (the model's maximum).
const defaultMaxResults = 50

// Service implements the resource server operations.
type Service struct {
	*core.Env
}

// New returns a Service.
func New(env *core.Env) *Service { return &Service{Env: env} }

// doc is what a resource server item stores; the pool and identifier are
// the item's key.
type doc struct {
	Name   string       `json:"name"`
	Scopes []scopeEntry `json:"scopes,omitempty"`
}

type scopeEntry struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Unconfirmed: the message of a duplicate identifier follows the form
// emulators use; Cognito's own text was not found.
func exists(poolID, id string) error {
	return cognito.Errorf(cognito.InvalidParameter, "%s already exists in %s", id, poolID)
}

// Unconfirmed: Cognito's message for an unknown identifier was not found.
func notFound(id string) error {
	return cognito.Errorf(cognito.ResourceNotFound, "Resource server %s does not exist.", id)
}

func encode(poolID, id string, name *string, scopes []model.ResourceServerScopeType) (store.Item, error) {
	d := doc{Name: model.StringValue(name)}
	for _, sc := range scopes {
		d.Scopes = append(d.Scopes, scopeEntry{Name: model.StringValue(sc.ScopeName), Description: model.StringValue(sc.ScopeDescription)})
	}
	b, err := json.Marshal(d)
	if err != nil {
		return store.Item{}, err
	}
	return store.Item{PoolID: poolID, Kind: Kind, ID: id, Data: b}, nil
}

func decode(it store.Item) (model.ResourceServerType, error) {
	var d doc
	if err := json.Unmarshal(it.Data, &d); err != nil {
		return model.ResourceServerType{}, fmt.Errorf("resource server %s/%s: %w", it.PoolID, it.ID, err)
	}
	rs := model.ResourceServerType{UserPoolId: model.String(it.PoolID), Identifier: model.String(it.ID), Name: model.String(d.Name)}
	for _, sc := range d.Scopes {
		rs.Scopes = append(rs.Scopes, model.ResourceServerScopeType{ScopeName: model.String(sc.Name), ScopeDescription: model.String(sc.Description)})
	}
	return rs, nil
}

// CreateResourceServer creates a resource server in a pool.
func (s *Service) CreateResourceServer(ctx context.Context, in *model.CreateResourceServerRequest) (*model.CreateResourceServerResponse, error) {
	var rs model.ResourceServerType
	id := model.StringValue(in.Identifier)
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		if _, err := tx.GetItem(p.Id, Kind, id); err == nil {
			return exists(p.Id, id)
		} else if !core.IsNotFound(err) {
			return err
		}
		have, err := tx.ListItems(p.Id, Kind, "", MaxPerPool)
		if err != nil {
			return err
		}
		if len(have) >= MaxPerPool {
			// Unconfirmed: Cognito's message for this quota was not found.
			return cognito.Errorf(cognito.LimitExceeded, "The user pool has reached its limit of %d resource servers.", MaxPerPool)
		}
		it, err := encode(p.Id, id, in.Name, in.Scopes)
		if err != nil {
			return err
		}
		it.Created = s.Now().UTC()
		it.Modified = it.Created
		if err := tx.CreateItem(it); errors.Is(err, store.ErrConflict) {
			return exists(p.Id, id)
		} else if err != nil {
			return err
		}
		rs, err = decode(it)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateResourceServerResponse{ResourceServer: &rs}, nil
}

// DescribeResourceServer returns a resource server.
func (s *Service) DescribeResourceServer(ctx context.Context, in *model.DescribeResourceServerRequest) (*model.DescribeResourceServerResponse, error) {
	var rs model.ResourceServerType
	id := model.StringValue(in.Identifier)
	err := s.Store.View(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		it, err := tx.GetItem(p.Id, Kind, id)
		if err != nil {
			return core.MapStoreErr(err, notFound(id))
		}
		rs, err = decode(it)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.DescribeResourceServerResponse{ResourceServer: &rs}, nil
}

// UpdateResourceServer replaces the name and scopes of a resource server:
// scopes left out of the request are removed, as in Cognito.
func (s *Service) UpdateResourceServer(ctx context.Context, in *model.UpdateResourceServerRequest) (*model.UpdateResourceServerResponse, error) {
	var rs model.ResourceServerType
	id := model.StringValue(in.Identifier)
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		old, err := tx.GetItem(p.Id, Kind, id)
		if err != nil {
			return core.MapStoreErr(err, notFound(id))
		}
		it, err := encode(p.Id, id, in.Name, in.Scopes)
		if err != nil {
			return err
		}
		it.Created, it.Modified = old.Created, s.Now().UTC()
		if err := tx.PutItem(it); err != nil {
			return core.MapStoreErr(err, notFound(id))
		}
		rs, err = decode(it)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateResourceServerResponse{ResourceServer: &rs}, nil
}

// DeleteResourceServer deletes a resource server. App clients that were
// given its scopes keep them in AllowedOAuthScopes; the scopes no longer
// pass the check of CreateUserPoolClient and UpdateUserPoolClient (see
// package pools), and the same holds for a scope UpdateResourceServer
// drops.
func (s *Service) DeleteResourceServer(ctx context.Context, in *model.DeleteResourceServerRequest) (any, error) {
	id := model.StringValue(in.Identifier)
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		return core.MapStoreErr(tx.DeleteItem(p.Id, Kind, id), notFound(id))
	})
	return nil, err
}

// ListResourceServers lists a pool's resource servers by identifier.
// Unconfirmed: Cognito does not document the order of the list.
func (s *Service) ListResourceServers(ctx context.Context, in *model.ListResourceServersRequest) (*model.ListResourceServersResponse, error) {
	after, err := core.DecodePageToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := defaultMaxResults
	if n := int(model.Int32Value(in.MaxResults)); n > 0 {
		limit = n
	}
	out := &model.ListResourceServersResponse{ResourceServers: []model.ResourceServerType{}}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		items, err := tx.ListItems(p.Id, Kind, after, limit+1)
		if err != nil {
			return err
		}
		for i, it := range items {
			if i == limit {
				out.NextToken = core.EncodePageToken(items[i-1].ID)
				break
			}
			rs, err := decode(it)
			if err != nil {
				return err
			}
			out.ResourceServers = append(out.ResourceServers, rs)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HasScope reports whether scope, written "<identifier>/<scope name>",
// names a scope of one of the pool's resource servers. The identifier may
// itself hold slashes (it is often a URL): the scope name is what follows
// the last one.
func HasScope(tx store.Tx, poolID, scope string) (bool, error) {
	i := strings.LastIndexByte(scope, '/')
	if i <= 0 || i == len(scope)-1 {
		return false, nil
	}
	it, err := tx.GetItem(poolID, Kind, scope[:i])
	if core.IsNotFound(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	rs, err := decode(it)
	if err != nil {
		return false, err
	}
	for _, sc := range rs.Scopes {
		if model.StringValue(sc.ScopeName) == scope[i+1:] {
			return true, nil
		}
	}
	return false, nil
}
