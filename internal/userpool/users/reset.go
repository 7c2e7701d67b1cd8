package users

import (
	"context"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
)

// resetTarget picks where a password-reset code goes: the verified email,
// else the verified phone number.
func resetTarget(u *core.User) *delivery.Outgoing {
	for _, attr := range []string{"email", "phone_number"} {
		if v := u.Doc.Attributes[attr]; v != "" && u.Doc.Attributes[attr+"_verified"] == "true" {
			return &delivery.Outgoing{Attr: attr, Value: v}
		}
	}
	return nil
}

// AdminResetUserPassword puts a user in RESET_REQUIRED and sends a reset
// code, as ForgotPassword does. Until the user sets a new password with
// ConfirmForgotPassword, sign-in answers PasswordResetRequiredException and
// the user's tokens stop working.
func (s *Service) AdminResetUserPassword(ctx context.Context, in *model.AdminResetUserPasswordRequest) (*model.AdminResetUserPasswordResponse, error) {
	p, snapshot, err := s.adminUser(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	if snapshot.Doc.Status == core.StatusForceChangePassword {
		// Unconfirmed: the state Cognito refuses; an administrator sets a
		// new temporary password instead.
		return nil, cognito.New(cognito.NotAuthorized, "User password cannot be reset in the current state.")
	}
	o := resetTarget(snapshot)
	if o == nil {
		return nil, cognito.New(cognito.InvalidParameter, "Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	o.Purpose, o.Source = delivery.PurposeForgot, trigger.SourceCustomMessageForgotPassword
	if o.Code, err = s.delivery.NewCode(); err != nil {
		return nil, err
	}
	outs := []*delivery.Outgoing{o}
	if err := s.delivery.Compose(ctx, p, snapshot.Rec.Username, snapshot.Doc.Attributes, core.StatusResetRequired, "", in.ClientMetadata, outs); err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, p, snapshot)
		if err != nil {
			return err
		}
		if err := s.delivery.NoteSend(u, delivery.PurposeForgot); err != nil {
			return err
		}
		s.delivery.StoreCode(p, u, delivery.PurposeForgot, o.Code, o.Value)
		u.Doc.Status = core.StatusResetRequired
		if err := s.PutUser(tx, u); err != nil {
			return err
		}
		return delivery.Record(tx, outs)
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.delivery.Deliver(ctx, outs); err != nil {
		return nil, err
	}
	return &model.AdminResetUserPasswordResponse{}, nil
}
