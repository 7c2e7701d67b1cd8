package userpool

import (
	"context"
	"errors"
	"maps"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
)

// errStaleSnapshot reports that the e-mail or phone state an update was
// planned on changed before it committed.
var errStaleSnapshot = errors.New("userpool: user changed while planning")

// staleRetries bounds how often an update is re-planned after a
// concurrent e-mail/phone change; the last attempt applies regardless.
const staleRetries = 3

// updateAttributes plans, composes, commits and delivers an attribute
// update of the user snapshot u. clientID is "" for admin callers.
//
// The plan is made on a snapshot because the CustomMessage trigger must run
// outside the transaction. Plain attribute writes are re-applied to the
// fresh record, so concurrent updates of other attributes are kept; the
// e-mail/phone decisions (same value, held value, codes) depend on the
// current state, so when that changed the update is planned again.
func (s *Service) updateAttributes(ctx context.Context, p *pool, u *user, w writer, changes []attrChange,
	clientID string, clientMetadata map[string]string) ([]model.CodeDeliveryDetailsType, error) {
	for attempt := 1; ; attempt++ {
		details, err := s.updateOnce(ctx, p, u, w, changes, clientID, clientMetadata, attempt < staleRetries)
		if !errors.Is(err, errStaleSnapshot) {
			return details, err
		}
		err = s.store.View(ctx, func(tx store.Tx) error {
			var err error
			u, err = s.reload(tx, p, u)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
}

func (s *Service) updateOnce(ctx context.Context, p *pool, u *user, w writer, changes []attrChange,
	clientID string, clientMetadata map[string]string, checkStale bool) ([]model.CodeDeliveryDetailsType, error) {
	plan, err := s.planAttributes(p, u, w, changes)
	if err != nil {
		return nil, err
	}
	if len(plan.sends) > 0 {
		// Refuse a throttled send before the trigger runs; the check is
		// repeated on the fresh record inside the transaction.
		probe := &user{rec: u.rec, doc: &userDoc{Sends: maps.Clone(u.doc.Sends)}}
		for _, o := range plan.sends {
			if err := s.noteSend(probe, o.purpose); err != nil {
				return nil, err
			}
		}
		preview := &user{rec: u.rec, doc: &userDoc{Attributes: maps.Clone(u.doc.Attributes)}}
		applyAttrs(preview, plan.changes)
		for _, o := range plan.sends {
			o.source = trigger.SourceCustomMessageUpdateUserAttribute
		}
		if err := s.compose(ctx, p, u.rec.Username, preview.doc.Attributes, u.doc.Status, clientID, clientMetadata, plan.sends); err != nil {
			return nil, err
		}
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		fresh, err := s.reload(tx, p, u)
		if err != nil {
			return err
		}
		if checkStale && !sameContactState(u, fresh, changes) {
			return errStaleSnapshot
		}
		if err := s.applyPlan(tx, p, fresh, plan); err != nil {
			return err
		}
		if err := s.putUser(tx, fresh); err != nil {
			return err
		}
		return record(tx, plan.sends)
	})
	if err != nil {
		return nil, err
	}
	return s.deliver(ctx, plan.sends)
}

// sameContactState reports whether the e-mail/phone state that changes
// touch is the same in users a and b.
func sameContactState(a, b *user, changes []attrChange) bool {
	for _, attr := range []string{"email", "phone_number"} {
		touched := false
		for _, c := range changes {
			if c.name == attr || c.name == attr+"_verified" {
				touched = true
			}
		}
		if !touched {
			continue
		}
		for _, name := range []string{attr, attr + "_verified"} {
			if a.doc.Attributes[name] != b.doc.Attributes[name] {
				return false
			}
		}
		if a.doc.Pending[attr] != b.doc.Pending[attr] {
			return false
		}
	}
	return true
}

// reload reads the current record of the user snapshot u inside tx; a user
// deleted (or deleted and re-created) since is UserNotFoundException.
func (s *Service) reload(tx store.Tx, p *pool, u *user) (*user, error) {
	rec, err := tx.GetUser(p.id, u.rec.Key)
	if err != nil {
		return nil, mapStoreErr(err, userNotFound())
	}
	if rec.Sub != u.rec.Sub {
		return nil, userNotFound()
	}
	return decodeUser(rec)
}

// putUser stamps and writes a user inside tx.
func (s *Service) putUser(tx store.Tx, u *user) error {
	u.rec.Modified = s.now().UTC()
	return saveUser(tx, u)
}

// saveUser writes a user inside tx without touching its modification
// date, for bookkeeping such as counted code tries.
func saveUser(tx store.Tx, u *user) error {
	rec, err := u.encode()
	if err != nil {
		return err
	}
	return tx.PutUser(rec)
}

// errNeedsMessages reports that an update sends verification messages,
// which must be composed (CustomMessage trigger) outside the transaction.
var errNeedsMessages = errors.New("userpool: update sends messages")

// UpdateUserAttributes lets a signed-in user change their own attributes.
//
// An update that sends no verification message (no new email or phone
// needing a code) is checked and applied in one write transaction on the
// current record; one that sends messages is planned on a snapshot,
// composed outside the transaction and then committed (updateAttributes).
func (s *Service) UpdateUserAttributes(ctx context.Context, in *model.UpdateUserAttributesRequest) (*model.UpdateUserAttributesResponse, error) {
	claims, poolID, err := s.verifyAccess(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		c, err := s.loadCaller(tx, claims, poolID)
		if err != nil {
			return err
		}
		w := writer{client: c.client}
		changes, err := checkAttributes(c.pool, w, in.UserAttributes, "", "user.", false)
		if err != nil {
			return err
		}
		plan, err := s.planAttributes(c.pool, c.user, w, changes)
		if err != nil {
			return err
		}
		if len(plan.sends) > 0 {
			return errNeedsMessages
		}
		if err := s.applyPlan(tx, c.pool, c.user, plan); err != nil {
			return err
		}
		return s.putUser(tx, c.user)
	})
	if !errors.Is(err, errNeedsMessages) {
		if err != nil {
			return nil, err
		}
		return &model.UpdateUserAttributesResponse{}, nil
	}
	c, err := s.authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	changes, err := checkAttributes(c.pool, writer{client: c.client}, in.UserAttributes, "", "user.", false)
	if err != nil {
		return nil, err
	}
	details, err := s.updateAttributes(ctx, c.pool, c.user, writer{client: c.client}, changes, c.claims.ClientID, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	return &model.UpdateUserAttributesResponse{CodeDeliveryDetailsList: details}, nil
}

// AdminUpdateUserAttributes changes any user's attributes, including
// developer-only ones and the *_verified flags.
func (s *Service) AdminUpdateUserAttributes(ctx context.Context, in *model.AdminUpdateUserAttributesRequest) (*model.AdminUpdateUserAttributesResponse, error) {
	p, u, err := s.adminUser(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	changes, err := checkAttributes(p, writer{}, in.UserAttributes, "", "user.", false)
	if err != nil {
		return nil, err
	}
	if _, err := s.updateAttributes(ctx, p, u, writer{}, changes, "", in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.AdminUpdateUserAttributesResponse{}, nil
}

// deletions turns attribute names into blank-value writes.
func deletions(names []string) []model.AttributeType {
	out := make([]model.AttributeType, len(names))
	for i, n := range names {
		out[i] = model.AttributeType{Name: model.String(n), Value: model.String("")}
	}
	return out
}

// DeleteUserAttributes lets a signed-in user delete their own attributes.
func (s *Service) DeleteUserAttributes(ctx context.Context, in *model.DeleteUserAttributesRequest) (*model.DeleteUserAttributesResponse, error) {
	c, err := s.authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	changes, err := checkAttributes(c.pool, writer{client: c.client}, deletions(in.UserAttributeNames), "", "user.", false)
	if err != nil {
		return nil, err
	}
	if _, err := s.updateAttributes(ctx, c.pool, c.user, writer{client: c.client}, changes, c.claims.ClientID, nil); err != nil {
		return nil, err
	}
	return &model.DeleteUserAttributesResponse{}, nil
}

// AdminDeleteUserAttributes deletes attributes of any user.
func (s *Service) AdminDeleteUserAttributes(ctx context.Context, in *model.AdminDeleteUserAttributesRequest) (*model.AdminDeleteUserAttributesResponse, error) {
	p, u, err := s.adminUser(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	changes, err := checkAttributes(p, writer{}, deletions(in.UserAttributeNames), "", "user.", false)
	if err != nil {
		return nil, err
	}
	if _, err := s.updateAttributes(ctx, p, u, writer{}, changes, "", nil); err != nil {
		return nil, err
	}
	return &model.AdminDeleteUserAttributesResponse{}, nil
}

// GetUserAttributeVerificationCode sends a fresh code for the user's email
// or phone number (to the held value when one waits for verification).
func (s *Service) GetUserAttributeVerificationCode(ctx context.Context, in *model.GetUserAttributeVerificationCodeRequest) (*model.GetUserAttributeVerificationCodeResponse, error) {
	c, err := s.authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	attr := model.StringValue(in.AttributeName)
	if attr != "email" && attr != "phone_number" {
		return nil, cognito.New(cognito.InvalidParameter, "Invalid attribute name. Only phone_number and email can be verified")
	}
	value, ok := c.user.doc.Pending[attr]
	if !ok {
		value, ok = c.user.doc.Attributes[attr]
	}
	if !ok || value == "" {
		return nil, cognito.Errorf(cognito.InvalidParameter, "User does not have a value for the attribute: %s", attr)
	}
	probe := &user{rec: c.user.rec, doc: &userDoc{Sends: maps.Clone(c.user.doc.Sends)}}
	if err := s.noteSend(probe, attr); err != nil {
		return nil, err
	}
	code, err := s.newCode()
	if err != nil {
		return nil, err
	}
	o := &outgoing{attr: attr, value: value, purpose: attr, code: code, source: trigger.SourceCustomMessageVerifyUserAttribute}
	outs := []*outgoing{o}
	if err := s.compose(ctx, c.pool, c.user.rec.Username, c.user.doc.Attributes, c.user.doc.Status, c.claims.ClientID, in.ClientMetadata, outs); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		u, err := s.reload(tx, c.pool, c.user)
		if err != nil {
			return err
		}
		if err := s.noteSend(u, attr); err != nil {
			return err
		}
		s.storeCode(c.pool, u, attr, code, value)
		if err := s.putUser(tx, u); err != nil {
			return err
		}
		return record(tx, outs)
	})
	if err != nil {
		return nil, err
	}
	details, err := s.deliver(ctx, outs)
	if err != nil {
		return nil, err
	}
	return &model.GetUserAttributeVerificationCodeResponse{CodeDeliveryDetails: &details[0]}, nil
}

// VerifyUserAttribute checks a code and marks the attribute verified,
// first applying a value held for verification.
func (s *Service) VerifyUserAttribute(ctx context.Context, in *model.VerifyUserAttributeRequest) (*model.VerifyUserAttributeResponse, error) {
	c, err := s.authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	attr := model.StringValue(in.AttributeName)
	if attr != "email" && attr != "phone_number" {
		return nil, cognito.New(cognito.InvalidParameter, "Invalid attribute name. Only phone_number and email can be verified")
	}
	var codeErr error
	err = s.store.Update(ctx, func(tx store.Tx) error {
		codeErr = nil
		u, err := s.reload(tx, c.pool, c.user)
		if err != nil {
			return err
		}
		sent, err := s.checkCode(c.pool, u, attr, model.StringValue(in.Code))
		if err != nil {
			// Keep the counted try (it is not a user change, so the
			// modification date stays); report the error after the commit.
			codeErr = err
			return saveUser(tx, u)
		}
		before := c.pool.aliasesOf(u)
		pending, hasPending := u.doc.Pending[attr]
		switch {
		case hasPending && pending == sent.Value:
			u.doc.Attributes[attr] = pending
			delete(u.doc.Pending, attr)
		case u.doc.Attributes[attr] != sent.Value:
			// The value changed since the code was sent: the code is void.
			codeErr = cognito.New(cognito.ExpiredCode, "Invalid code provided, please request a code again.")
			return saveUser(tx, u)
		}
		u.doc.Attributes[attr+"_verified"] = "true"
		if err := s.syncAliases(tx, c.pool, u, before, false); err != nil {
			return err
		}
		return s.putUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	if codeErr != nil {
		return nil, codeErr
	}
	return &model.VerifyUserAttributeResponse{}, nil
}
