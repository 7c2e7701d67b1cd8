package core

import (
	"slices"

	"github.com/cognate-idp/cognate/internal/model"
)

// The MFA factors, named as in UserMFASettingList and challenge names.
const (
	FactorSMS   = "SMS_MFA"
	FactorTOTP  = "SOFTWARE_TOKEN_MFA"
	FactorEmail = "EMAIL_OTP"
)

// UserMFA is a user's second-factor state.
type UserMFA struct {
	// TOTPSecret is the verified authenticator secret, sealed; TOTPPending
	// the secret of an association not yet verified, sealed.
	TOTPSecret  string `json:"totp,omitempty"`
	TOTPPending string `json:"totp_pending,omitempty"`
	// TOTPLastStep is the last accepted 30-second step, so that a code is
	// accepted once.
	TOTPLastStep int64 `json:"totp_step,omitempty"`
	// Enabled are the factors the user turned on, Preferred the one to
	// challenge with when several are on.
	Enabled   []string `json:"enabled,omitempty"`
	Preferred string   `json:"preferred,omitempty"`
}

func (m *UserMFA) empty() bool {
	return m.TOTPSecret == "" && m.TOTPPending == "" && m.TOTPLastStep == 0 && len(m.Enabled) == 0 && m.Preferred == ""
}

// MFA returns the user's MFA state, creating it when asked to change it.
func (u *User) MFA(create bool) *UserMFA {
	if u.Doc.Extra == nil || u.Doc.Extra.MFA == nil {
		if !create {
			return &UserMFA{}
		}
		if u.Doc.Extra == nil {
			u.Doc.Extra = &UserExtra{}
		}
		u.Doc.Extra.MFA = &UserMFA{}
	}
	return u.Doc.Extra.MFA
}

// HasFactor says whether u has what factor needs: a phone number for SMS,
// an email address for email codes, a verified authenticator for TOTP.
func (u *User) HasFactor(factor string) bool {
	switch factor {
	case FactorSMS:
		return u.Doc.Attributes["phone_number"] != ""
	case FactorEmail:
		return u.Doc.Attributes["email"] != ""
	}
	return u.MFA(false).TOTPSecret != ""
}

// MFAFactors are the factors turned on for u, in the order Cognito lists
// them, with the preferred one. A legacy SMS option of SetUserSettings
// counts as SMS MFA turned on.
func (u *User) MFAFactors() (enabled []string, preferred string) {
	m := u.MFA(false)
	legacySMS := u.Doc.Extra != nil && len(u.Doc.Extra.MFAOptions) > 0
	for _, f := range []string{FactorSMS, FactorTOTP, FactorEmail} {
		if slices.Contains(m.Enabled, f) || (f == FactorSMS && legacySMS) {
			enabled = append(enabled, f)
		}
	}
	return enabled, m.Preferred
}

// MFAView is what GetUser and AdminGetUser show of u's MFA: the factors
// turned on and the preferred one, nil when none.
func (u *User) MFAView() ([]string, *string) {
	enabled, preferred := u.MFAFactors()
	var pref *string
	if preferred != "" {
		pref = model.String(preferred)
	}
	return enabled, pref
}

// PoolFactors are the factors the pool's MFA configuration allows, none
// when MFA is OFF. A pool SetUserPoolMfaConfig never configured has SMS MFA
// when CreateUserPool or UpdateUserPool gave it MFA and an SMS
// configuration, as in Cognito.
func (p *Pool) PoolFactors() []string {
	if mode := model.StringValue(p.Cfg.MfaConfiguration); mode == "" || mode == "OFF" {
		return nil
	}
	if p.MFA == nil {
		if p.Cfg.SmsConfiguration != nil {
			return []string{FactorSMS}
		}
		return nil
	}
	var out []string
	if p.MFA.SMS {
		out = append(out, FactorSMS)
	}
	if p.MFA.SoftwareToken {
		out = append(out, FactorTOTP)
	}
	if p.MFA.Email != nil {
		out = append(out, FactorEmail)
	}
	return out
}

// AllowedFirstFactors are the first factors the pool's SignInPolicy allows
// for USER_AUTH sign-in (PASSWORD when it names none).
func (p *Pool) AllowedFirstFactors() []string {
	if pol := p.Cfg.Policies; pol != nil && pol.SignInPolicy != nil && len(pol.SignInPolicy.AllowedFirstAuthFactors) > 0 {
		return pol.SignInPolicy.AllowedFirstAuthFactors
	}
	return []string{"PASSWORD"}
}

// FirstFactors are the first factors u can sign in with under USER_AUTH,
// in Cognito's order: the pool must allow each, and u must have a
// password, a verified email address or a verified phone number for it.
// Passkeys (WEB_AUTHN) are not served.
func (p *Pool) FirstFactors(u *User) []string {
	allowed := p.AllowedFirstFactors()
	var out []string
	if slices.Contains(allowed, "PASSWORD") && u.Doc.PasswordHash != "" {
		out = append(out, "PASSWORD")
	}
	if slices.Contains(allowed, "EMAIL_OTP") && u.Doc.Attributes["email"] != "" && u.Doc.Attributes["email_verified"] == "true" {
		out = append(out, "EMAIL_OTP")
	}
	if slices.Contains(allowed, "SMS_OTP") && u.Doc.Attributes["phone_number"] != "" && u.Doc.Attributes["phone_number_verified"] == "true" {
		out = append(out, "SMS_OTP")
	}
	if slices.Contains(allowed, "WEB_AUTHN") && len(u.Passkeys()) > 0 {
		out = append(out, "WEB_AUTHN")
	}
	return out
}
