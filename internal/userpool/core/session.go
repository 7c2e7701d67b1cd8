package core

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// AuthSession is the sealed state behind the Session value of a sign-in
// challenge. Only the server can read or forge one; it expires with the
// client's AuthSessionValidity.
type AuthSession struct {
	Challenge string `json:"c"`
	PoolID    string `json:"p"`
	ClientID  string `json:"cl"`
	UserKey   string `json:"u"`
	Sub       string `json:"s"`
	Exp       int64  `json:"e"`
	// Password binds the session to the temporary password it was opened
	// with: a new one set by an administrator voids older sessions.
	Password string `json:"pw,omitempty"`
	// Nonce makes a session single-use where a stored code backs it
	// (MFA_SETUP after VerifySoftwareToken).
	Nonce string `json:"n,omitempty"`
	// Device is the device key the sign-in runs on, when the pool tracks
	// devices.
	Device string `json:"d,omitempty"`
	// Once makes a challenge session single-use: its nonce is kept on the
	// user and spent by the answer that passes the challenge.
	Once string `json:"o,omitempty"`
	// UserAuth marks a step of choice-based sign-in (USER_AUTH).
	UserAuth bool `json:"ua,omitempty"`
	// WebAuthn is the passkey assertion state of a WEB_AUTHN challenge.
	WebAuthn json.RawMessage `json:"wa,omitempty"`
	// Hosted marks a sign-in through the hosted login pages: its
	// challenges are answered there, never through the API, and it ends
	// in an authorization code rather than tokens.
	Hosted bool `json:"h,omitempty"`
	// Custom is the state of a custom authentication (CUSTOM_AUTH).
	Custom *CustomAuth `json:"ca,omitempty"`
}

// CustomAuth is what a custom authentication carries from one call to the
// next: the rounds so far, and the private parameters of the challenge
// waiting for an answer. It travels sealed, so the client sees neither.
type CustomAuth struct {
	Rounds  []CustomRound     `json:"r"`
	Private map[string]string `json:"pp,omitempty"`
	// Metadata is the challengeMetadata of the challenge waiting for an
	// answer, recorded with its round.
	Metadata *string `json:"pm,omitempty"`
	// Name is the name the client signed in with when nobody has it (the
	// app client hides user existence): the triggers run with userNotFound
	// and the flow can only fail.
	Name string `json:"n,omitempty"`
}

// CustomRound is one round of a custom authentication.
type CustomRound struct {
	Challenge string  `json:"c"`
	Result    bool    `json:"ok"`
	Metadata  *string `json:"m,omitempty"`
}

// PasswordTag identifies a stored password hash without revealing it.
func PasswordTag(hash string) string {
	sum := sha256.Sum256([]byte(hash))
	return base64.RawStdEncoding.EncodeToString(sum[:12])
}

// NewAuthSession starts a session for challenge on user u, valid for the
// client's AuthSessionValidity (3 minutes by default, as in Cognito).
func (s *Env) NewAuthSession(challenge string, p *Pool, c *Client, u *User) AuthSession {
	minutes := int64(model.Int32Value(c.Cfg.AuthSessionValidity))
	if minutes == 0 {
		minutes = 3
	}
	return AuthSession{
		Challenge: challenge, PoolID: p.Id, ClientID: model.StringValue(c.Cfg.ClientId),
		UserKey: u.Rec.Key, Sub: u.Rec.Sub, Exp: s.Now().Add(time.Duration(minutes) * time.Minute).Unix(),
	}
}

// SealSession returns the Session value of cs.
func (s *Env) SealSession(cs AuthSession) (string, error) {
	buf, err := json.Marshal(cs)
	if err != nil {
		return "", err
	}
	return s.Sealer.Seal(buf, []byte("auth-session")), nil
}

// SpentSession is Cognito's answer to a session used again.
func SpentSession() error {
	return cognito.New(cognito.NotAuthorized, "Invalid session for the user, session can only be used once.")
}

// InvalidSession is Cognito's answer to a wrong, stale or expired Session.
func InvalidSession() error {
	return cognito.New(cognito.NotAuthorized, "Invalid session for the user, session is expired.")
}

// ReadSession reads an unexpired Session value without checking what it
// is for; OpenSession does.
func (s *Env) ReadSession(raw string) (*AuthSession, error) {
	buf, err := s.Sealer.Open(raw, []byte("auth-session"))
	if err != nil {
		return nil, InvalidSession()
	}
	var cs AuthSession
	if err := json.Unmarshal(buf, &cs); err != nil || s.Now().Unix() >= cs.Exp {
		return nil, InvalidSession()
	}
	return &cs, nil
}

// OpenSession reads a Session value that is unexpired and was opened for
// one of challenges with the app client c of pool p.
func (s *Env) OpenSession(raw string, p *Pool, c *Client, challenges ...string) (*AuthSession, error) {
	cs, err := s.ReadSession(raw)
	if err != nil {
		return nil, err
	}
	if cs.PoolID != p.Id || cs.ClientID != model.StringValue(c.Cfg.ClientId) || !slices.Contains(challenges, cs.Challenge) {
		return nil, InvalidSession()
	}
	return cs, nil
}

// SessionUser reads the user of a session inside tx; a user deleted (or
// deleted and re-created) since is UserNotFoundException.
func (s *Env) SessionUser(tx store.Tx, p *Pool, cs *AuthSession) (*User, error) {
	return s.Reload(tx, p, &User{Rec: store.User{Key: cs.UserKey, Sub: cs.Sub}})
}
