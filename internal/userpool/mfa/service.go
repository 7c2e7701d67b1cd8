package mfa

import (
	"context"
	"slices"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
	"github.com/cognate-idp/cognate/internal/userpool/tokens"
)

// PurposeSetup is the code purpose that makes an MFA_SETUP session, once
// its authenticator is verified, good for one sign-in.
const PurposeSetup = "mfa_setup"

// Service implements authenticator association and MFA preferences.
type Service struct {
	*core.Env
	tokens   *tokens.Service
	delivery *delivery.Service
}

// New returns a Service.
func New(env *core.Env, tok *tokens.Service, dl *delivery.Service) *Service {
	return &Service{Env: env, tokens: tok, delivery: dl}
}

func secretAAD(p *core.Pool, u *core.User) []byte {
	return []byte("totp\x00" + p.Id + "\x00" + u.Rec.Key)
}

func (s *Service) seal(p *core.Pool, u *core.User, secret string) string {
	return s.Sealer.Seal([]byte(secret), secretAAD(p, u))
}

func (s *Service) open(p *core.Pool, u *core.User, sealed string) (string, error) {
	b, err := s.Sealer.Open(sealed, secretAAD(p, u))
	return string(b), err
}

func noSoftwareToken() error {
	return cognito.New(cognito.SoftwareTokenMFANotFound, "Software Token MFA does not exist for the user.")
}

// poolAllowsTOTP refuses authenticators in a pool whose MFA configuration
// does not offer them.
// Unconfirmed: Cognito's message for a pool without TOTP MFA.
func poolAllowsTOTP(p *core.Pool) error {
	if !slices.Contains(p.PoolFactors(), core.FactorTOTP) {
		return cognito.New(cognito.SoftwareTokenMFANotFound, "Software Token MFA has not been enabled by the userPool.")
	}
	return nil
}

// target is the user an association or verification is for: the holder of
// an access token, or the user of an MFA_SETUP sign-in session.
type target struct {
	pool    *core.Pool
	client  *core.Client
	user    *core.User
	session *core.AuthSession // nil for an access token
}

func (s *Service) resolve(ctx context.Context, accessToken, session *string) (*target, error) {
	switch {
	case accessToken != nil:
		c, err := s.tokens.Authorize(ctx, *accessToken)
		if err != nil {
			return nil, err
		}
		return &target{pool: c.Pool, client: c.Client, user: c.User}, nil
	case session != nil:
		cs, err := s.ReadSession(*session)
		if err != nil {
			return nil, err
		}
		p, c, err := s.LoadAuthClient(ctx, cs.PoolID, cs.ClientID)
		if err != nil {
			return nil, core.InvalidSession()
		}
		if cs, err = s.OpenSession(*session, p, c, "MFA_SETUP"); err != nil {
			return nil, err
		}
		var u *core.User
		err = s.Store.View(ctx, func(tx store.Tx) error {
			u, err = s.SessionUser(tx, p, cs)
			return err
		})
		if err != nil {
			return nil, err
		}
		return &target{pool: p, client: c, user: u, session: cs}, nil
	}
	// Unconfirmed: Cognito's message when neither is given.
	return nil, cognito.New(cognito.InvalidParameter, "Either AccessToken or Session must be provided.")
}

// AssociateSoftwareToken gives the user a new authenticator secret. It is
// held unverified until VerifySoftwareToken proves the authenticator has
// it; an earlier verified authenticator keeps working until then.
func (s *Service) AssociateSoftwareToken(ctx context.Context, in *model.AssociateSoftwareTokenRequest) (*model.AssociateSoftwareTokenResponse, error) {
	t, err := s.resolve(ctx, in.AccessToken, in.Session)
	if err != nil {
		return nil, err
	}
	if err := poolAllowsTOTP(t.pool); err != nil {
		return nil, err
	}
	secret, err := newSecret(s.Random)
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, t.pool, t.user)
		if err != nil {
			return err
		}
		u.MFA(true).TOTPPending = s.seal(t.pool, u, secret)
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	out := &model.AssociateSoftwareTokenResponse{SecretCode: model.String(secret)}
	if t.session != nil {
		next := s.NewAuthSession("MFA_SETUP", t.pool, t.client, t.user)
		next.Device, next.Hosted = t.session.Device, t.session.Hosted
		sealed, err := s.SealSession(next)
		if err != nil {
			return nil, err
		}
		out.Session = model.String(sealed)
	}
	return out, nil
}

// VerifySoftwareToken checks a code of the associated authenticator and,
// when it matches, makes it the user's. Verified from a sign-in session,
// TOTP MFA is turned on and the answer's Session completes MFA_SETUP.
func (s *Service) VerifySoftwareToken(ctx context.Context, in *model.VerifySoftwareTokenRequest) (*model.VerifySoftwareTokenResponse, error) {
	t, err := s.resolve(ctx, in.AccessToken, in.Session)
	if err != nil {
		return nil, err
	}
	if err := poolAllowsTOTP(t.pool); err != nil {
		return nil, err
	}
	var nonce string
	if t.session != nil {
		if nonce, err = s.RandomToken(16); err != nil {
			return nil, err
		}
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.Reload(tx, t.pool, t.user)
		if err != nil {
			return err
		}
		m := u.MFA(true)
		if m.TOTPPending == "" {
			return noSoftwareToken()
		}
		secret, err := s.open(t.pool, u, m.TOTPPending)
		if err != nil {
			return err
		}
		step := matchTOTP(secret, model.StringValue(in.UserCode), s.Now(), 0)
		if step == 0 {
			return cognito.New(cognito.EnableSoftwareTokenMFA, "Code mismatch and fail enable Software Token MFA")
		}
		m.TOTPSecret, m.TOTPPending, m.TOTPLastStep = m.TOTPPending, "", step
		// Unconfirmed: a user who set up an authenticator while signing in
		// (MFA_SETUP) or in a pool where MFA is required has TOTP MFA
		// turned on; otherwise SetUserMFAPreference turns it on.
		if t.session != nil || model.StringValue(t.pool.Cfg.MfaConfiguration) == "ON" {
			enable(m, core.FactorTOTP)
		}
		if nonce != "" {
			s.delivery.StoreCode(t.pool, u, PurposeSetup, nonce, "")
		}
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	out := &model.VerifySoftwareTokenResponse{Status: model.String("SUCCESS")}
	if t.session != nil {
		next := s.NewAuthSession("MFA_SETUP", t.pool, t.client, t.user)
		next.Nonce, next.Device, next.Hosted = nonce, t.session.Device, t.session.Hosted
		sealed, err := s.SealSession(next)
		if err != nil {
			return nil, err
		}
		out.Session = model.String(sealed)
	}
	return out, nil
}

func enable(m *core.UserMFA, factor string) {
	if !slices.Contains(m.Enabled, factor) {
		m.Enabled = append(m.Enabled, factor)
	}
}

// CheckTOTP checks a sign-in code of u's verified authenticator and
// records its step so that it is not accepted again. u is read inside the
// caller's transaction, which saves it.
func (s *Service) CheckTOTP(p *core.Pool, u *core.User, code string) (bool, error) {
	m := u.MFA(true)
	if m.TOTPSecret == "" {
		return false, noSoftwareToken()
	}
	secret, err := s.open(p, u, m.TOTPSecret)
	if err != nil {
		return false, err
	}
	step := matchTOTP(secret, code, s.Now(), m.TOTPLastStep)
	if step == 0 {
		return false, nil
	}
	m.TOTPLastStep = step
	return true, nil
}
