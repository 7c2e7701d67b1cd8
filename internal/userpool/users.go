package userpool

import (
	"context"
	"errors"
	"maps"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
)

// User statuses.
const (
	statusUnconfirmed         = "UNCONFIRMED"
	statusConfirmed           = "CONFIRMED"
	statusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	statusResetRequired       = "RESET_REQUIRED"
)

// adminUser loads the pool and the user an admin request names.
func (s *Service) adminUser(ctx context.Context, poolID, username *string) (*pool, *user, error) {
	var p *pool
	var u *user
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if p, err = s.loadPool(tx, model.StringValue(poolID)); err != nil {
			return err
		}
		u, err = s.resolveUser(tx, p, model.StringValue(username))
		return err
	})
	return p, u, err
}

// mutateUser runs fn on the fresh record of the user an admin request
// names and writes it back, in one transaction.
func (s *Service) mutateUser(ctx context.Context, poolID, username *string, fn func(tx store.Tx, p *pool, u *user) error) error {
	return s.store.Update(ctx, func(tx store.Tx) error {
		p, err := s.loadPool(tx, model.StringValue(poolID))
		if err != nil {
			return err
		}
		u, err := s.resolveUser(tx, p, model.StringValue(username))
		if err != nil {
			return err
		}
		if err := fn(tx, p, u); err != nil {
			return err
		}
		return s.putUser(tx, u)
	})
}

func (u *user) userType(attrs []model.AttributeType) model.UserType {
	return model.UserType{
		Username:             model.String(u.rec.Username),
		Attributes:           attrs,
		UserCreateDate:       model.NewTime(u.rec.Created),
		UserLastModifiedDate: model.NewTime(u.rec.Modified),
		Enabled:              model.Bool(u.doc.Enabled),
		UserStatus:           model.String(u.doc.Status),
	}
}

// GetUser returns the signed-in user, filtered by the client's
// ReadAttributes. Values held for verification are not shown.
func (s *Service) GetUser(ctx context.Context, in *model.GetUserRequest) (*model.GetUserResponse, error) {
	c, err := s.authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	return &model.GetUserResponse{
		Username:       model.String(c.user.rec.Username),
		UserAttributes: c.user.attributeList(func(n string) bool { return canRead(c.pool, c.client, n) }),
	}, nil
}

// AdminGetUser returns any user with every attribute.
func (s *Service) AdminGetUser(ctx context.Context, in *model.AdminGetUserRequest) (*model.AdminGetUserResponse, error) {
	_, u, err := s.adminUser(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	return &model.AdminGetUserResponse{
		Username:             model.String(u.rec.Username),
		UserAttributes:       u.attributeList(nil),
		UserCreateDate:       model.NewTime(u.rec.Created),
		UserLastModifiedDate: model.NewTime(u.rec.Modified),
		Enabled:              model.Bool(u.doc.Enabled),
		UserStatus:           model.String(u.doc.Status),
	}, nil
}

// AdminDeleteUser deletes a user.
func (s *Service) AdminDeleteUser(ctx context.Context, in *model.AdminDeleteUserRequest) (any, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := s.loadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		u, err := s.resolveUser(tx, p, model.StringValue(in.Username))
		if err != nil {
			return err
		}
		return tx.DeleteUser(p.id, u.rec.Key)
	})
	if err != nil {
		return nil, err
	}
	return nil, nil
}

// DeleteUser lets a signed-in user delete themselves.
func (s *Service) DeleteUser(ctx context.Context, in *model.DeleteUserRequest) (any, error) {
	c, err := s.authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := s.reload(tx, c.pool, c.user); err != nil {
			return err
		}
		return tx.DeleteUser(c.pool.id, c.user.rec.Key)
	})
	if err != nil {
		return nil, err
	}
	return nil, nil
}

// AdminDisableUser disables a user and revokes their tokens.
func (s *Service) AdminDisableUser(ctx context.Context, in *model.AdminDisableUserRequest) (*model.AdminDisableUserResponse, error) {
	err := s.mutateUser(ctx, in.UserPoolId, in.Username, func(_ store.Tx, _ *pool, u *user) error {
		u.doc.Enabled = false
		u.doc.RevokedBefore = s.revocationTime(u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminDisableUserResponse{}, nil
}

// AdminEnableUser enables a user.
func (s *Service) AdminEnableUser(ctx context.Context, in *model.AdminEnableUserRequest) (*model.AdminEnableUserResponse, error) {
	err := s.mutateUser(ctx, in.UserPoolId, in.Username, func(_ store.Tx, _ *pool, u *user) error {
		u.doc.Enabled = true
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
	if err := checkPolicy(p, pw); err != nil {
		return nil, err
	}
	pm, err := s.newPasswordMaterial(p, snapshot.rec.Username, pw)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		u, err := s.reload(tx, p, snapshot)
		if err != nil {
			return err
		}
		pm.apply(u)
		if model.BoolValue(in.Permanent) {
			u.doc.Status = statusConfirmed
			u.doc.TempPasswordExpires = time.Time{}
		} else {
			u.doc.Status = statusForceChangePassword
			u.doc.TempPasswordExpires = s.tempPasswordExpiry(p)
		}
		return s.putUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminSetUserPasswordResponse{}, nil
}

func (s *Service) tempPasswordExpiry(p *pool) time.Time {
	days := int32(7)
	if p.cfg.Policies != nil && p.cfg.Policies.PasswordPolicy != nil && p.cfg.Policies.PasswordPolicy.TemporaryPasswordValidityDays != nil {
		days = *p.cfg.Policies.PasswordPolicy.TemporaryPasswordValidityDays
	}
	return s.now().Add(time.Duration(days) * 24 * time.Hour).UTC()
}

// AdminConfirmSignUp confirms an UNCONFIRMED user without a code.
func (s *Service) AdminConfirmSignUp(ctx context.Context, in *model.AdminConfirmSignUpRequest) (*model.AdminConfirmSignUpResponse, error) {
	var p *pool
	var confirmed *user
	err := s.mutateUser(ctx, in.UserPoolId, in.Username, func(_ store.Tx, tp *pool, u *user) error {
		if u.doc.Status != statusUnconfirmed {
			return cognito.Errorf(cognito.NotAuthorized, "User cannot be confirmed. Current status is %s", u.doc.Status)
		}
		u.doc.Status = statusConfirmed
		delete(u.doc.Codes, purposeSignUp)
		p, confirmed = tp, u
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.postConfirmation(ctx, p, confirmed, trigger.SourcePostConfirmationConfirmSignUp, "", in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.AdminConfirmSignUpResponse{}, nil
}

// AdminUserGlobalSignOut revokes every token of a user.
func (s *Service) AdminUserGlobalSignOut(ctx context.Context, in *model.AdminUserGlobalSignOutRequest) (*model.AdminUserGlobalSignOutResponse, error) {
	err := s.mutateUser(ctx, in.UserPoolId, in.Username, func(_ store.Tx, _ *pool, u *user) error {
		u.doc.RevokedBefore = s.revocationTime(u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminUserGlobalSignOutResponse{}, nil
}

// GlobalSignOut revokes every token of the signed-in user.
func (s *Service) GlobalSignOut(ctx context.Context, in *model.GlobalSignOutRequest) (*model.GlobalSignOutResponse, error) {
	c, err := s.authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		u, err := s.reload(tx, c.pool, c.user)
		if err != nil {
			return err
		}
		u.doc.RevokedBefore = s.revocationTime(u)
		return s.putUser(tx, u)
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
func newUserName(p *pool, username, sub string, attrs map[string]string) (string, error) {
	if len(p.usernameAttrs) > 0 {
		switch {
		case p.usernameAttrs["email"] && emailPattern.MatchString(username):
			if _, ok := attrs["email"]; !ok {
				attrs["email"] = username
			}
		case p.usernameAttrs["phone_number"] && phonePattern.MatchString(username):
			if _, ok := attrs["phone_number"]; !ok {
				attrs["phone_number"] = username
			}
		default:
			if p.usernameAttrs["email"] && p.usernameAttrs["phone_number"] {
				return "", cognito.New(cognito.InvalidParameter, "Username should be either an email or a phone number.")
			}
			if p.usernameAttrs["email"] {
				return "", cognito.New(cognito.InvalidParameter, "Username should be an email.")
			}
			return "", cognito.New(cognito.InvalidParameter, "Username should be a phone number.")
		}
		return sub, nil
	}
	if p.aliasAttrs["email"] && emailPattern.MatchString(username) {
		return "", cognito.New(cognito.InvalidParameter, "Username cannot be of email format, since user pool is configured for email alias.")
	}
	if p.aliasAttrs["phone_number"] && phonePattern.MatchString(username) {
		return "", cognito.New(cognito.InvalidParameter, "Username cannot be of phone number format, since user pool is configured for phone number alias.")
	}
	return username, nil
}

// newUser builds a user record for username with attrs (already checked).
func (s *Service) newUser(p *pool, username string, attrs []attrChange) (*user, error) {
	sub, err := s.newUUID()
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, a := range attrs {
		if a.value != "" {
			m[a.name] = a.value
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
	now := s.now().UTC()
	return &user{
		rec: store.User{PoolID: p.id, Key: p.foldKey(internal), Username: internal, Sub: sub, Created: now, Modified: now},
		doc: &userDoc{Attributes: m, Enabled: true},
	}, nil
}

// missingRequired reports required attributes absent from attrs.
func missingRequired(p *pool, attrs map[string]string, lead, prefix string) error {
	var ps []problem
	for _, a := range p.cfg.SchemaAttributes {
		name := model.StringValue(a.Name)
		if name == "sub" || !model.BoolValue(a.Required) {
			continue
		}
		if attrs[name] == "" {
			ps = append(ps, problem{name, "The attribute " + name + " is required"})
		}
	}
	if len(ps) > 0 {
		return problemsError(lead, prefix, ps)
	}
	return nil
}

// createUser inserts a new user and claims its aliases.
func (s *Service) createUser(tx store.Tx, p *pool, u *user, forceAlias bool, existsErr error) error {
	rec, err := u.encode()
	if err != nil {
		return err
	}
	if err := tx.CreateUser(rec); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return existsErr
		}
		return err
	}
	return s.syncAliases(tx, p, u, nil, forceAlias)
}

// AdminCreateUser creates a user with a temporary password and sends the
// invitation.
func (s *Service) AdminCreateUser(ctx context.Context, in *model.AdminCreateUserRequest) (*model.AdminCreateUserResponse, error) {
	var p *pool
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = s.loadPool(tx, model.StringValue(in.UserPoolId))
		return err
	})
	if err != nil {
		return nil, err
	}
	if model.StringValue(in.MessageAction) == "RESEND" {
		return s.resendInvite(ctx, p, in)
	}
	changes, err := checkAttributes(p, writer{}, in.UserAttributes, "", "user.", true)
	if err != nil {
		return nil, err
	}
	u, err := s.newUser(p, model.StringValue(in.Username), changes)
	if err != nil {
		return nil, err
	}
	if err := missingRequired(p, u.doc.Attributes, "", "user."); err != nil {
		return nil, err
	}
	password := model.StringValue(in.TemporaryPassword)
	if password == "" {
		if password, err = s.generatePassword(p); err != nil {
			return nil, err
		}
	} else if err := checkPolicy(p, password); err != nil {
		return nil, err
	}
	if err := s.setPassword(p, u, password); err != nil {
		return nil, err
	}
	u.doc.Status = statusForceChangePassword
	u.doc.TempPasswordExpires = s.tempPasswordExpiry(p)
	if _, err := s.preSignUp(ctx, p, u, trigger.SourcePreSignUpAdminCreateUser, "", changes, in.ValidationData, in.ClientMetadata); err != nil {
		return nil, err
	}
	var outs []*outgoing
	if model.StringValue(in.MessageAction) != "SUPPRESS" {
		outs = inviteTargets(u, in.DesiredDeliveryMediums, password)
		if err := s.composeInvite(ctx, p, u, in.ClientMetadata, outs); err != nil {
			return nil, err
		}
	}
	exists := cognito.New(cognito.UsernameExists, "User account already exists")
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if err := s.createUser(tx, p, u, model.BoolValue(in.ForceAliasCreation), exists); err != nil {
			// AdminCreateUser has no AliasExistsException in the model: a
			// taken email or phone is reported as a taken username.
			if ce, ok := cognito.As(err); ok && ce.Code == cognito.AliasExists {
				return cognito.New(cognito.UsernameExists, ce.Message)
			}
			return err
		}
		return record(tx, outs)
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.deliver(ctx, outs); err != nil {
		return nil, err
	}
	ut := u.userType(u.attributeList(nil))
	return &model.AdminCreateUserResponse{User: &ut}, nil
}

// resendInvite resets the temporary password of a FORCE_CHANGE_PASSWORD
// user and sends the invitation again.
func (s *Service) resendInvite(ctx context.Context, p *pool, in *model.AdminCreateUserRequest) (*model.AdminCreateUserResponse, error) {
	var snapshot *user
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		snapshot, err = s.resolveUser(tx, p, model.StringValue(in.Username))
		return err
	})
	if err != nil {
		return nil, err
	}
	if snapshot.doc.Status != statusForceChangePassword {
		return nil, cognito.New(cognito.UnsupportedUserState, "Resend not possible. "+snapshot.rec.Username+" status is not FORCE_CHANGE_PASSWORD")
	}
	password := model.StringValue(in.TemporaryPassword)
	if password == "" {
		if password, err = s.generatePassword(p); err != nil {
			return nil, err
		}
	} else if err := checkPolicy(p, password); err != nil {
		return nil, err
	}
	outs := inviteTargets(snapshot, in.DesiredDeliveryMediums, password)
	if err := s.composeInvite(ctx, p, snapshot, in.ClientMetadata, outs); err != nil {
		return nil, err
	}
	pm, err := s.newPasswordMaterial(p, snapshot.rec.Username, password)
	if err != nil {
		return nil, err
	}
	var out *user
	err = s.store.Update(ctx, func(tx store.Tx) error {
		u, err := s.reload(tx, p, snapshot)
		if err != nil {
			return err
		}
		pm.apply(u)
		u.doc.TempPasswordExpires = s.tempPasswordExpiry(p)
		if err := s.putUser(tx, u); err != nil {
			return err
		}
		out = u
		return record(tx, outs)
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.deliver(ctx, outs); err != nil {
		return nil, err
	}
	ut := out.userType(out.attributeList(nil))
	return &model.AdminCreateUserResponse{User: &ut}, nil
}

// inviteTargets picks where an invitation goes: the desired media (SMS by
// default) for which the user has an address.
func inviteTargets(u *user, media []string, password string) []*outgoing {
	if len(media) == 0 {
		media = []string{"SMS"}
	}
	var outs []*outgoing
	for _, m := range media {
		attr := "email"
		if m == "SMS" {
			attr = "phone_number"
		}
		if v := u.doc.Attributes[attr]; v != "" {
			outs = append(outs, &outgoing{attr: attr, value: v, purpose: "invite", code: password,
				source: trigger.SourceCustomMessageAdminCreateUser})
		}
	}
	return outs
}

// composeInvite builds invitation messages from the pool's
// InviteMessageTemplate, with {username} and {####} (the password).
func (s *Service) composeInvite(ctx context.Context, p *pool, u *user, clientMetadata map[string]string, outs []*outgoing) error {
	if len(outs) == 0 {
		return nil
	}
	inv := &model.MessageTemplateType{}
	if a := p.cfg.AdminCreateUserConfig; a != nil && a.InviteMessageTemplate != nil {
		inv = a.InviteMessageTemplate
	}
	tp := *p
	cfg := *p.cfg
	cfg.VerificationMessageTemplate = &model.VerificationMessageTemplateType{
		EmailSubject: orDefault(inv.EmailSubject, "Your temporary password"),
		EmailMessage: orDefault(inv.EmailMessage, "Your username is {username} and temporary password is {####}. "),
		SmsMessage:   orDefault(inv.SMSMessage, "Your username is {username} and temporary password is {####}. "),
	}
	tp.cfg = &cfg
	return s.compose(ctx, &tp, u.rec.Username, maps.Clone(u.doc.Attributes), statusForceChangePassword, "", clientMetadata, outs)
}

func orDefault(p *string, def string) *string {
	if p == nil || *p == "" {
		return model.String(def)
	}
	return p
}

// generatePassword returns a random temporary password meeting the policy.
func (s *Service) generatePassword(p *pool) (string, error) {
	n := 12
	if p.cfg.Policies != nil && p.cfg.Policies.PasswordPolicy != nil {
		n = max(n, int(model.Int32Value(p.cfg.Policies.PasswordPolicy.MinimumLength)))
	}
	// One character of each class the policy may require, then
	// alphanumerics: an alphanumeric draw may lack a letter case.
	var b strings.Builder
	for _, class := range []struct {
		alphabet string
		n        int
	}{{"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1}, {"abcdefghijklmnopqrstuvwxyz", 1}, {"0123456789", 1}, {"!#%+-.=?@^_~", 1}, {alnum, n - 4}} {
		part, err := randomString(s.random, class.alphabet, class.n)
		if err != nil {
			return "", err
		}
		b.WriteString(part)
	}
	return b.String(), nil
}
