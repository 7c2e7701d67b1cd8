package login

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// TOTPSetup is an authenticator being set up during a hosted sign-in
// (MFA_SETUP): the secret to enter in the app, the challenge session that
// AssociateSoftwareToken answered, and the issuer and account names of
// its otpauth URI.
type TOTPSetup struct {
	Secret  string `json:"k"`
	Session string `json:"s"`
	Issuer  string `json:"i"`
	Account string `json:"a"`
}

const setupAAD = "hosted-totp-setup"

// URI is the otpauth URI of the setup, which authenticator apps read from
// a QR code (Google's Key Uri Format).
func (t *TOTPSetup) URI() string {
	label := t.Account
	if t.Issuer != "" {
		label = t.Issuer + ":" + t.Account
	}
	q := url.Values{"secret": {t.Secret}}
	if t.Issuer != "" {
		q.Set("issuer", t.Issuer)
	}
	return (&url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + label, RawQuery: q.Encode()}).String()
}

// SetUpTOTP starts MFA_SETUP with an authenticator for the hosted sign-in
// whose challenge session is session: AssociateSoftwareToken by session,
// through the mfa area.
// Unconfirmed: the issuer Cognito's managed login puts in the otpauth URI;
// the pool's name is used, the account is the user's sign-in name.
func (s *Service) SetUpTOTP(ctx context.Context, r *Request, session string) (*TOTPSetup, error) {
	p, u, err := s.setupUser(ctx, r, session)
	if err != nil {
		return nil, err
	}
	out, err := s.mfa.AssociateSoftwareToken(ctx, &model.AssociateSoftwareTokenRequest{Session: model.String(session)})
	if err != nil {
		return nil, err
	}
	account := u.Rec.Username
	if len(p.UsernameAttrs) > 0 {
		for _, attr := range []string{"email", "phone_number"} {
			if v := u.Doc.Attributes[attr]; v != "" && p.UsernameAttrs[attr] {
				account = v
				break
			}
		}
	}
	return &TOTPSetup{Secret: model.StringValue(out.SecretCode), Session: model.StringValue(out.Session), Issuer: model.StringValue(p.Cfg.Name), Account: account}, nil
}

// setupUser checks that session is an MFA_SETUP session of a hosted
// sign-in of r's client and returns its pool and user.
func (s *Service) setupUser(ctx context.Context, r *Request, session string) (*core.Pool, *core.User, error) {
	cs, err := s.ReadSession(session)
	if err != nil {
		return nil, nil, err
	}
	if !cs.Hosted || cs.PoolID != r.PoolID || cs.ClientID != r.ClientID || cs.Challenge != "MFA_SETUP" || s.Now().Unix() >= cs.Exp {
		return nil, nil, core.InvalidSession()
	}
	var p *core.Pool
	var u *core.User
	err = s.Store.View(ctx, func(tx store.Tx) error {
		if p, err = s.LoadPool(tx, r.PoolID); err != nil {
			return err
		}
		u, err = s.SessionUser(tx, p, cs)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return p, u, nil
}

// SealSetup returns the form value that carries a setup from page to
// page, sealed: the secret is shown again when a code is wrong.
func (s *Service) SealSetup(t *TOTPSetup) string {
	buf, _ := json.Marshal(t)
	return s.Sealer.Seal(buf, []byte(setupAAD))
}

// OpenSetup reads a sealed setup; nil when it is forged.
func (s *Service) OpenSetup(raw string) *TOTPSetup {
	buf, err := s.Sealer.Open(raw, []byte(setupAAD))
	if err != nil {
		return nil
	}
	var t TOTPSetup
	if json.Unmarshal(buf, &t) != nil {
		return nil
	}
	return &t
}

// VerifyTOTP finishes MFA_SETUP with a code of the new authenticator:
// VerifySoftwareToken with the setup's session, then the MFA_SETUP answer
// with the session it returns, as an app following the API does.
func (s *Service) VerifyTOTP(ctx context.Context, r *Request, t *TOTPSetup, code string) (*Step, error) {
	if _, _, err := s.setupUser(ctx, r, t.Session); err != nil {
		return nil, err
	}
	if code == "" {
		// Unconfirmed: the hosted page's message for an empty code.
		return nil, cognito.New(cognito.InvalidParameter, "Enter the code from your authenticator app.")
	}
	out, err := s.mfa.VerifySoftwareToken(ctx, &model.VerifySoftwareTokenRequest{Session: model.String(t.Session), UserCode: model.String(code)})
	if err != nil {
		return nil, err
	}
	return s.Respond(ctx, r, "MFA_SETUP", model.StringValue(out.Session), map[string]string{})
}
