package userpool

import (
	"context"
	"maps"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
)

// signUpTarget picks where a sign-up code goes: the phone when both email
// and phone are auto-verified, else whichever is.
func signUpTarget(p *pool, attrs map[string]string) *outgoing {
	for _, attr := range []string{"phone_number", "email"} {
		if p.autoVerified[attr] && attrs[attr] != "" {
			return &outgoing{attr: attr, value: attrs[attr], purpose: purposeSignUp}
		}
	}
	return nil
}

// SignUp registers a user through an app client.
func (s *Service) SignUp(ctx context.Context, in *model.SignUpRequest) (*model.SignUpResponse, error) {
	p, c, err := s.loadAuthClient(ctx, "", model.StringValue(in.ClientId))
	if err != nil {
		return nil, err
	}
	username := model.StringValue(in.Username)
	if err := s.checkSecretHash(c, username, model.StringValue(in.SecretHash)); err != nil {
		return nil, err
	}
	if a := p.cfg.AdminCreateUserConfig; a != nil && model.BoolValue(a.AllowAdminCreateUserOnly) {
		return nil, cognito.New(cognito.NotAuthorized, "SignUp is not permitted for this user pool")
	}
	const lead = "Attributes did not conform to the schema: "
	changes, err := checkAttributes(p, writer{client: c}, in.UserAttributes, lead, "", true)
	if err != nil {
		return nil, err
	}
	password := model.StringValue(in.Password)
	if password == "" {
		return nil, cognito.New(cognito.InvalidParameter, "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must not be null")
	}
	if err := checkPolicy(p, password); err != nil {
		return nil, err
	}
	u, err := s.newUser(p, username, changes)
	if err != nil {
		return nil, err
	}
	if err := missingRequired(p, u.doc.Attributes, lead, ""); err != nil {
		return nil, err
	}
	if err := s.setPassword(p, u, password); err != nil {
		return nil, err
	}
	u.doc.Status = statusUnconfirmed
	autoVerified, err := s.preSignUp(ctx, p, u, trigger.SourcePreSignUpSignUp, model.StringValue(c.cfg.ClientId), changes, in.ValidationData, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	var outs []*outgoing
	if o := signUpTarget(p, u.doc.Attributes); o != nil && u.doc.Status == statusUnconfirmed {
		if o.code, err = s.newCode(); err != nil {
			return nil, err
		}
		o.source = trigger.SourceCustomMessageSignUp
		outs = append(outs, o)
		if err := s.compose(ctx, p, u.rec.Username, maps.Clone(u.doc.Attributes), u.doc.Status,
			model.StringValue(c.cfg.ClientId), in.ClientMetadata, outs); err != nil {
			return nil, err
		}
		s.storeCode(p, u, purposeSignUp, o.code, o.value)
		if err := s.noteSend(u, purposeSignUp); err != nil {
			return nil, err
		}
	}
	exists := cognito.New(cognito.UsernameExists, "User already exists")
	if len(p.usernameAttrs) > 0 {
		attr := "email"
		if u.doc.Attributes["email"] != username {
			attr = "phone_number"
		}
		exists = cognito.Errorf(cognito.UsernameExists, "An account with the given %s already exists.", attr)
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if err := s.createUser(tx, p, u, autoVerified, exists); err != nil {
			if cognito.IsCode(err, cognito.AliasExists) && len(p.usernameAttrs) > 0 {
				return exists
			}
			return err
		}
		return record(tx, outs)
	})
	if err != nil {
		return nil, err
	}
	out := &model.SignUpResponse{UserConfirmed: model.Bool(u.doc.Status == statusConfirmed), UserSub: model.String(u.rec.Sub)}
	details, err := s.deliver(ctx, outs)
	if err != nil {
		return nil, err
	}
	if len(details) > 0 {
		out.CodeDeliveryDetails = &details[0]
	}
	return out, nil
}

// ConfirmSignUp confirms a user with the code sent at sign-up.
func (s *Service) ConfirmSignUp(ctx context.Context, in *model.ConfirmSignUpRequest) (*model.ConfirmSignUpResponse, error) {
	p, c, err := s.loadAuthClient(ctx, "", model.StringValue(in.ClientId))
	if err != nil {
		return nil, err
	}
	if err := s.checkSecretHash(c, model.StringValue(in.Username), model.StringValue(in.SecretHash)); err != nil {
		return nil, err
	}
	var codeErr error
	var confirmed *user
	err = s.store.Update(ctx, func(tx store.Tx) error {
		codeErr = nil
		u, err := s.resolveUser(tx, p, model.StringValue(in.Username))
		if cognito.IsCode(err, cognito.UserNotFound) && hidesUsers(c) {
			return codeMismatch()
		}
		if err != nil {
			return err
		}
		if u.doc.Status != statusUnconfirmed {
			return cognito.Errorf(cognito.NotAuthorized, "User cannot be confirmed. Current status is %s", u.doc.Status)
		}
		sent, err := s.checkCode(p, u, purposeSignUp, model.StringValue(in.ConfirmationCode))
		if err != nil {
			codeErr = err
			return s.putUser(tx, u)
		}
		before := p.aliasesOf(u)
		u.doc.Status = statusConfirmed
		for _, attr := range []string{"email", "phone_number"} {
			if sent.Value != "" && u.doc.Attributes[attr] == sent.Value {
				u.doc.Attributes[attr+"_verified"] = "true"
			}
		}
		if err := s.syncAliases(tx, p, u, before, model.BoolValue(in.ForceAliasCreation)); err != nil {
			return err
		}
		confirmed = u
		return s.putUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	if codeErr != nil {
		return nil, codeErr
	}
	if err := s.postConfirmation(ctx, p, confirmed, trigger.SourcePostConfirmationConfirmSignUp, clientIDOf(c), in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.ConfirmSignUpResponse{}, nil
}

// sendUserCode sends a fresh code for purpose to the user named by
// username, through client c (ResendConfirmationCode, ForgotPassword).
func (s *Service) sendUserCode(ctx context.Context, p *pool, c *client, username, purpose, source string,
	clientMetadata map[string]string, check func(u *user) error, pick func(u *user) *outgoing) (*model.CodeDeliveryDetailsType, error) {
	var snapshot *user
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		snapshot, err = s.resolveUser(tx, p, username)
		return err
	})
	if cognito.IsCode(err, cognito.UserNotFound) {
		if hidesUsers(c) {
			return s.phantomDelivery(p, username), nil
		}
		return nil, unknownUser(c)
	}
	if err != nil {
		return nil, err
	}
	if err := check(snapshot); err != nil {
		return nil, err
	}
	o := pick(snapshot)
	if o == nil {
		return nil, cognito.New(cognito.InvalidParameter, "Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	o.purpose, o.source = purpose, source
	if o.code, err = s.newCode(); err != nil {
		return nil, err
	}
	outs := []*outgoing{o}
	if err := s.compose(ctx, p, snapshot.rec.Username, snapshot.doc.Attributes, snapshot.doc.Status,
		model.StringValue(c.cfg.ClientId), clientMetadata, outs); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		u, err := s.reload(tx, p, snapshot)
		if err != nil {
			return err
		}
		if err := s.noteSend(u, purpose); err != nil {
			return err
		}
		s.storeCode(p, u, purpose, o.code, o.value)
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
	return &details[0], nil
}

// ResendConfirmationCode sends a new sign-up code.
func (s *Service) ResendConfirmationCode(ctx context.Context, in *model.ResendConfirmationCodeRequest) (*model.ResendConfirmationCodeResponse, error) {
	p, c, err := s.loadAuthClient(ctx, "", model.StringValue(in.ClientId))
	if err != nil {
		return nil, err
	}
	if err := s.checkSecretHash(c, model.StringValue(in.Username), model.StringValue(in.SecretHash)); err != nil {
		return nil, err
	}
	d, err := s.sendUserCode(ctx, p, c, model.StringValue(in.Username), purposeSignUp, trigger.SourceCustomMessageResendCode, in.ClientMetadata,
		func(u *user) error {
			if u.doc.Status != statusUnconfirmed {
				return cognito.New(cognito.InvalidParameter, "User is already confirmed.")
			}
			return nil
		},
		func(u *user) *outgoing { return signUpTarget(p, u.doc.Attributes) })
	if err != nil {
		return nil, err
	}
	return &model.ResendConfirmationCodeResponse{CodeDeliveryDetails: d}, nil
}

// ForgotPassword sends a password-reset code to a verified email or phone.
func (s *Service) ForgotPassword(ctx context.Context, in *model.ForgotPasswordRequest) (*model.ForgotPasswordResponse, error) {
	p, c, err := s.loadAuthClient(ctx, "", model.StringValue(in.ClientId))
	if err != nil {
		return nil, err
	}
	if err := s.checkSecretHash(c, model.StringValue(in.Username), model.StringValue(in.SecretHash)); err != nil {
		return nil, err
	}
	if err := s.migrateForForgotPassword(ctx, p, c, model.StringValue(in.Username), in.ClientMetadata); err != nil {
		return nil, err
	}
	d, err := s.sendUserCode(ctx, p, c, model.StringValue(in.Username), purposeForgot, trigger.SourceCustomMessageForgotPassword, in.ClientMetadata,
		func(u *user) error {
			if !u.doc.Enabled {
				return cognito.New(cognito.NotAuthorized, "User is disabled.")
			}
			return nil
		},
		func(u *user) *outgoing {
			for _, attr := range []string{"email", "phone_number"} {
				if v := u.doc.Attributes[attr]; v != "" && u.doc.Attributes[attr+"_verified"] == "true" {
					return &outgoing{attr: attr, value: v}
				}
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &model.ForgotPasswordResponse{CodeDeliveryDetails: d}, nil
}

// ConfirmForgotPassword sets a new password with a reset code.
func (s *Service) ConfirmForgotPassword(ctx context.Context, in *model.ConfirmForgotPasswordRequest) (*model.ConfirmForgotPasswordResponse, error) {
	p, c, err := s.loadAuthClient(ctx, "", model.StringValue(in.ClientId))
	if err != nil {
		return nil, err
	}
	if err := s.checkSecretHash(c, model.StringValue(in.Username), model.StringValue(in.SecretHash)); err != nil {
		return nil, err
	}
	pw := model.StringValue(in.Password)
	if err := checkPolicy(p, pw); err != nil {
		return nil, err
	}
	var snapshot *user
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		snapshot, err = s.resolveUser(tx, p, model.StringValue(in.Username))
		return err
	})
	if cognito.IsCode(err, cognito.UserNotFound) {
		if hidesUsers(c) {
			return nil, codeMismatch()
		}
		return nil, unknownUser(c)
	}
	if err != nil {
		return nil, err
	}
	pm, err := s.newPasswordMaterial(p, snapshot.rec.Username, pw)
	if err != nil {
		return nil, err
	}
	var codeErr error
	err = s.store.Update(ctx, func(tx store.Tx) error {
		codeErr = nil
		u, err := s.reload(tx, p, snapshot)
		if err != nil {
			return err
		}
		sent, err := s.checkCode(p, u, purposeForgot, model.StringValue(in.ConfirmationCode))
		if err != nil {
			codeErr = err
			return s.putUser(tx, u)
		}
		if sent.Value != "" && sent.Value != u.doc.Attributes["email"] && sent.Value != u.doc.Attributes["phone_number"] {
			// The code went to an address the user no longer has.
			codeErr = cognito.New(cognito.ExpiredCode, "Invalid code provided, please request a code again.")
			return saveUser(tx, u)
		}
		pm.apply(u)
		if u.doc.Status == statusResetRequired || u.doc.Status == statusForceChangePassword {
			u.doc.Status = statusConfirmed
		}
		return s.putUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	if codeErr != nil {
		return nil, codeErr
	}
	if err := s.postConfirmation(ctx, p, snapshot, trigger.SourcePostConfirmationConfirmForgotPassword, clientIDOf(c), in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.ConfirmForgotPasswordResponse{}, nil
}

// ChangePassword changes the signed-in user's password.
func (s *Service) ChangePassword(ctx context.Context, in *model.ChangePasswordRequest) (*model.ChangePasswordResponse, error) {
	c, err := s.authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	if err := s.checkLockout(c.user); err != nil {
		return nil, err
	}
	if !s.verifyPassword(c.user.doc.PasswordHash, model.StringValue(in.PreviousPassword)) {
		return nil, s.passwordFailed(ctx, c.pool, c.user)
	}
	pw := model.StringValue(in.ProposedPassword)
	if err := checkPolicy(c.pool, pw); err != nil {
		return nil, err
	}
	pm, err := s.newPasswordMaterial(c.pool, c.user.rec.Username, pw)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		u, err := s.reload(tx, c.pool, c.user)
		if err != nil {
			return err
		}
		pm.apply(u)
		return s.putUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.ChangePasswordResponse{}, nil
}
