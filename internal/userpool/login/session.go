package login

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/auth"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// SessionTTL is how long a hosted session lets the authorize endpoint
// skip the sign-in form. Unconfirmed: Cognito's managed login keeps its
// session cookie for one hour.
const SessionTTL = 3600

// Session is the hosted session: who signed in on a pool's domain and
// when. It lives in a cookie, sealed with the server's key.
type Session struct {
	PoolID   string `json:"p"`
	UserKey  string `json:"u"`
	Sub      string `json:"s"`
	AuthTime int64  `json:"t"`
	Exp      int64  `json:"e"`
}

const sessionAAD = "hosted-session"

// SealHosted returns the cookie value of hs.
func (s *Service) SealHosted(hs *Session) string {
	buf, _ := json.Marshal(hs)
	return s.Sealer.Seal(buf, []byte(sessionAAD))
}

// OpenHosted reads a hosted session cookie of pool poolID; nil when it is
// absent, forged, expired, of another pool or of a user who is gone or
// can no longer sign in.
func (s *Service) OpenHosted(ctx context.Context, raw, poolID string) *Session {
	if raw == "" {
		return nil
	}
	buf, err := s.Sealer.Open(raw, []byte(sessionAAD))
	if err != nil {
		return nil
	}
	var hs Session
	if json.Unmarshal(buf, &hs) != nil || hs.PoolID != poolID || s.Now().Unix() >= hs.Exp {
		return nil
	}
	if _, err := s.sessionUser(ctx, &hs); err != nil {
		return nil
	}
	return &hs
}

// sessionUser loads the user of a hosted session, who must still be able
// to sign in. Unconfirmed: that disabling the user or a global sign-out
// ends the hosted session.
func (s *Service) sessionUser(ctx context.Context, hs *Session) (*core.User, error) {
	var u *core.User
	err := s.Store.View(ctx, func(tx store.Tx) error {
		rec, err := tx.GetUser(hs.PoolID, hs.UserKey)
		if err != nil {
			return core.MapStoreErr(err, core.UserNotFound())
		}
		if rec.Sub != hs.Sub {
			return core.UserNotFound()
		}
		u, err = core.DecodeUser(rec)
		return err
	})
	if err != nil {
		return nil, err
	}
	signsIn := u.Doc.Status == core.StatusConfirmed || u.Doc.Status == core.StatusExternalProvider
	if !u.Doc.Enabled || !signsIn || hs.AuthTime < u.Doc.RevokedBefore {
		return nil, cognito.New(cognito.NotAuthorized, "User is disabled.")
	}
	return u, nil
}

// Step is where a sign-in on the hosted pages stands: a challenge to
// answer (Challenge, Params, AuthSession) or, with Session set, done.
type Step struct {
	Challenge   string
	Params      map[string]string
	AuthSession string
	Session     *Session
}

func (s *Service) step(p *core.Pool, hs *auth.HostedStep) *Step {
	if hs.User == nil {
		return &Step{Challenge: hs.Challenge, Params: hs.Params, AuthSession: hs.Session}
	}
	now := s.Now().Unix()
	return &Step{Session: &Session{PoolID: p.Id, UserKey: hs.User.Rec.Key, Sub: hs.User.Rec.Sub, AuthTime: now, Exp: now + SessionTTL}}
}

func (s *Service) poolClient(ctx context.Context, r *Request) (*core.Pool, *core.Client, error) {
	return s.LoadAuthClient(ctx, r.PoolID, r.ClientID)
}

// SignIn checks the username and password entered for the authorize
// request r. Errors are the sign-in's Cognito errors, whose messages the
// page shows, and *NotConfirmed for an account to confirm.
func (s *Service) SignIn(ctx context.Context, r *Request, username, password string) (*Step, error) {
	p, c, err := s.poolClient(ctx, r)
	if err != nil {
		return nil, err
	}
	if !PasswordAllowed(c) {
		return nil, passwordRefused()
	}
	if username == "" || password == "" {
		// Unconfirmed: the hosted page's message for an empty field.
		return nil, cognito.New(cognito.InvalidParameter, "Username and password are required.")
	}
	hs, err := s.auth.HostedSignIn(ctx, p, c, username, password)
	if cognito.IsCode(err, cognito.UserNotConfirmed) {
		return nil, s.notConfirmed(ctx, p, r, username, err)
	}
	if err != nil {
		return nil, err
	}
	return s.step(p, hs), nil
}

// Respond answers a challenge of a hosted sign-in.
func (s *Service) Respond(ctx context.Context, r *Request, challenge, session string, answers map[string]string) (*Step, error) {
	p, c, err := s.poolClient(ctx, r)
	if err != nil {
		return nil, err
	}
	hs, err := s.auth.HostedRespond(ctx, p, c, challenge, session, answers)
	if err != nil {
		return nil, err
	}
	return s.step(p, hs), nil
}

// Complete ends the authorize request r for the hosted session hs: the
// URL to send the browser to, with an authorization code or, for the
// implicit grant, tokens in the fragment.
func (s *Service) Complete(ctx context.Context, r *Request, hs *Session) (string, error) {
	u, err := s.sessionUser(ctx, hs)
	if err != nil {
		return "", err
	}
	v := url.Values{}
	if r.ResponseType == "token" {
		p, c, err := s.poolClient(ctx, r)
		if err != nil {
			return "", err
		}
		sess, err := s.tokens.NewOAuthSession(hs.AuthTime, r.Scopes, r.Nonce)
		if err != nil {
			return "", err
		}
		res, err := s.tokens.IssueTokens(ctx, p, c, u, sess, false, triggers.TokenGen{Source: trigger.SourceTokenGenerationHostedAuth})
		if err != nil {
			return "", err
		}
		if res.IdToken != nil {
			v.Set("id_token", *res.IdToken)
		}
		v.Set("access_token", model.StringValue(res.AccessToken))
		v.Set("token_type", "Bearer")
		v.Set("expires_in", strconv.Itoa(int(model.Int32Value(res.ExpiresIn))))
	} else {
		code, err := s.newCode(ctx, r, u, hs.AuthTime)
		if err != nil {
			return "", err
		}
		v.Set("code", code)
	}
	if r.State != "" {
		v.Set("state", r.State)
	}
	return withParams(r.RedirectURI, v, r.ResponseType == "token"), nil
}

// passwordRefused answers the password pages (sign-in, sign-up,
// confirmation, password reset) of a client that signs in through
// identity providers only, whose users have no password here.
//
// Unconfirmed: Cognito's answer to a password sent for such a client.
func passwordRefused() error {
	return cognito.New(cognito.NotAuthorized, "This app signs in through an identity provider only.")
}
