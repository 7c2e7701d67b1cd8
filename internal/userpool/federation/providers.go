package federation

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// Item kinds: a provider by name, and the owner of each IdP identifier.
const (
	ProviderKind   = "identity-provider"
	IdentifierKind = "idp-identifier"
)

// maxProviders is the quota of identity providers in one pool.
// Unconfirmed: 300 as in Cognito's quota table for identity providers per pool.
const maxProviders = 300

// Service implements the identity provider and provider link operations,
// and sign-in through a provider.
type Service struct {
	*core.Env
	triggers *triggers.Service
	http     *http.Client
	disc     discovery
}

// New returns a Service; client makes the requests to upstream providers.
func New(env *core.Env, tr *triggers.Service, client *http.Client) *Service {
	return &Service{Env: env, triggers: tr, http: limited(client)}
}

// provider is what a provider item stores; the name is the item's ID.
type provider struct {
	Type        string            `json:"type"`
	Details     map[string]string `json:"details"`
	Mapping     map[string]string `json:"mapping"`
	Identifiers []string          `json:"ids,omitempty"`
}

// social are the provider types whose name must be the type itself.
var social = []string{"Google", "Facebook", "LoginWithAmazon", "SignInWithApple"}

// requiredDetails are the ProviderDetails keys each type needs.
var requiredDetails = map[string][]string{
	"Google":          {"client_id", "client_secret", "authorize_scopes"},
	"Facebook":        {"client_id", "client_secret", "authorize_scopes"},
	"LoginWithAmazon": {"client_id", "client_secret", "authorize_scopes"},
	"SignInWithApple": {"client_id", "team_id", "key_id", "private_key", "authorize_scopes"},
	"OIDC":            {"client_id", "attributes_request_method", "oidc_issuer", "authorize_scopes"},
}

// usernameSource is the provider claim Cognito maps to username by default.
var usernameSource = map[string]string{"Facebook": "id", "LoginWithAmazon": "user_id"}

// withUsername returns a copy of mapping with the provider claim that
// names the user: Cognito maps the provider's subject (sub, Facebook's
// id, Login with Amazon's user_id) to username unless told otherwise, and
// keeps that mapping when a new one leaves it out.
func withUsername(typ string, mapping map[string]string) map[string]string {
	m := maps.Clone(mapping)
	if m == nil {
		m = map[string]string{}
	}
	if _, ok := m["username"]; !ok && typ != "SAML" {
		src := usernameSource[typ]
		if src == "" {
			src = "sub"
		}
		m["username"] = src
	}
	return m
}

func notFound() error {
	// Unconfirmed: Cognito's message for an unknown provider.
	return cognito.New(cognito.ResourceNotFound, "Identity provider does not exist.")
}

// checkProvider applies Cognito's rules on a provider's name, type and
// details.
func checkProvider(name, typ string, details map[string]string) error {
	if slices.Contains(social, typ) && name != typ {
		return cognito.Errorf(cognito.InvalidParameter, "Provider %s cannot be of type %s.", name, typ)
	}
	if slices.Contains(social, name) && name != typ || name == "Cognito" || name == "COGNITO" {
		// Unconfirmed: Cognito's message for a reserved name.
		return cognito.Errorf(cognito.InvalidParameter, "Provider name %s is reserved.", name)
	}
	if typ == "SAML" {
		if details["MetadataFile"] == "" && details["MetadataURL"] == "" {
			// Unconfirmed: Cognito's message.
			return cognito.New(cognito.InvalidParameter, "SAML providers need MetadataFile or MetadataURL in ProviderDetails.")
		}
		return nil
	}
	for _, k := range requiredDetails[typ] {
		if details[k] == "" {
			// Unconfirmed: Cognito's message.
			return cognito.Errorf(cognito.InvalidParameter, "ProviderDetails of a %s provider must include %s.", typ, k)
		}
	}
	if m := details["attributes_request_method"]; typ == "OIDC" && m != "GET" && m != "POST" {
		return cognito.New(cognito.InvalidParameter, "attributes_request_method must be GET or POST.")
	}
	return nil
}

func view(poolID string, it store.Item, p provider) *model.IdentityProviderType {
	ids := p.Identifiers
	if ids == nil {
		ids = []string{}
	}
	if _, ok := p.Details["attributes_url_add_attributes"]; p.Type == "OIDC" && !ok {
		// Cognito sets this read-only key on OIDC providers; Cognate
		// never adds attributes to the userInfo URL.
		d := maps.Clone(p.Details)
		if d == nil {
			d = map[string]string{}
		}
		d["attributes_url_add_attributes"] = "false"
		p.Details = d
	}
	return &model.IdentityProviderType{UserPoolId: model.String(poolID), ProviderName: model.String(it.ID), ProviderType: model.String(p.Type),
		ProviderDetails: p.Details, AttributeMapping: p.Mapping, IdpIdentifiers: ids,
		CreationDate: model.NewTime(it.Created), LastModifiedDate: model.NewTime(it.Modified)}
}

// claimIdentifiers makes the provider name the owner of ids, refusing
// one another provider of the pool owns, and releases old ones it no
// longer lists.
func (s *Service) claimIdentifiers(tx store.Tx, poolID, name string, ids, old []string) error {
	for _, id := range ids {
		var owner string
		_, found, err := core.GetItemDoc(tx, poolID, IdentifierKind, id, &owner)
		if err != nil {
			return err
		}
		if found && owner != name {
			// Unconfirmed: Cognito's answer for an identifier in use.
			return cognito.Errorf(cognito.InvalidParameter, "The IdP identifier %s is already used by provider %s.", id, owner)
		}
		if _, err := s.PutItemDoc(tx, poolID, IdentifierKind, id, name); err != nil {
			return err
		}
	}
	for _, id := range old {
		if !slices.Contains(ids, id) {
			if err := tx.DeleteItem(poolID, IdentifierKind, id); err != nil && !core.IsNotFound(err) {
				return err
			}
		}
	}
	return nil
}

// CreateIdentityProvider adds an identity provider to a pool.
func (s *Service) CreateIdentityProvider(ctx context.Context, in *model.CreateIdentityProviderRequest) (*model.CreateIdentityProviderResponse, error) {
	name, typ := model.StringValue(in.ProviderName), model.StringValue(in.ProviderType)
	if err := checkProvider(name, typ, in.ProviderDetails); err != nil {
		return nil, err
	}
	p := provider{Type: typ, Details: withDefaults(typ, maps.Clone(in.ProviderDetails)), Mapping: withUsername(typ, in.AttributeMapping), Identifiers: in.IdpIdentifiers}
	var out *model.IdentityProviderType
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		pool, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		if _, err := tx.GetItem(pool.Id, ProviderKind, name); err == nil {
			return cognito.Errorf(cognito.DuplicateProvider, "%s already exists in user pool %s", name, pool.Id)
		} else if !core.IsNotFound(err) {
			return err
		}
		existing, err := tx.ListItems(pool.Id, ProviderKind, "", maxProviders+1)
		if err != nil {
			return err
		}
		if len(existing) >= maxProviders {
			return cognito.Errorf(cognito.LimitExceeded, "A user pool can have at most %d identity providers.", maxProviders)
		}
		if err := s.claimIdentifiers(tx, pool.Id, name, p.Identifiers, nil); err != nil {
			return err
		}
		it, err := s.PutItemDoc(tx, pool.Id, ProviderKind, name, p)
		if err != nil {
			return err
		}
		out = view(pool.Id, it, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateIdentityProviderResponse{IdentityProvider: out}, nil
}

// load reads a pool's provider by name inside tx.
func (s *Service) load(tx store.Tx, poolID, name string) (*core.Pool, store.Item, provider, error) {
	var p provider
	pool, err := s.LoadPool(tx, poolID)
	if err != nil {
		return nil, store.Item{}, p, err
	}
	it, found, err := core.GetItemDoc(tx, pool.Id, ProviderKind, name, &p)
	if err == nil && !found {
		err = notFound()
	}
	return pool, it, p, err
}

// DescribeIdentityProvider describes one provider.
func (s *Service) DescribeIdentityProvider(ctx context.Context, in *model.DescribeIdentityProviderRequest) (*model.DescribeIdentityProviderResponse, error) {
	var out *model.IdentityProviderType
	err := s.Store.View(ctx, func(tx store.Tx) error {
		pool, it, p, err := s.load(tx, model.StringValue(in.UserPoolId), model.StringValue(in.ProviderName))
		if err == nil {
			out = view(pool.Id, it, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.DescribeIdentityProviderResponse{IdentityProvider: out}, nil
}

// GetIdentityProviderByIdentifier finds a provider by one of its IdP
// identifiers.
func (s *Service) GetIdentityProviderByIdentifier(ctx context.Context, in *model.GetIdentityProviderByIdentifierRequest) (*model.GetIdentityProviderByIdentifierResponse, error) {
	var out *model.IdentityProviderType
	err := s.Store.View(ctx, func(tx store.Tx) error {
		pool, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		var name string
		_, found, err := core.GetItemDoc(tx, pool.Id, IdentifierKind, model.StringValue(in.IdpIdentifier), &name)
		if err != nil {
			return err
		}
		if !found {
			return notFound()
		}
		_, it, p, err := s.load(tx, pool.Id, name)
		if err == nil {
			out = view(pool.Id, it, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.GetIdentityProviderByIdentifierResponse{IdentityProvider: out}, nil
}

// UpdateIdentityProvider replaces the members the request gives.
func (s *Service) UpdateIdentityProvider(ctx context.Context, in *model.UpdateIdentityProviderRequest) (*model.UpdateIdentityProviderResponse, error) {
	var out *model.IdentityProviderType
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		pool, _, p, err := s.load(tx, model.StringValue(in.UserPoolId), model.StringValue(in.ProviderName))
		if err != nil {
			return err
		}
		name := model.StringValue(in.ProviderName)
		if in.ProviderDetails != nil {
			// Unconfirmed: given details are merged into the stored ones,
			// so that a secret need not be sent again.
			merged := maps.Clone(p.Details)
			maps.Copy(merged, in.ProviderDetails)
			if err := checkProvider(name, p.Type, merged); err != nil {
				return err
			}
			p.Details = redefault(p.Type, p.Details, merged, in.ProviderDetails)
		}
		if in.AttributeMapping != nil {
			p.Mapping = withUsername(p.Type, in.AttributeMapping)
		}
		if in.IdpIdentifiers != nil {
			if err := s.claimIdentifiers(tx, pool.Id, name, in.IdpIdentifiers, p.Identifiers); err != nil {
				return err
			}
			p.Identifiers = in.IdpIdentifiers
		}
		it, err := s.PutItemDoc(tx, pool.Id, ProviderKind, name, p)
		if err != nil {
			return err
		}
		out = view(pool.Id, it, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateIdentityProviderResponse{IdentityProvider: out}, nil
}

// DeleteIdentityProvider removes a provider and frees its identifiers.
func (s *Service) DeleteIdentityProvider(ctx context.Context, in *model.DeleteIdentityProviderRequest) (any, error) {
	return nil, s.Store.Update(ctx, func(tx store.Tx) error {
		pool, _, p, err := s.load(tx, model.StringValue(in.UserPoolId), model.StringValue(in.ProviderName))
		if err != nil {
			return err
		}
		if err := s.claimIdentifiers(tx, pool.Id, model.StringValue(in.ProviderName), nil, p.Identifiers); err != nil {
			return err
		}
		return tx.DeleteItem(pool.Id, ProviderKind, model.StringValue(in.ProviderName))
	})
}

// ListIdentityProviders lists a pool's providers in name order.
func (s *Service) ListIdentityProviders(ctx context.Context, in *model.ListIdentityProvidersRequest) (*model.ListIdentityProvidersResponse, error) {
	limit := int(model.Int32Value(in.MaxResults))
	if limit <= 0 || limit > 60 {
		limit = 60
	}
	out := &model.ListIdentityProvidersResponse{Providers: []model.ProviderDescription{}}
	err := s.Store.View(ctx, func(tx store.Tx) error {
		pool, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		items, err := tx.ListItems(pool.Id, ProviderKind, model.StringValue(in.NextToken), limit+1)
		if err != nil {
			return err
		}
		if len(items) > limit {
			items = items[:limit]
			out.NextToken = model.String(items[limit-1].ID)
		}
		for _, it := range items {
			var p provider
			if err := json.Unmarshal(it.Data, &p); err != nil {
				return err
			}
			out.Providers = append(out.Providers, model.ProviderDescription{ProviderName: model.String(it.ID), ProviderType: model.String(p.Type),
				CreationDate: model.NewTime(it.Created), LastModifiedDate: model.NewTime(it.Modified)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
