package users

import (
	"context"
	"errors"
	"maps"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
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
func (s *Service) updateAttributes(ctx context.Context, p *core.Pool, u *core.User, w Writer, changes []core.AttrChange,
	clientID string, clientMetadata map[string]string) ([]model.CodeDeliveryDetailsType, error) {
	for attempt := 1; ; attempt++ {
		details, err := s.updateOnce(ctx, p, u, w, changes, clientID, clientMetadata, attempt < staleRetries)
		if !errors.Is(err, errStaleSnapshot) {
			return details, err
		}
		err = s.Store.View(ctx, func(tx store.Tx) error {
			var err error
			u, err = s.Reload(tx, p, u)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
}

func (s *Service) updateOnce(ctx context.Context, p *core.Pool, u *core.User, w Writer, changes []core.AttrChange,
	clientID string, clientMetadata map[string]string, checkStale bool) ([]model.CodeDeliveryDetailsType, error) {
	plan, err := s.PlanAttributes(p, u, w, changes)
	if err != nil {
		return nil, err
	}
	if len(plan.Sends) > 0 {
		// Refuse a throttled send before the trigger runs; the check is
		// repeated on the fresh record inside the transaction.
		probe := &core.User{Rec: u.Rec, Doc: &core.UserDoc{Sends: maps.Clone(u.Doc.Sends)}}
		for _, o := range plan.Sends {
			if err := s.delivery.NoteSend(probe, o.Purpose); err != nil {
				return nil, err
			}
		}
		preview := &core.User{Rec: u.Rec, Doc: &core.UserDoc{Attributes: maps.Clone(u.Doc.Attributes)}}
		ApplyAttrs(preview, plan.Changes)
		for _, o := range plan.Sends {
			o.Source = trigger.SourceCustomMessageUpdateUserAttribute
		}
		if err := s.delivery.Compose(ctx, p, u.Rec.Username, preview.Doc.Attributes, u.Doc.Status, clientID, clientMetadata, plan.Sends); err != nil {
			return nil, err
		}
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		fresh, err := s.Reload(tx, p, u)
		if err != nil {
			return err
		}
		if checkStale && !sameContactState(u, fresh, changes) {
			return errStaleSnapshot
		}
		if err := s.applyPlan(tx, p, fresh, plan); err != nil {
			return err
		}
		if err := s.PutUser(tx, fresh); err != nil {
			return err
		}
		return delivery.Record(tx, plan.Sends)
	})
	if err != nil {
		return nil, err
	}
	return s.delivery.Deliver(ctx, plan.Sends)
}

// sameContactState reports whether the e-mail/phone state that changes
// touch is the same in users a and b.
func sameContactState(a, b *core.User, changes []core.AttrChange) bool {
	for _, attr := range []string{"email", "phone_number"} {
		touched := false
		for _, c := range changes {
			if c.Name == attr || c.Name == attr+"_verified" {
				touched = true
			}
		}
		if !touched {
			continue
		}
		for _, name := range []string{attr, attr + "_verified"} {
			if a.Doc.Attributes[name] != b.Doc.Attributes[name] {
				return false
			}
		}
		if a.Doc.Pending[attr] != b.Doc.Pending[attr] {
			return false
		}
	}
	return true
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
	claims, poolID, err := s.tokens.VerifyAccess(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		c, err := s.tokens.LoadCaller(tx, claims, poolID)
		if err != nil {
			return err
		}
		w := Writer{Client: c.Client}
		changes, err := CheckAttributes(c.Pool, w, in.UserAttributes, "", "user.", false)
		if err != nil {
			return err
		}
		plan, err := s.PlanAttributes(c.Pool, c.User, w, changes)
		if err != nil {
			return err
		}
		if len(plan.Sends) > 0 {
			return errNeedsMessages
		}
		if err := s.applyPlan(tx, c.Pool, c.User, plan); err != nil {
			return err
		}
		return s.PutUser(tx, c.User)
	})
	if !errors.Is(err, errNeedsMessages) {
		if err != nil {
			return nil, err
		}
		return &model.UpdateUserAttributesResponse{}, nil
	}
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	changes, err := CheckAttributes(c.Pool, Writer{Client: c.Client}, in.UserAttributes, "", "user.", false)
	if err != nil {
		return nil, err
	}
	details, err := s.updateAttributes(ctx, c.Pool, c.User, Writer{Client: c.Client}, changes, c.Claims.ClientID, in.ClientMetadata)
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
	changes, err := CheckAttributes(p, Writer{}, in.UserAttributes, "", "user.", false)
	if err != nil {
		return nil, err
	}
	if _, err := s.updateAttributes(ctx, p, u, Writer{}, changes, "", in.ClientMetadata); err != nil {
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
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	changes, err := CheckAttributes(c.Pool, Writer{Client: c.Client}, deletions(in.UserAttributeNames), "", "user.", false)
	if err != nil {
		return nil, err
	}
	if _, err := s.updateAttributes(ctx, c.Pool, c.User, Writer{Client: c.Client}, changes, c.Claims.ClientID, nil); err != nil {
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
	changes, err := CheckAttributes(p, Writer{}, deletions(in.UserAttributeNames), "", "user.", false)
	if err != nil {
		return nil, err
	}
	if _, err := s.updateAttributes(ctx, p, u, Writer{}, changes, "", nil); err != nil {
		return nil, err
	}
	return &model.AdminDeleteUserAttributesResponse{}, nil
}

// GetUserAttributeVerificationCode sends a fresh code for the user's email
// or phone number (to the held value when one waits for verification).
func (s *Service) GetUserAttributeVerificationCode(ctx context.Context, in *model.GetUserAttributeVerificationCodeRequest) (*model.GetUserAttributeVerificationCodeResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	attr := model.StringValue(in.AttributeName)
	if attr != "email" && attr != "phone_number" {
		return nil, cognito.New(cognito.InvalidParameter, "Invalid attribute name. Only phone_number and email can be verified")
	}
	value, ok := c.User.Doc.Pending[attr]
	if !ok {
		value, ok = c.User.Doc.Attributes[attr]
	}
	if !ok || value == "" {
		return nil, cognito.Errorf(cognito.InvalidParameter, "User does not have a value for the attribute: %s", attr)
	}
	probe := &core.User{Rec: c.User.Rec, Doc: &core.UserDoc{Sends: maps.Clone(c.User.Doc.Sends)}}
	if err := s.delivery.NoteSend(probe, attr); err != nil {
		return nil, err
	}
	code, err := s.delivery.NewCode()
	if err != nil {
		return nil, err
	}
	o := &delivery.Outgoing{Attr: attr, Value: value, Purpose: attr, Code: code, Source: trigger.SourceCustomMessageVerifyUserAttribute}
	outs := []*delivery.Outgoing{o}
	if err := s.delivery.Compose(ctx, c.Pool, c.User.Rec.Username, c.User.Doc.Attributes, c.User.Doc.Status, c.Claims.ClientID, in.ClientMetadata, outs); err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, c.Pool, c.User)
		if err != nil {
			return err
		}
		if err := s.delivery.NoteSend(u, attr); err != nil {
			return err
		}
		s.delivery.StoreCode(c.Pool, u, attr, code, value)
		if err := s.PutUser(tx, u); err != nil {
			return err
		}
		return delivery.Record(tx, outs)
	})
	if err != nil {
		return nil, err
	}
	details, err := s.delivery.Deliver(ctx, outs)
	if err != nil {
		return nil, err
	}
	return &model.GetUserAttributeVerificationCodeResponse{CodeDeliveryDetails: &details[0]}, nil
}

// VerifyUserAttribute checks a code and marks the attribute verified,
// first applying a value held for verification.
func (s *Service) VerifyUserAttribute(ctx context.Context, in *model.VerifyUserAttributeRequest) (*model.VerifyUserAttributeResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	attr := model.StringValue(in.AttributeName)
	if attr != "email" && attr != "phone_number" {
		return nil, cognito.New(cognito.InvalidParameter, "Invalid attribute name. Only phone_number and email can be verified")
	}
	var codeErr error
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		codeErr = nil
		u, err := s.Reload(tx, c.Pool, c.User)
		if err != nil {
			return err
		}
		sent, err := s.delivery.CheckCode(c.Pool, u, attr, model.StringValue(in.Code))
		if err != nil {
			// Keep the counted try (it is not a user change, so the
			// modification date stays); report the error after the commit.
			codeErr = err
			return core.SaveUser(tx, u)
		}
		before := c.Pool.AliasesOf(u)
		pending, hasPending := u.Doc.Pending[attr]
		switch {
		case hasPending && pending == sent.Value:
			u.Doc.Attributes[attr] = pending
			delete(u.Doc.Pending, attr)
		case u.Doc.Attributes[attr] != sent.Value:
			// The value changed since the code was sent: the code is void.
			codeErr = cognito.New(cognito.ExpiredCode, "Invalid code provided, please request a code again.")
			return core.SaveUser(tx, u)
		}
		u.Doc.Attributes[attr+"_verified"] = "true"
		if err := s.SyncAliases(tx, c.Pool, u, before, false); err != nil {
			return err
		}
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	if codeErr != nil {
		return nil, codeErr
	}
	return &model.VerifyUserAttributeResponse{}, nil
}
