package federation

import (
	"context"
	"slices"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// LinkKind holds which user each linked federated identity belongs to,
// keyed by provider and attribute value.
const LinkKind = "identity-link"

// maxLinks is how many federated identities one user can have linked, as
// in Cognito.
const maxLinks = 5

type link struct {
	UserKey string `json:"user"`
	Sub     string `json:"sub"`
}

func linkID(provider, value string) string { return provider + "\x00" + value }

// LinkedUser returns the key of the native user a federated identity is
// linked to, "" when none.
func LinkedUser(tx store.Tx, poolID, provider, value string) (string, error) {
	var l link
	_, _, err := core.GetItemDoc(tx, poolID, LinkKind, linkID(provider, value), &l)
	return l.UserKey, err
}

// AdminLinkProviderForUser links a federated identity (SourceUser) to a
// native user (DestinationUser), who then signs in through the provider.
func (s *Service) AdminLinkProviderForUser(ctx context.Context, in *model.AdminLinkProviderForUserRequest) (any, error) {
	dst, src := in.DestinationUser, in.SourceUser
	if dst == nil || src == nil {
		return nil, cognito.New(cognito.InvalidParameter, "DestinationUser and SourceUser are required.")
	}
	if model.StringValue(dst.ProviderName) != "Cognito" {
		// Unconfirmed: Cognito's message.
		return nil, cognito.New(cognito.InvalidParameter, "DestinationUser must be a Cognito user: its ProviderName must be Cognito.")
	}
	provider, attr, value := model.StringValue(src.ProviderName), model.StringValue(src.ProviderAttributeName), model.StringValue(src.ProviderAttributeValue)
	if value == "" || attr == "" {
		return nil, cognito.New(cognito.InvalidParameter, "SourceUser needs ProviderAttributeName and ProviderAttributeValue.")
	}
	return nil, s.Store.Update(ctx, func(tx store.Tx) error {
		pool, _, p, err := s.load(tx, model.StringValue(in.UserPoolId), provider)
		if err != nil {
			return err
		}
		if attr != "Cognito_Subject" && p.Type != "SAML" {
			// Unconfirmed: Cognito's message.
			return cognito.New(cognito.InvalidParameter, "SourceUser ProviderAttributeName must be Cognito_Subject for this provider.")
		}
		u, err := s.ResolveUser(tx, pool, model.StringValue(dst.ProviderAttributeValue))
		if err != nil {
			return err
		}
		if _, err := s.GetUser(tx, pool, provider+"_"+value); err == nil {
			return cognito.New(cognito.InvalidParameter, "Merging is not currently supported, provide a SourceUser that has not been signed in before.")
		} else if !cognito.IsCode(err, cognito.UserNotFound) {
			return err
		}
		owner, err := LinkedUser(tx, pool.Id, provider, value)
		if err != nil {
			return err
		}
		if owner != "" {
			// Unconfirmed: Cognito's message.
			return cognito.New(cognito.AliasExists, "The SourceUser is already linked to a user.")
		}
		if u.Doc.Extra == nil {
			u.Doc.Extra = &core.UserExtra{}
		}
		if len(u.Doc.Extra.Identities) >= maxLinks {
			return cognito.Errorf(cognito.LimitExceeded, "A user can have at most %d linked identities.", maxLinks)
		}
		u.Doc.Extra.Identities = append(u.Doc.Extra.Identities, core.Identity{Provider: provider, Attribute: attr, Value: value, Created: s.Now().UTC()})
		if _, err := s.PutItemDoc(tx, pool.Id, LinkKind, linkID(provider, value), link{UserKey: u.Rec.Key, Sub: u.Rec.Sub}); err != nil {
			return err
		}
		return s.PutUser(tx, u)
	})
}

// AdminDisableProviderForUser unlinks a federated identity from the
// native user it was linked to, and disables the federated user of that
// identity if one signed in.
func (s *Service) AdminDisableProviderForUser(ctx context.Context, in *model.AdminDisableProviderForUserRequest) (any, error) {
	id := in.User
	if id == nil || model.StringValue(id.ProviderName) == "" || model.StringValue(id.ProviderName) == "Cognito" {
		// Unconfirmed: Cognito's message.
		return nil, cognito.New(cognito.InvalidParameter, "User must name a federated identity: a ProviderName other than Cognito.")
	}
	provider, value := model.StringValue(id.ProviderName), model.StringValue(id.ProviderAttributeValue)
	return nil, s.Store.Update(ctx, func(tx store.Tx) error {
		pool, _, _, err := s.load(tx, model.StringValue(in.UserPoolId), provider)
		if err != nil {
			return err
		}
		changed := false
		var l link
		_, found, err := core.GetItemDoc(tx, pool.Id, LinkKind, linkID(provider, value), &l)
		if err != nil {
			return err
		}
		if found {
			if err := tx.DeleteItem(pool.Id, LinkKind, linkID(provider, value)); err != nil {
				return err
			}
			if u, err := s.Reload(tx, pool, &core.User{Rec: store.User{Key: l.UserKey, Sub: l.Sub}}); err == nil && u.Doc.Extra != nil {
				u.Doc.Extra.Identities = slices.DeleteFunc(u.Doc.Extra.Identities, func(i core.Identity) bool {
					return i.Provider == provider && i.Value == value
				})
				if err := s.PutUser(tx, u); err != nil {
					return err
				}
			} else if err != nil && !cognito.IsCode(err, cognito.UserNotFound) {
				return err
			}
			changed = true
		}
		if fed, err := s.GetUser(tx, pool, provider+"_"+value); err == nil {
			fed.Doc.Enabled = false
			if err := s.PutUser(tx, fed); err != nil {
				return err
			}
			changed = true
		} else if !cognito.IsCode(err, cognito.UserNotFound) {
			return err
		}
		if !changed {
			return core.UserNotFound()
		}
		return nil
	})
}
