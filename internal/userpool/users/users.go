package users

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
)

// adminUser loads the pool and the user an admin request names.
func (s *Service) adminUser(ctx context.Context, poolID, username *string) (*core.Pool, *core.User, error) {
	var p *core.Pool
	var u *core.User
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if p, err = s.LoadPool(tx, model.StringValue(poolID)); err != nil {
			return err
		}
		u, err = s.ResolveUser(tx, p, model.StringValue(username))
		return err
	})
	return p, u, err
}

// mutateUser runs fn on the fresh record of the user an admin request
// names and writes it back, in one transaction.
func (s *Service) mutateUser(ctx context.Context, poolID, username *string, fn func(tx store.Tx, p *core.Pool, u *core.User) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(poolID))
		if err != nil {
			return err
		}
		u, err := s.ResolveUser(tx, p, model.StringValue(username))
		if err != nil {
			return err
		}
		if err := fn(tx, p, u); err != nil {
			return err
		}
		return s.PutUser(tx, u)
	})
}

// GetUser returns the signed-in user, filtered by the client's
// ReadAttributes. Values held for verification are not shown.
func (s *Service) GetUser(ctx context.Context, in *model.GetUserRequest) (*model.GetUserResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	factors, preferred := c.User.MFAView()
	return &model.GetUserResponse{
		Username:            model.String(c.User.Rec.Username),
		UserAttributes:      c.User.AttributeList(func(n string) bool { return core.CanRead(c.Pool, c.Client, n) }),
		MFAOptions:          MFAOptionList(c.User),
		UserMFASettingList:  factors,
		PreferredMfaSetting: preferred,
	}, nil
}

// AdminGetUser returns any user with every attribute.
func (s *Service) AdminGetUser(ctx context.Context, in *model.AdminGetUserRequest) (*model.AdminGetUserResponse, error) {
	_, u, err := s.adminUser(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	factors, preferred := u.MFAView()
	return &model.AdminGetUserResponse{
		Username:             model.String(u.Rec.Username),
		UserAttributes:       u.AttributeList(nil),
		UserCreateDate:       model.NewTime(u.Rec.Created),
		UserLastModifiedDate: model.NewTime(u.Rec.Modified),
		Enabled:              model.Bool(u.Doc.Enabled),
		UserStatus:           model.String(u.Doc.Status),
		MFAOptions:           MFAOptionList(u),
		UserMFASettingList:   factors,
		PreferredMfaSetting:  preferred,
	}, nil
}

// AdminDeleteUser deletes a user.
func (s *Service) AdminDeleteUser(ctx context.Context, in *model.AdminDeleteUserRequest) (any, error) {
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		u, err := s.ResolveUser(tx, p, model.StringValue(in.Username))
		if err != nil {
			return err
		}
		return tx.DeleteUser(p.Id, u.Rec.Key)
	})
	if err != nil {
		return nil, err
	}
	return nil, nil
}

// DeleteUser lets a signed-in user delete themselves.
func (s *Service) DeleteUser(ctx context.Context, in *model.DeleteUserRequest) (any, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := s.Reload(tx, c.Pool, c.User); err != nil {
			return err
		}
		return tx.DeleteUser(c.Pool.Id, c.User.Rec.Key)
	})
	if err != nil {
		return nil, err
	}
	return nil, nil
}

// AdminDisableUser disables a user and revokes their tokens.
func (s *Service) AdminDisableUser(ctx context.Context, in *model.AdminDisableUserRequest) (*model.AdminDisableUserResponse, error) {
	err := s.mutateUser(ctx, in.UserPoolId, in.Username, func(_ store.Tx, _ *core.Pool, u *core.User) error {
		u.Doc.Enabled = false
		u.Doc.RevokedBefore = s.tokens.RevocationTime(u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminDisableUserResponse{}, nil
}

// AdminEnableUser enables a user.
func (s *Service) AdminEnableUser(ctx context.Context, in *model.AdminEnableUserRequest) (*model.AdminEnableUserResponse, error) {
	err := s.mutateUser(ctx, in.UserPoolId, in.Username, func(_ store.Tx, _ *core.Pool, u *core.User) error {
		u.Doc.Enabled = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminEnableUserResponse{}, nil
}

// AdminSetUserPassword sets a permanent or temporary password.
func (s *Service) AdminSetUserPassword(ctx context.Context, in *model.AdminSetUserPasswordRequest) (*model.AdminSetUserPasswordResponse, error) {
	p, snapshot, err := s.adminUser(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	pw := model.StringValue(in.Password)
	if err := passwords.CheckPolicy(p, pw); err != nil {
		return nil, err
	}
	pm, err := s.passwords.NewPasswordMaterial(p, snapshot.Rec.Username, pw)
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, p, snapshot)
		if err != nil {
			return err
		}
		pm.Apply(u)
		if model.BoolValue(in.Permanent) {
			u.Doc.Status = core.StatusConfirmed
			u.Doc.TempPasswordExpires = time.Time{}
		} else {
			u.Doc.Status = core.StatusForceChangePassword
			u.Doc.TempPasswordExpires = s.tempPasswordExpiry(p)
		}
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminSetUserPasswordResponse{}, nil
}

func (s *Service) tempPasswordExpiry(p *core.Pool) time.Time {
	days := int32(7)
	if p.Cfg.Policies != nil && p.Cfg.Policies.PasswordPolicy != nil && p.Cfg.Policies.PasswordPolicy.TemporaryPasswordValidityDays != nil {
		days = *p.Cfg.Policies.PasswordPolicy.TemporaryPasswordValidityDays
	}
	return s.Now().Add(time.Duration(days) * 24 * time.Hour).UTC()
}

// AdminConfirmSignUp confirms an UNCONFIRMED user without a code.
func (s *Service) AdminConfirmSignUp(ctx context.Context, in *model.AdminConfirmSignUpRequest) (*model.AdminConfirmSignUpResponse, error) {
	var p *core.Pool
	var confirmed *core.User
	err := s.mutateUser(ctx, in.UserPoolId, in.Username, func(_ store.Tx, tp *core.Pool, u *core.User) error {
		if u.Doc.Status != core.StatusUnconfirmed {
			return cognito.Errorf(cognito.NotAuthorized, "User cannot be confirmed. Current status is %s", u.Doc.Status)
		}
		u.Doc.Status = core.StatusConfirmed
		delete(u.Doc.Codes, delivery.PurposeSignUp)
		p, confirmed = tp, u
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.triggers.PostConfirmation(ctx, p, confirmed, trigger.SourcePostConfirmationConfirmSignUp, "", in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.AdminConfirmSignUpResponse{}, nil
}

// AdminUserGlobalSignOut revokes every token of a user.
func (s *Service) AdminUserGlobalSignOut(ctx context.Context, in *model.AdminUserGlobalSignOutRequest) (*model.AdminUserGlobalSignOutResponse, error) {
	err := s.mutateUser(ctx, in.UserPoolId, in.Username, func(_ store.Tx, _ *core.Pool, u *core.User) error {
		u.Doc.RevokedBefore = s.tokens.RevocationTime(u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminUserGlobalSignOutResponse{}, nil
}

// GlobalSignOut revokes every token of the signed-in user.
func (s *Service) GlobalSignOut(ctx context.Context, in *model.GlobalSignOutRequest) (*model.GlobalSignOutResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, c.Pool, c.User)
		if err != nil {
			return err
		}
		u.Doc.RevokedBefore = s.tokens.RevocationTime(u)
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.GlobalSignOutResponse{}, nil
}

// newUserName validates a requested username and returns the internal
// username and the attributes it implies. In pools that sign in with email
// or phone the username must be one of those and the internal username is
// the sub.
func newUserName(p *core.Pool, username, sub string, attrs map[string]string) (string, error) {
	if len(p.UsernameAttrs) > 0 {
		switch {
		case p.UsernameAttrs["email"] && core.EmailPattern.MatchString(username):
			if _, ok := attrs["email"]; !ok {
				attrs["email"] = username
			}
		case p.UsernameAttrs["phone_number"] && core.PhonePattern.MatchString(username):
			if _, ok := attrs["phone_number"]; !ok {
				attrs["phone_number"] = username
			}
		default:
			if p.UsernameAttrs["email"] && p.UsernameAttrs["phone_number"] {
				return "", cognito.New(cognito.InvalidParameter, "Username should be either an email or a phone number.")
			}
			if p.UsernameAttrs["email"] {
				return "", cognito.New(cognito.InvalidParameter, "Username should be an email.")
			}
			return "", cognito.New(cognito.InvalidParameter, "Username should be a phone number.")
		}
		return sub, nil
	}
	if p.AliasAttrs["email"] && core.EmailPattern.MatchString(username) {
		return "", cognito.New(cognito.InvalidParameter, "Username cannot be of email format, since user pool is configured for email alias.")
	}
	if p.AliasAttrs["phone_number"] && core.PhonePattern.MatchString(username) {
		return "", cognito.New(cognito.InvalidParameter, "Username cannot be of phone number format, since user pool is configured for phone number alias.")
	}
	return username, nil
}

// newUser builds a user record for username with attrs (already checked).
func (s *Service) newUser(p *core.Pool, username string, attrs []core.AttrChange) (*core.User, error) {
	sub, err := s.NewUUID()
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, a := range attrs {
		if a.Value != "" {
			m[a.Name] = a.Value
		}
	}
	internal, err := newUserName(p, username, sub, m)
	if err != nil {
		return nil, err
	}
	for _, attr := range []string{"email", "phone_number"} {
		if _, ok := m[attr]; ok {
			if _, set := m[attr+"_verified"]; !set {
				m[attr+"_verified"] = "false"
			}
		}
	}
	m["sub"] = sub
	now := s.Now().UTC()
	return &core.User{
		Rec: store.User{PoolID: p.Id, Key: p.FoldKey(internal), Username: internal, Sub: sub, Created: now, Modified: now},
		Doc: &core.UserDoc{Attributes: m, Enabled: true},
	}, nil
}

// RequiredAbsent returns the names of pool p's required attributes
// that attrs leaves empty, in schema order.
func RequiredAbsent(p *core.Pool, attrs map[string]string) []string {
	var names []string
	for _, a := range p.Cfg.SchemaAttributes {
		name := model.StringValue(a.Name)
		if name != "sub" && model.BoolValue(a.Required) && attrs[name] == "" {
			names = append(names, name)
		}
	}
	return names
}

// MissingRequired reports required attributes absent from attrs.
func MissingRequired(p *core.Pool, attrs map[string]string, lead, prefix string) error {
	var ps []core.Problem
	for _, name := range RequiredAbsent(p, attrs) {
		ps = append(ps, core.Problem{Name: name, Text: "The attribute " + name + " is required"})
	}
	if len(ps) > 0 {
		return core.ProblemsError(lead, prefix, ps)
	}
	return nil
}

// createUser inserts a new user and claims its aliases.
func (s *Service) createUser(tx store.Tx, p *core.Pool, u *core.User, forceAlias bool, existsErr error) error {
	rec, err := u.Encode()
	if err != nil {
		return err
	}
	if err := tx.CreateUser(rec); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return existsErr
		}
		return err
	}
	u.Written(rec)
	return s.SyncAliases(tx, p, u, nil, forceAlias)
}

// AdminCreateUser creates a user with a temporary password and sends the
// invitation.
func (s *Service) AdminCreateUser(ctx context.Context, in *model.AdminCreateUserRequest) (*model.AdminCreateUserResponse, error) {
	var p *core.Pool
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = s.LoadPool(tx, model.StringValue(in.UserPoolId))
		return err
	})
	if err != nil {
		return nil, err
	}
	if model.StringValue(in.MessageAction) == "RESEND" {
		return s.resendInvite(ctx, p, in)
	}
	changes, err := CheckAttributes(p, Writer{}, in.UserAttributes, "", "user.", true)
	if err != nil {
		return nil, err
	}
	u, err := s.newUser(p, model.StringValue(in.Username), changes)
	if err != nil {
		return nil, err
	}
	if err := MissingRequired(p, u.Doc.Attributes, "", "user."); err != nil {
		return nil, err
	}
	password := model.StringValue(in.TemporaryPassword)
	if password == "" {
		if password, err = s.passwords.GeneratePassword(p); err != nil {
			return nil, err
		}
	} else if err := passwords.CheckPolicy(p, password); err != nil {
		return nil, err
	}
	if err := s.passwords.SetPassword(p, u, password); err != nil {
		return nil, err
	}
	u.Doc.Status = core.StatusForceChangePassword
	u.Doc.TempPasswordExpires = s.tempPasswordExpiry(p)
	if _, err := s.triggers.PreSignUp(ctx, p, u, trigger.SourcePreSignUpAdminCreateUser, "", changes, in.ValidationData, in.ClientMetadata); err != nil {
		return nil, err
	}
	var outs []*delivery.Outgoing
	if model.StringValue(in.MessageAction) != "SUPPRESS" {
		outs = inviteTargets(u, in.DesiredDeliveryMediums, password)
		if err := s.composeInvite(ctx, p, u, in.ClientMetadata, outs); err != nil {
			return nil, err
		}
	}
	exists := cognito.New(cognito.UsernameExists, "User account already exists")
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if err := s.createUser(tx, p, u, model.BoolValue(in.ForceAliasCreation), exists); err != nil {
			// AdminCreateUser has no AliasExistsException in the model: a
			// taken email or phone is reported as a taken username.
			if ce, ok := cognito.As(err); ok && ce.Code == cognito.AliasExists {
				return cognito.New(cognito.UsernameExists, ce.Message)
			}
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
	ut := u.UserType(u.AttributeList(nil))
	return &model.AdminCreateUserResponse{User: &ut}, nil
}

// resendInvite resets the temporary password of a FORCE_CHANGE_PASSWORD
// user and sends the invitation again.
func (s *Service) resendInvite(ctx context.Context, p *core.Pool, in *model.AdminCreateUserRequest) (*model.AdminCreateUserResponse, error) {
	var snapshot *core.User
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		snapshot, err = s.ResolveUser(tx, p, model.StringValue(in.Username))
		return err
	})
	if err != nil {
		return nil, err
	}
	if snapshot.Doc.Status != core.StatusForceChangePassword {
		return nil, cognito.New(cognito.UnsupportedUserState, "Resend not possible. "+snapshot.Rec.Username+" status is not FORCE_CHANGE_PASSWORD")
	}
	password := model.StringValue(in.TemporaryPassword)
	if password == "" {
		if password, err = s.passwords.GeneratePassword(p); err != nil {
			return nil, err
		}
	} else if err := passwords.CheckPolicy(p, password); err != nil {
		return nil, err
	}
	outs := inviteTargets(snapshot, in.DesiredDeliveryMediums, password)
	if err := s.composeInvite(ctx, p, snapshot, in.ClientMetadata, outs); err != nil {
		return nil, err
	}
	pm, err := s.passwords.NewPasswordMaterial(p, snapshot.Rec.Username, password)
	if err != nil {
		return nil, err
	}
	var out *core.User
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, p, snapshot)
		if err != nil {
			return err
		}
		pm.Apply(u)
		u.Doc.TempPasswordExpires = s.tempPasswordExpiry(p)
		if err := s.PutUser(tx, u); err != nil {
			return err
		}
		out = u
		return delivery.Record(tx, outs)
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.delivery.Deliver(ctx, outs); err != nil {
		return nil, err
	}
	ut := out.UserType(out.AttributeList(nil))
	return &model.AdminCreateUserResponse{User: &ut}, nil
}

// inviteTargets picks where an invitation goes: the desired media (SMS by
// default) for which the user has an address.
func inviteTargets(u *core.User, media []string, password string) []*delivery.Outgoing {
	if len(media) == 0 {
		media = []string{"SMS"}
	}
	var outs []*delivery.Outgoing
	for _, m := range media {
		attr := "email"
		if m == "SMS" {
			attr = "phone_number"
		}
		if v := u.Doc.Attributes[attr]; v != "" {
			outs = append(outs, &delivery.Outgoing{Attr: attr, Value: v, Purpose: "invite", Code: password,
				Source: trigger.SourceCustomMessageAdminCreateUser})
		}
	}
	return outs
}

// composeInvite builds invitation messages from the pool's
// InviteMessageTemplate, with {username} and {####} (the password).
func (s *Service) composeInvite(ctx context.Context, p *core.Pool, u *core.User, clientMetadata map[string]string, outs []*delivery.Outgoing) error {
	if len(outs) == 0 {
		return nil
	}
	inv := &model.MessageTemplateType{}
	if a := p.Cfg.AdminCreateUserConfig; a != nil && a.InviteMessageTemplate != nil {
		inv = a.InviteMessageTemplate
	}
	tp := *p
	cfg := *p.Cfg
	cfg.VerificationMessageTemplate = &model.VerificationMessageTemplateType{
		EmailSubject: orDefault(inv.EmailSubject, "Your temporary password"),
		EmailMessage: orDefault(inv.EmailMessage, "Your username is {username} and temporary password is {####}. "),
		SmsMessage:   orDefault(inv.SMSMessage, "Your username is {username} and temporary password is {####}. "),
	}
	tp.Cfg = &cfg
	return s.delivery.Compose(ctx, &tp, u.Rec.Username, maps.Clone(u.Doc.Attributes), core.StatusForceChangePassword, "", clientMetadata, outs)
}

func orDefault(p *string, def string) *string {
	if p == nil || *p == "" {
		return model.String(def)
	}
	return p
}
