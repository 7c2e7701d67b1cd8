package auth

import (
	"context"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
	"github.com/cognate-idp/cognate/internal/userpool/users"
)

// planChallengeAttrs plans the attributes a user sets while answering
// NEW_PASSWORD_REQUIRED with the same rules as UpdateUserAttributes: a new
// email or phone number is unverified and a self-set *_verified=true is
// ignored. No code is sent from the challenge (the user can ask for one with
// GetUserAttributeVerificationCode), so values that would be held pending
// are written unverified instead.
func (s *Service) planChallengeAttrs(p *core.Pool, u *core.User, c *core.Client, changes []core.AttrChange) ([]core.AttrChange, error) {
	plan, err := s.users.PlanAttributes(p, u, users.Writer{Client: c}, changes)
	if err != nil {
		return nil, err
	}
	out := plan.Changes
	for _, o := range plan.Sends {
		out = append(out, core.AttrChange{Name: o.Attr, Value: o.Value}, core.AttrChange{Name: o.Attr + "_verified", Value: "false"})
	}
	for attr := range plan.Pending {
		delete(u.Doc.Pending, attr)
	}
	return out, nil
}

func (s *Service) newPassword(ctx context.Context, p *core.Pool, c *core.Client, session string, resp, clientMetadata map[string]string) (*authResult, error) {
	cs, err := s.OpenSession(session, p, c, "NEW_PASSWORD_REQUIRED")
	if err != nil {
		return nil, err
	}
	pw, err := requireParam(resp, "NEW_PASSWORD")
	if err != nil {
		return nil, err
	}
	if err := passwords.CheckPolicy(p, pw); err != nil {
		return nil, err
	}
	var attrs []model.AttributeType
	for k, v := range resp {
		if name, ok := strings.CutPrefix(k, "userAttributes."); ok {
			attrs = append(attrs, model.AttributeType{Name: model.String(name), Value: model.String(v)})
		}
	}
	changes, err := users.CheckAttributes(p, users.Writer{Client: c}, attrs, "", "userAttributes.", false)
	if err != nil {
		return nil, err
	}
	var username string
	err = s.Store.View(ctx, func(tx store.Tx) error {
		rec, err := tx.GetUser(p.Id, cs.UserKey)
		username = rec.Username
		return core.MapStoreErr(err, core.UserNotFound())
	})
	if err != nil {
		return nil, err
	}
	pm, err := s.passwords.NewPasswordMaterial(p, username, pw)
	if err != nil {
		return nil, err
	}
	var done *core.User
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		rec, err := tx.GetUser(p.Id, cs.UserKey)
		if err != nil {
			return core.MapStoreErr(err, core.UserNotFound())
		}
		if rec.Sub != cs.Sub {
			return core.UserNotFound()
		}
		u, err := core.DecodeUser(rec)
		if err != nil {
			return err
		}
		if u.Doc.Status != core.StatusForceChangePassword || cs.Password != core.PasswordTag(u.Doc.PasswordHash) {
			return core.InvalidSession()
		}
		if !u.Doc.Enabled {
			return cognito.New(cognito.NotAuthorized, "User is disabled.")
		}
		if name := resp["USERNAME"]; name != "" || c.HasSecret() {
			if err := s.CheckSecretHash(c, name, resp["SECRET_HASH"]); err != nil {
				return err
			}
		}
		before := p.AliasesOf(u)
		planned, err := s.planChallengeAttrs(p, u, c, changes)
		if err != nil {
			return err
		}
		users.ApplyAttrs(u, planned)
		if err := users.MissingRequired(p, u.Doc.Attributes, "", "userAttributes."); err != nil {
			return err
		}
		pm.Apply(u)
		u.Doc.Status = core.StatusConfirmed
		u.Doc.TempPasswordExpires = time.Time{}
		if err := s.users.SyncAliases(tx, p, u, before, false); err != nil {
			return err
		}
		done = u
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return s.afterPassword(ctx, p, c, done, cs.Device, triggers.TokenGen{Source: trigger.SourceTokenGenerationNewPasswordChallenge, ClientMetadata: clientMetadata})
}
