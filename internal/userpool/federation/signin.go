package federation

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
	"github.com/cognate-idp/cognate/internal/userpool/users"
)

// SignIn signs in the user of a provider's verified claims for client c:
// the native user the provider identity is linked to
// (AdminLinkProviderForUser), or else the federated user
// <provider>_<user ID>, created on the first sign-in (after PreSignUp,
// with PreSignUp_ExternalProvider) with status EXTERNAL_PROVIDER and the
// identities attribute, and given the mapped attributes on every sign-in.
// PreAuthentication and PostAuthentication run around it as in a hosted
// password sign-in. A disabled user is refused.
func (s *Service) SignIn(ctx context.Context, p *core.Pool, c *core.Client, up *Upstream, claims map[string]any) (*core.User, error) {
	userID, attrs, err := MapClaims(p, up.Mapping, claims)
	if err != nil {
		return nil, upstreamErr("claims", err)
	}
	u, err := s.linkedOrFederated(ctx, p, c, up, userID, attrs)
	if err != nil {
		return nil, err
	}
	if !u.Doc.Enabled {
		return nil, cognito.New(cognito.NotAuthorized, "User is disabled.")
	}
	// Unconfirmed: that Cognito runs the authentication triggers for a
	// federated sign-in as it does for a hosted password sign-in.
	if err := s.triggers.PreAuthentication(ctx, p, c, u.Rec.Username, u, nil); err != nil {
		return nil, err
	}
	if err := s.triggers.PostAuthentication(ctx, p, c, u, false, nil); err != nil {
		return nil, err
	}
	return u, nil
}

// linkedUser loads the native user the identity is linked to; nil when
// it is linked to nobody.
func (s *Service) linkedUser(tx store.Tx, p *core.Pool, provider, userID string) (*core.User, error) {
	key, err := LinkedUser(tx, p.Id, provider, userID)
	if err != nil || key == "" {
		return nil, err
	}
	rec, err := tx.GetUser(p.Id, key)
	if err != nil {
		return nil, core.MapStoreErr(err, core.UserNotFound())
	}
	return core.DecodeUser(rec)
}

// federatedUser loads the federated user of provider identity userID,
// named name; nil when there is none. A user of that name that is not
// this identity's own federated user (a native user who signed up with
// the name, or another identity whose ID differs only in case in a
// case-insensitive pool) is refused: signing in as it would hand the
// identity someone else's account.
func (s *Service) federatedUser(tx store.Tx, p *core.Pool, up *Upstream, name, userID string) (*core.User, error) {
	u, err := s.GetUser(tx, p, name)
	if cognito.IsCode(err, cognito.UserNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if u.Doc.Status != core.StatusExternalProvider || !hasIdentity(u.Doc.Attributes["identities"], up.Name, userID) {
		return nil, nameTaken()
	}
	return u, nil
}

// nameTaken refuses a federated sign-in whose user name another user holds.
//
// Unconfirmed: Cognito's answer; the hosted pages pass it on as
// invalid_request.
func nameTaken() error {
	return cognito.New(cognito.UsernameExists, "A user with the federated user name already exists and is not this identity.")
}

func (s *Service) linkedOrFederated(ctx context.Context, p *core.Pool, c *core.Client, up *Upstream, userID string, attrs map[string]string) (*core.User, error) {
	name := up.Name + "_" + userID
	var out *core.User
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		out = nil
		if u, err := s.linkedUser(tx, p, up.Name, userID); err != nil || u != nil {
			// Unconfirmed: a linked native user keeps its own attributes;
			// the mapping applies to federated users only.
			out = u
			return err
		}
		u, err := s.federatedUser(tx, p, up, name, userID)
		if err != nil || u == nil {
			return err
		}
		out = u
		return s.applyMapping(tx, u, attrs)
	})
	if err != nil || out != nil {
		return out, err
	}
	return s.createFederated(ctx, p, c, up, name, userID, attrs)
}

// applyMapping writes the mapped attributes of a sign-in to a federated
// user, when they changed.
func (s *Service) applyMapping(tx store.Tx, u *core.User, attrs map[string]string) error {
	changed := false
	for k, v := range attrs {
		if u.Doc.Attributes[k] != v {
			u.Doc.Attributes[k] = v
			changed = true
		}
	}
	if !changed || !u.Doc.Enabled {
		return nil
	}
	return s.PutUser(tx, u)
}

// requiredUnmapped refuses the first sign-in of an identity whose mapped
// attributes leave required attributes of the pool empty. Cognito sends
// the browser to the callback with error=invalid_request and
// error_description "attributes required: [email]".
func requiredUnmapped(names []string) error {
	return cognito.New(cognito.InvalidParameter, "attributes required: ["+strings.Join(names, ", ")+"]")
}

// createFederated creates the federated user of a first sign-in.
func (s *Service) createFederated(ctx context.Context, p *core.Pool, c *core.Client, up *Upstream, name, userID string, attrs map[string]string) (*core.User, error) {
	sub, err := s.NewUUID()
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	m := maps.Clone(attrs)
	m["sub"] = sub
	m["identities"] = identitiesValue(up, userID, now)
	u := &core.User{
		Rec: store.User{PoolID: p.Id, Key: p.FoldKey(name), Username: name, Sub: sub, Created: now, Modified: now},
		Doc: &core.UserDoc{Attributes: m, Status: core.StatusExternalProvider, Enabled: true},
	}
	var submitted []core.AttrChange
	for k, v := range attrs {
		submitted = append(submitted, core.AttrChange{Name: k, Value: v})
	}
	clientID := triggers.ClientIDOf(c)
	if _, err := s.triggers.PreSignUp(ctx, p, u, trigger.SourcePreSignUpExternalProvider, clientID, submitted, nil, nil); err != nil {
		return nil, err
	}
	var out *core.User
	created := false
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		out, created = nil, false
		// The PreSignUp trigger may have linked the identity to a native
		// user (AdminLinkProviderForUser), which then signs in.
		if l, err := s.linkedUser(tx, p, up.Name, userID); err != nil || l != nil {
			out = l
			return err
		}
		// Checked here, after PreSignUp: a trigger that links the
		// identity to a native user signs it in as that user, whose
		// attributes are its own.
		if missing := users.RequiredAbsent(p, attrs); len(missing) > 0 {
			return requiredUnmapped(missing)
		}
		rec, err := u.Encode()
		if err != nil {
			return err
		}
		if err := tx.CreateUser(rec); errors.Is(err, store.ErrConflict) {
			// A concurrent first sign-in created the user, or the name is
			// another user's.
			if out, err = s.federatedUser(tx, p, up, name, userID); err != nil {
				return err
			}
			if out == nil {
				return nameTaken()
			}
			return s.applyMapping(tx, out, attrs)
		} else if err != nil {
			return err
		}
		u.Written(rec)
		out, created = u, true
		return nil
	})
	if err != nil {
		return nil, err
	}
	if created {
		// Unconfirmed: Cognito confirms a federated user on its first
		// sign-in and runs PostConfirmation with ConfirmSignUp.
		if err := s.triggers.PostConfirmation(ctx, p, out, trigger.SourcePostConfirmationConfirmSignUp, clientID, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
