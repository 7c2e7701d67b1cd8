package mfa

import (
	"context"
	"slices"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// setting is one factor's part of an MFA preference request. A factor's
// block replaces its setting: a member left out is false, as SDKs that
// drop false booleans rely on. A factor without a block is left as it is.
type setting struct {
	factor             string
	enabled, preferred bool
}

func settingsOf(sms *model.SMSMfaSettingsType, totp *model.SoftwareTokenMfaSettingsType, email *model.EmailMfaSettingsType) []setting {
	var out []setting
	if sms != nil {
		out = append(out, setting{core.FactorSMS, model.BoolValue(sms.Enabled), model.BoolValue(sms.PreferredMfa)})
	}
	if totp != nil {
		out = append(out, setting{core.FactorTOTP, model.BoolValue(totp.Enabled), model.BoolValue(totp.PreferredMfa)})
	}
	if email != nil {
		out = append(out, setting{core.FactorEmail, model.BoolValue(email.Enabled), model.BoolValue(email.PreferredMfa)})
	}
	return out
}

// applyPreference applies the settings to u as Cognito does: a factor
// turned on must be deliverable, one turned off stops being preferred,
// and at most one factor is preferred.
func applyPreference(u *core.User, settings []setting, webAuthn *model.WebAuthnMfaSettingsType) error {
	if webAuthn != nil && model.BoolValue(webAuthn.Enabled) {
		return cognito.New(cognito.InvalidParameter, "WebAuthn MFA is not supported by Cognate.")
	}
	preferred := 0
	for _, st := range settings {
		if st.preferred {
			preferred++
		}
	}
	if preferred > 1 {
		// Unconfirmed: Cognito's message for two preferred factors.
		return cognito.New(cognito.InvalidParameter, "Only one MFA method can be set as preferred.")
	}
	m := u.MFA(true)
	for _, st := range settings {
		if st.enabled && !u.HasFactor(st.factor) {
			return cognito.Errorf(cognito.InvalidParameter, "User does not have delivery config set to turn on %s", st.factor)
		}
		if st.preferred && !st.enabled {
			// Unconfirmed: Cognito's message for preferring a factor that is off.
			return cognito.Errorf(cognito.InvalidParameter, "%s cannot be preferred while it is not enabled.", st.factor)
		}
		m.Enabled = slices.DeleteFunc(m.Enabled, func(f string) bool { return f == st.factor })
		if st.enabled {
			m.Enabled = append(m.Enabled, st.factor)
		}
		if st.factor == core.FactorSMS && !st.enabled && u.Doc.Extra != nil {
			// Turning SMS MFA off clears the legacy SetUserSettings option too.
			u.Doc.Extra.MFAOptions = nil
		}
		switch {
		case st.preferred:
			m.Preferred = st.factor
		case m.Preferred == st.factor:
			m.Preferred = ""
		}
	}
	return nil
}

// setPreference applies an MFA preference request to the user load reads
// inside the transaction.
func (s *Service) setPreference(ctx context.Context, load func(tx store.Tx) (*core.User, error), settings []setting,
	webAuthn *model.WebAuthnMfaSettingsType) error {
	return s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := load(tx)
		if err != nil {
			return err
		}
		if err := applyPreference(u, settings, webAuthn); err != nil {
			return err
		}
		return s.PutUser(tx, u)
	})
}

// SetUserMFAPreference sets the signed-in user's MFA factors.
func (s *Service) SetUserMFAPreference(ctx context.Context, in *model.SetUserMFAPreferenceRequest) (*model.SetUserMFAPreferenceResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	err = s.setPreference(ctx, func(tx store.Tx) (*core.User, error) { return s.Reload(tx, c.Pool, c.User) },
		settingsOf(in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings), in.WebAuthnMfaSettings)
	if err != nil {
		return nil, err
	}
	return &model.SetUserMFAPreferenceResponse{}, nil
}

// AdminSetUserMFAPreference sets any user's MFA factors.
func (s *Service) AdminSetUserMFAPreference(ctx context.Context, in *model.AdminSetUserMFAPreferenceRequest) (*model.AdminSetUserMFAPreferenceResponse, error) {
	err := s.setPreference(ctx, func(tx store.Tx) (*core.User, error) {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return nil, err
		}
		return s.ResolveUser(tx, p, model.StringValue(in.Username))
	}, settingsOf(in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings), in.WebAuthnMfaSettings)
	if err != nil {
		return nil, err
	}
	return &model.AdminSetUserMFAPreferenceResponse{}, nil
}

// GetUserAuthFactors lists the signed-in user's MFA settings and the first
// factors USER_AUTH offers them.
func (s *Service) GetUserAuthFactors(ctx context.Context, in *model.GetUserAuthFactorsRequest) (*model.GetUserAuthFactorsResponse, error) {
	c, err := s.tokens.Authorize(ctx, model.StringValue(in.AccessToken))
	if err != nil {
		return nil, err
	}
	factors, preferred := c.User.MFAView()
	first := c.Pool.FirstFactors(c.User)
	if first == nil {
		first = []string{}
	}
	return &model.GetUserAuthFactorsResponse{Username: model.String(c.User.Rec.Username), UserMFASettingList: factors,
		PreferredMfaSetting: preferred, ConfiguredUserAuthFactors: first}, nil
}
