package users

import (
	"context"
	"maps"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// signUpTarget picks where a sign-up code goes: the phone when both email
// and phone are auto-verified, else whichever is.
func signUpTarget(p *core.Pool, attrs map[string]string) *delivery.Outgoing {
	for _, attr := range []string{"phone_number", "email"} {
		if p.AutoVerified[attr] && attrs[attr] != "" {
			return &delivery.Outgoing{Attr: attr, Value: attrs[attr], Purpose: delivery.PurposeSignUp}
		}
	}
	return nil
}

// SignUp registers a user through an app client.
func (s *Service) SignUp(ctx context.Context, in *model.SignUpRequest) (*model.SignUpResponse, error) {
	p, c, err := s.LoadAuthClient(ctx, "", model.StringValue(in.ClientId))
	if err != nil {
		return nil, err
	}
	username := model.StringValue(in.Username)
	if err := s.CheckSecretHash(c, username, model.StringValue(in.SecretHash)); err != nil {
		return nil, err
	}
	if a := p.Cfg.AdminCreateUserConfig; a != nil && model.BoolValue(a.AllowAdminCreateUserOnly) {
		return nil, cognito.New(cognito.NotAuthorized, "SignUp is not permitted for this user pool")
	}
	const lead = "Attributes did not conform to the schema: "
	changes, err := CheckAttributes(p, Writer{Client: c}, in.UserAttributes, lead, "", true)
	if err != nil {
		return nil, err
	}
	password := model.StringValue(in.Password)
	if password == "" {
		return nil, cognito.New(cognito.InvalidParameter, "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must not be null")
	}
	if err := passwords.CheckPolicy(p, password); err != nil {
		return nil, err
	}
	u, err := s.newUser(p, username, changes)
	if err != nil {
		return nil, err
	}
	if err := MissingRequired(p, u.Doc.Attributes, lead, ""); err != nil {
		return nil, err
	}
	if err := s.passwords.SetPassword(p, u, password); err != nil {
		return nil, err
	}
	u.Doc.Status = core.StatusUnconfirmed
	autoVerified, err := s.triggers.PreSignUp(ctx, p, u, trigger.SourcePreSignUpSignUp, model.StringValue(c.Cfg.ClientId), changes, in.ValidationData, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	var outs []*delivery.Outgoing
	if o := signUpTarget(p, u.Doc.Attributes); o != nil && u.Doc.Status == core.StatusUnconfirmed {
		if o.Code, err = s.delivery.NewCode(); err != nil {
			return nil, err
		}
		o.Source = trigger.SourceCustomMessageSignUp
		outs = append(outs, o)
		if err := s.delivery.Compose(ctx, p, u.Rec.Username, maps.Clone(u.Doc.Attributes), u.Doc.Status,
			model.StringValue(c.Cfg.ClientId), in.ClientMetadata, outs); err != nil {
			return nil, err
		}
		s.delivery.StoreCode(p, u, delivery.PurposeSignUp, o.Code, o.Value)
		if err := s.delivery.NoteSend(u, delivery.PurposeSignUp); err != nil {
			return nil, err
		}
	}
	exists := cognito.New(cognito.UsernameExists, "User already exists")
	if len(p.UsernameAttrs) > 0 {
		attr := "email"
		if u.Doc.Attributes["email"] != username {
			attr = "phone_number"
		}
		exists = cognito.Errorf(cognito.UsernameExists, "An account with the given %s already exists.", attr)
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if err := s.createUser(tx, p, u, autoVerified, exists); err != nil {
			if cognito.IsCode(err, cognito.AliasExists) && len(p.UsernameAttrs) > 0 {
				return exists
			}
			return err
		}
		return delivery.Record(tx, outs)
	})
	if err != nil {
		return nil, err
	}
	out := &model.SignUpResponse{UserConfirmed: model.Bool(u.Doc.Status == core.StatusConfirmed), UserSub: model.String(u.Rec.Sub)}
	details, err := s.delivery.Deliver(ctx, outs)
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
	p, c, err := s.LoadAuthClient(ctx, "", model.StringValue(in.ClientId))
	if err != nil {
		return nil, err
	}
	if err := s.CheckSecretHash(c, model.StringValue(in.Username), model.StringValue(in.SecretHash)); err != nil {
		return nil, err
	}
	var codeErr error
	var confirmed *core.User
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		codeErr = nil
		u, err := s.ResolveUser(tx, p, model.StringValue(in.Username))
		if cognito.IsCode(err, cognito.UserNotFound) && delivery.HidesUsers(c) {
			return delivery.CodeMismatch()
		}
		if err != nil {
			return err
		}
		if u.Doc.Status != core.StatusUnconfirmed {
			return cognito.Errorf(cognito.NotAuthorized, "User cannot be confirmed. Current status is %s", u.Doc.Status)
		}
		sent, err := s.delivery.CheckCode(p, u, delivery.PurposeSignUp, model.StringValue(in.ConfirmationCode))
		if err != nil {
			codeErr = err
			return s.PutUser(tx, u)
		}
		before := p.AliasesOf(u)
		u.Doc.Status = core.StatusConfirmed
		for _, attr := range []string{"email", "phone_number"} {
			if sent.Value != "" && u.Doc.Attributes[attr] == sent.Value {
				u.Doc.Attributes[attr+"_verified"] = "true"
			}
		}
		if err := s.SyncAliases(tx, p, u, before, model.BoolValue(in.ForceAliasCreation)); err != nil {
			return err
		}
		confirmed = u
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	if codeErr != nil {
		return nil, codeErr
	}
	if err := s.triggers.PostConfirmation(ctx, p, confirmed, trigger.SourcePostConfirmationConfirmSignUp, triggers.ClientIDOf(c), in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.ConfirmSignUpResponse{}, nil
}

// sendUserCode sends a fresh code for purpose to the user named by
// username, through client c (ResendConfirmationCode, ForgotPassword).
func (s *Service) sendUserCode(ctx context.Context, p *core.Pool, c *core.Client, username, purpose, source string,
	clientMetadata map[string]string, check func(u *core.User) error, pick func(u *core.User) *delivery.Outgoing) (*model.CodeDeliveryDetailsType, error) {
	var snapshot *core.User
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		snapshot, err = s.ResolveUser(tx, p, username)
		return err
	})
	if cognito.IsCode(err, cognito.UserNotFound) {
		if delivery.HidesUsers(c) {
			return s.delivery.PhantomDelivery(p, username), nil
		}
		return nil, core.UnknownUser(c)
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
	o.Purpose, o.Source = purpose, source
	if o.Code, err = s.delivery.NewCode(); err != nil {
		return nil, err
	}
	return s.delivery.SendCode(ctx, p, snapshot, model.StringValue(c.Cfg.ClientId), clientMetadata, o)
}

// ResendConfirmationCode sends a new sign-up code.
func (s *Service) ResendConfirmationCode(ctx context.Context, in *model.ResendConfirmationCodeRequest) (*model.ResendConfirmationCodeResponse, error) {
	p, c, err := s.LoadAuthClient(ctx, "", model.StringValue(in.ClientId))
	if err != nil {
		return nil, err
	}
	if err := s.CheckSecretHash(c, model.StringValue(in.Username), model.StringValue(in.SecretHash)); err != nil {
		return nil, err
	}
	d, err := s.sendUserCode(ctx, p, c, model.StringValue(in.Username), delivery.PurposeSignUp, trigger.SourceCustomMessageResendCode, in.ClientMetadata,
		func(u *core.User) error {
			if u.Doc.Status != core.StatusUnconfirmed {
				return cognito.New(cognito.InvalidParameter, "User is already confirmed.")
			}
			return nil
		},
		func(u *core.User) *delivery.Outgoing { return signUpTarget(p, u.Doc.Attributes) })
	if err != nil {
		return nil, err
	}
	return &model.ResendConfirmationCodeResponse{CodeDeliveryDetails: d}, nil
}

// ForgotPassword sends a password-reset code to a verified email or phone.
func (s *Service) ForgotPassword(ctx context.Context, in *model.ForgotPasswordRequest) (*model.ForgotPasswordResponse, error) {
	p, c, err := s.LoadAuthClient(ctx, "", model.StringValue(in.ClientId))
	if err != nil {
		return nil, err
	}
	if err := s.CheckSecretHash(c, model.StringValue(in.Username), model.StringValue(in.SecretHash)); err != nil {
		return nil, err
	}
	if err := s.migrateForForgotPassword(ctx, p, c, model.StringValue(in.Username), in.ClientMetadata); err != nil {
		return nil, err
	}
	d, err := s.sendUserCode(ctx, p, c, model.StringValue(in.Username), delivery.PurposeForgot, trigger.SourceCustomMessageForgotPassword, in.ClientMetadata,
		func(u *core.User) error {
			if !u.Doc.Enabled {
				return cognito.New(cognito.NotAuthorized, "User is disabled.")
			}
			return nil
		},
		func(u *core.User) *delivery.Outgoing {
			for _, attr := range []string{"email", "phone_number"} {
				if v := u.Doc.Attributes[attr]; v != "" && u.Doc.Attributes[attr+"_verified"] == "true" {
					return &delivery.Outgoing{Attr: attr, Value: v}
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
	p, c, err := s.LoadAuthClient(ctx, "", model.StringValue(in.ClientId))
	if err != nil {
		return nil, err
	}
	if err := s.CheckSecretHash(c, model.StringValue(in.Username), model.StringValue(in.SecretHash)); err != nil {
		return nil, err
	}
	pw := model.StringValue(in.Password)
	if err := passwords.CheckPolicy(p, pw); err != nil {
		return nil, err
	}
	var snapshot *core.User
	err = s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		snapshot, err = s.ResolveUser(tx, p, model.StringValue(in.Username))
		return err
	})
	if cognito.IsCode(err, cognito.UserNotFound) {
		if delivery.HidesUsers(c) {
			return nil, delivery.CodeMismatch()
		}
		return nil, core.UnknownUser(c)
	}
	if err != nil {
		return nil, err
	}
	pm, err := s.passwords.NewPasswordMaterial(p, snapshot.Rec.Username, pw)
	if err != nil {
		return nil, err
	}
	var codeErr error
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		codeErr = nil
		u, err := s.Reload(tx, p, snapshot)
		if err != nil {
			return err
		}
		sent, err := s.delivery.CheckCode(p, u, delivery.PurposeForgot, model.StringValue(in.ConfirmationCode))
		if err != nil {
			codeErr = err
			return s.PutUser(tx, u)
		}
		if sent.Value != "" && sent.Value != u.Doc.Attributes["email"] && sent.Value != u.Doc.Attributes["phone_number"] {
			// The code went to an address the user no longer has.
			codeErr = cognito.New(cognito.ExpiredCode, "Invalid code provided, please request a code again.")
			return core.SaveUser(tx, u)
		}
		pm.Apply(u)
		if u.Doc.Status == core.StatusResetRequired || u.Doc.Status == core.StatusForceChangePassword {
			u.Doc.Status = core.StatusConfirmed
		}
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	if codeErr != nil {
		return nil, codeErr
	}
	if err := s.triggers.PostConfirmation(ctx, p, snapshot, trigger.SourcePostConfirmationConfirmForgotPassword, triggers.ClientIDOf(c), in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.ConfirmForgotPasswordResponse{}, nil
}

// ChangePassword changes the signed-in user's password.
func (s *Service) ChangePassword(ctx context.Context, in *model.ChangePasswordRequest) (*model.ChangePasswordResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	if err := s.passwords.CheckLockout(c.User); err != nil {
		return nil, err
	}
	if !s.passwords.VerifyPassword(c.User.Doc.PasswordHash, model.StringValue(in.PreviousPassword)) {
		return nil, s.passwords.PasswordFailed(ctx, c.Pool, c.User)
	}
	pw := model.StringValue(in.ProposedPassword)
	if err := passwords.CheckPolicy(c.Pool, pw); err != nil {
		return nil, err
	}
	pm, err := s.passwords.NewPasswordMaterial(c.Pool, c.User.Rec.Username, pw)
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, c.Pool, c.User)
		if err != nil {
			return err
		}
		pm.Apply(u)
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.ChangePasswordResponse{}, nil
}
