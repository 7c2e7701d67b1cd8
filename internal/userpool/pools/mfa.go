package pools

import (
	"context"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// checkMFAMode refuses MFA ON or OPTIONAL without a factor to use. A pool
// whose factors SetUserPoolMfaConfig never set gets SMS MFA from its SMS
// configuration, so it needs one, as in Cognito.
func checkMFAMode(cfg *model.UserPoolType, m *core.PoolMFA) error {
	if model.StringValue(cfg.MfaConfiguration) == "OFF" {
		return nil
	}
	if m == nil && cfg.SmsConfiguration == nil {
		return cognito.New(cognito.InvalidParameter, "SMS configuration and Auto verification for phone_number are required when MFA is required/optional")
	}
	if m != nil && !m.SMS && !m.SoftwareToken && m.Email == nil {
		return errNoFactor
	}
	return nil
}

var errNoFactor = cognito.New(cognito.InvalidParameter, "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.")

// mfaView is a pool's MFA configuration as GetUserPoolMfaConfig and
// SetUserPoolMfaConfig answer it.
type mfaView struct {
	sms      *model.SmsMfaConfigType
	totp     *model.SoftwareTokenMfaConfigType
	email    *model.EmailMfaConfigType
	mode     *string
	webAuthn *model.WebAuthnConfigurationType
}

func viewMFA(cfg *model.UserPoolType, m *core.PoolMFA) mfaView {
	v := mfaView{mode: cfg.MfaConfiguration}
	if v.mode == nil {
		v.mode = model.String("OFF")
	}
	// A pool SetUserPoolMfaConfig never configured has SMS MFA when
	// CreateUserPool or UpdateUserPool gave it MFA and an SMS
	// configuration, as in Cognito.
	sms := cfg.SmsConfiguration != nil && model.StringValue(v.mode) != "OFF"
	if m != nil {
		sms = m.SMS
		if m.SoftwareToken {
			v.totp = &model.SoftwareTokenMfaConfigType{Enabled: model.Bool(true)}
		}
		v.email, v.webAuthn = m.Email, m.WebAuthn
	}
	if sms {
		v.sms = &model.SmsMfaConfigType{SmsAuthenticationMessage: cfg.SmsAuthenticationMessage, SmsConfiguration: cfg.SmsConfiguration}
	}
	return v
}

// GetUserPoolMfaConfig returns a pool's MFA configuration.
func (s *Service) GetUserPoolMfaConfig(ctx context.Context, in *model.GetUserPoolMfaConfigRequest) (*model.GetUserPoolMfaConfigResponse, error) {
	var v mfaView
	err := s.Store.View(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		v = viewMFA(p.Cfg, p.MFA)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.GetUserPoolMfaConfigResponse{SmsMfaConfiguration: v.sms, SoftwareTokenMfaConfiguration: v.totp,
		EmailMfaConfiguration: v.email, MfaConfiguration: v.mode, WebAuthnConfiguration: v.webAuthn}, nil
}

// SetUserPoolMfaConfig replaces a pool's MFA configuration. The factors
// are set as a whole: a factor the request leaves out is turned off, as
// in Cognito, where OPTIONAL alone fails once no factor is left.
func (s *Service) SetUserPoolMfaConfig(ctx context.Context, in *model.SetUserPoolMfaConfigRequest) (*model.SetUserPoolMfaConfigResponse, error) {
	var v mfaView
	err := s.updatePoolDoc(ctx, model.StringValue(in.UserPoolId), true, func(doc *core.PoolDoc) error {
		cfg := &doc.Config
		mode := in.MfaConfiguration
		if mode == nil {
			// Unconfirmed: a request without MfaConfiguration keeps the
			// pool's mode and sets only the factors.
			mode = cfg.MfaConfiguration
		}
		if mode == nil {
			mode = model.String("OFF")
		}
		m := &core.PoolMFA{
			SMS:           in.SmsMfaConfiguration != nil,
			SoftwareToken: in.SoftwareTokenMfaConfiguration != nil && model.BoolValue(in.SoftwareTokenMfaConfiguration.Enabled),
			Email:         in.EmailMfaConfiguration,
			WebAuthn:      in.WebAuthnConfiguration,
		}
		anyFactor := m.SMS || m.SoftwareToken || m.Email != nil
		switch model.StringValue(mode) {
		case "OFF":
			// A factor block turned off (TOTP Enabled: false) still counts:
			// Cognito refuses configuring a factor together with OFF.
			if in.SmsMfaConfiguration != nil || in.SoftwareTokenMfaConfiguration != nil || in.EmailMfaConfiguration != nil {
				return cognito.New(cognito.InvalidParameter, "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.")
			}
		default:
			if !anyFactor {
				return errNoFactor
			}
		}
		if in.SmsMfaConfiguration != nil {
			if sc := in.SmsMfaConfiguration.SmsConfiguration; sc != nil {
				cfg.SmsConfiguration = sc
			}
			cfg.SmsAuthenticationMessage = in.SmsMfaConfiguration.SmsAuthenticationMessage
		}
		cfg.MfaConfiguration = mode
		doc.MFA = m
		v = viewMFA(cfg, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.SetUserPoolMfaConfigResponse{SmsMfaConfiguration: v.sms, SoftwareTokenMfaConfiguration: v.totp,
		EmailMfaConfiguration: v.email, MfaConfiguration: v.mode, WebAuthnConfiguration: v.webAuthn}, nil
}
