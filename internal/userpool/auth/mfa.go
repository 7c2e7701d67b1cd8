package auth

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
	"github.com/cognate-idp/cognate/internal/userpool/mfa"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// purposeMFA is the code purpose of SMS and email sign-in codes.
const purposeMFA = "mfa"

// codeParam names the challenge response that carries each factor's code.
var codeParam = map[string]string{
	core.FactorSMS:   "SMS_MFA_CODE",
	core.FactorEmail: "EMAIL_OTP_CODE",
	core.FactorTOTP:  "SOFTWARE_TOKEN_MFA_CODE",
	"SMS_OTP":        "SMS_OTP_CODE",
}

// usableFactors are the factors u turned on that the pool allows and that
// can reach u.
func usableFactors(p *core.Pool, u *core.User) []string {
	allowed := p.PoolFactors()
	enabled, _ := u.MFAFactors()
	var out []string
	for _, f := range enabled {
		if slices.Contains(allowed, f) && u.HasFactor(f) {
			out = append(out, f)
		}
	}
	return out
}

// secondFactor decides what a sign-in whose password is proven must pass
// before tokens: nothing (nil), a factor's challenge, a choice between
// factors (SELECT_MFA_TYPE), or setting one up (MFA_SETUP) where MFA is
// required and the user has none.
func (s *Service) secondFactor(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, device string, clientMetadata map[string]string) (*authResult, error) {
	allowed := p.PoolFactors()
	if len(allowed) == 0 {
		return nil, nil
	}
	usable := usableFactors(p, u)
	if len(usable) == 0 {
		if model.StringValue(p.Cfg.MfaConfiguration) != "ON" {
			return nil, nil
		}
		// Required MFA with nothing turned on: a phone number or email
		// address on file serves if the pool sends codes there, as in
		// Cognito; otherwise the user sets up an authenticator.
		for _, f := range []string{core.FactorSMS, core.FactorEmail} {
			if slices.Contains(allowed, f) && u.HasFactor(f) {
				return s.factorChallenge(ctx, p, c, u, device, f, clientMetadata)
			}
		}
		if slices.Contains(allowed, core.FactorTOTP) {
			return s.challenge(ctx, p, c, u, device, "MFA_SETUP", map[string]string{"MFAS_CAN_SETUP": `["SOFTWARE_TOKEN_MFA"]`})
		}
		// Unconfirmed: Cognito's answer when no factor can reach the user;
		// the model lists no MFA-specific error for InitiateAuth.
		return nil, cognito.Errorf(cognito.InvalidParameter, "User does not have delivery config set to turn on %s", allowed[0])
	}
	if _, preferred := u.MFAFactors(); slices.Contains(usable, preferred) {
		return s.factorChallenge(ctx, p, c, u, device, preferred, clientMetadata)
	}
	if len(usable) == 1 {
		return s.factorChallenge(ctx, p, c, u, device, usable[0], clientMetadata)
	}
	choices, _ := json.Marshal(usable)
	return s.challenge(ctx, p, c, u, device, "SELECT_MFA_TYPE", map[string]string{"MFAS_CAN_CHOOSE": string(choices)})
}

// challenge answers with challenge name and parameters and a new session
// that carries the sign-in's device.
func (s *Service) challenge(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, device, name string, params map[string]string) (*authResult, error) {
	cs := s.NewAuthSession(name, p, c, u)
	cs.Device = device
	cs.Hosted = isHosted(ctx)
	if err := s.bindOnce(ctx, p, u, &cs, afterPassword); err != nil {
		return nil, err
	}
	sess, err := s.SealSession(cs)
	if err != nil {
		return nil, err
	}
	return &authResult{ChallengeName: model.String(name), ChallengeParameters: params, Session: model.String(sess)}, nil
}

// factorChallenge asks for factor's code, sending it first for SMS and
// email.
func (s *Service) factorChallenge(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, device, factor string, clientMetadata map[string]string) (*authResult, error) {
	if factor == core.FactorTOTP {
		return s.challenge(ctx, p, c, u, device, factor, map[string]string{})
	}
	details, err := s.sendMFACode(ctx, p, c, u, factor, clientMetadata)
	if err != nil {
		return nil, err
	}
	return s.challenge(ctx, p, c, u, device, factor, map[string]string{
		"CODE_DELIVERY_DELIVERY_MEDIUM": model.StringValue(details.DeliveryMedium),
		"CODE_DELIVERY_DESTINATION":     model.StringValue(details.Destination),
	})
}

// mfaTemplates are the pool's messages for sign-in codes.
// Unconfirmed: the defaults when the pool sets none.
func mfaTemplates(p *core.Pool, factor string) *message.Templates {
	if factor == core.FactorSMS {
		msg := model.StringValue(p.Cfg.SmsAuthenticationMessage)
		if msg == "" {
			msg = "Your authentication code is {####}. "
		}
		return &message.Templates{SMSMessage: msg}
	}
	t := &message.Templates{EmailSubject: "Your authentication code", EmailMessage: "Your authentication code is {####}."}
	if p.MFA != nil && p.MFA.Email != nil {
		if v := model.StringValue(p.MFA.Email.Subject); v != "" {
			t.EmailSubject = v
		}
		if v := model.StringValue(p.MFA.Email.Message); v != "" {
			t.EmailMessage = v
		}
	}
	return t
}

// sendMFACode sends a sign-in code by SMS or email through the pool's
// messages and the CustomMessage trigger (CustomMessage_Authentication).
func (s *Service) sendMFACode(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, factor string, clientMetadata map[string]string) (*model.CodeDeliveryDetailsType, error) {
	attr := "phone_number"
	if factor == core.FactorEmail {
		attr = "email"
	}
	code, err := s.delivery.NewCode()
	if err != nil {
		return nil, err
	}
	o := &delivery.Outgoing{Attr: attr, Value: u.Doc.Attributes[attr], Purpose: purposeMFA,
		Source: trigger.SourceCustomMessageAuthentication, Code: code, Templates: mfaTemplates(p, factor)}
	return s.delivery.SendCode(ctx, p, u, model.StringValue(c.Cfg.ClientId), clientMetadata, o)
}

// sessionUser reads the user of a challenge session inside tx and checks
// that the response's USERNAME (any name the user signs in with) is theirs.
func (s *Service) sessionUser(tx store.Tx, p *core.Pool, c *core.Client, cs *core.AuthSession, resp map[string]string) (*core.User, error) {
	name, err := requireParam(resp, "USERNAME")
	if err != nil {
		return nil, err
	}
	if err := s.CheckSecretHash(c, name, resp["SECRET_HASH"]); err != nil {
		return nil, err
	}
	u, err := s.SessionUser(tx, p, cs)
	if err != nil {
		return nil, err
	}
	named, err := s.ResolveUser(tx, p, name)
	if err != nil || named.Rec.Key != u.Rec.Key {
		return nil, core.InvalidSession()
	}
	if !u.Doc.Enabled {
		return nil, cognito.New(cognito.NotAuthorized, "User is disabled.")
	}
	return u, nil
}

// proveFactor runs check on the session's user inside one transaction
// and saves what it changed (a spent code, a TOTP step, a sign count). A
// failed check counts towards the lockout like a wrong password and
// answers wrong; one that passes spends the session, so that it serves
// one sign-in only.
func (s *Service) proveFactor(ctx context.Context, p *core.Pool, c *core.Client, cs *core.AuthSession, resp map[string]string,
	check func(u *core.User) (bool, error), wrong error) (*core.User, error) {
	var done *core.User
	failed := false
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.sessionUser(tx, p, c, cs, resp)
		if err != nil {
			return err
		}
		if err := s.passwords.CheckLockout(u); err != nil {
			return err
		}
		ok, err := check(u)
		if err != nil {
			return err
		}
		if !ok {
			failed = true
			if err := s.passwords.CountFailure(ctx, p, u); err != nil {
				return err
			}
		} else if err := s.spendOnce(p, u, cs); err != nil {
			// A right answer on a spent session changes nothing.
			return err
		}
		done = u
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	if failed {
		return nil, wrong
	}
	return done, nil
}

// mfaAnswer checks the code of an SMS_MFA, EMAIL_OTP, SMS_OTP or
// SOFTWARE_TOKEN_MFA challenge.
func (s *Service) mfaAnswer(ctx context.Context, p *core.Pool, c *core.Client, factor, session string, resp, clientMetadata map[string]string) (*authResult, error) {
	cs, err := s.OpenSession(session, p, c, factor)
	if err != nil {
		return nil, err
	}
	code, err := requireParam(resp, codeParam[factor])
	if err != nil {
		return nil, err
	}
	check := func(u *core.User) (bool, error) {
		_, err := s.delivery.CheckCode(p, u, purposeMFA, code)
		switch {
		case err == nil:
			return true, nil
		case cognito.IsCode(err, cognito.CodeMismatch):
			return false, nil
		case cognito.IsCode(err, cognito.ExpiredCode):
			// The code was used or replaced: this session is spent.
			return false, core.InvalidSession()
		}
		return false, err
	}
	wrong := cognito.New(cognito.CodeMismatch, "Invalid code or auth state for the user.")
	if factor == core.FactorTOTP {
		check = func(u *core.User) (bool, error) { return s.mfa.CheckTOTP(p, u, code) }
		wrong = cognito.New(cognito.CodeMismatch, "Invalid code received for user")
	}
	done, err := s.proveFactor(ctx, p, c, cs, resp, check, wrong)
	if err != nil {
		return nil, err
	}
	return s.finishSignIn(ctx, p, c, done, cs.Device, triggers.TokenGen{ClientMetadata: clientMetadata})
}

// selectMFA answers SELECT_MFA_TYPE with the chosen factor's challenge.
func (s *Service) selectMFA(ctx context.Context, p *core.Pool, c *core.Client, session string, resp, clientMetadata map[string]string) (*authResult, error) {
	cs, err := s.OpenSession(session, p, c, "SELECT_MFA_TYPE")
	if err != nil {
		return nil, err
	}
	answer, err := requireParam(resp, "ANSWER")
	if err != nil {
		return nil, err
	}
	var u *core.User
	err = s.Store.View(ctx, func(tx store.Tx) error {
		u, err = s.sessionUser(tx, p, c, cs, resp)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !slices.Contains(usableFactors(p, u), answer) {
		// Unconfirmed: Cognito's message for a factor not offered.
		return nil, cognito.Errorf(cognito.InvalidParameter, "Invalid MFA type %s selected.", answer)
	}
	return s.factorChallenge(ctx, p, c, u, cs.Device, answer, clientMetadata)
}

// mfaSetupDone completes MFA_SETUP with the session VerifySoftwareToken
// answered, once.
func (s *Service) mfaSetupDone(ctx context.Context, p *core.Pool, c *core.Client, session string, resp, clientMetadata map[string]string) (*authResult, error) {
	cs, err := s.OpenSession(session, p, c, "MFA_SETUP")
	if err != nil {
		return nil, err
	}
	if cs.Nonce == "" {
		// Unconfirmed: answering MFA_SETUP before VerifySoftwareToken.
		return nil, cognito.New(cognito.InvalidParameter, "Software token MFA must be verified with VerifySoftwareToken before answering MFA_SETUP.")
	}
	var done *core.User
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.sessionUser(tx, p, c, cs, resp)
		if err != nil {
			return err
		}
		if _, err := s.delivery.CheckCode(p, u, mfa.PurposeSetup, cs.Nonce); err != nil {
			return core.InvalidSession()
		}
		done = u
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return s.finishSignIn(ctx, p, c, done, cs.Device, triggers.TokenGen{ClientMetadata: clientMetadata})
}
