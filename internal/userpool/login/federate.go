package login

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/federation"
)

// StateTTL is how long a browser may take to sign in at an upstream
// provider and come back. Unconfirmed: Cognito's limit is not documented.
const StateTTL = 15 * 60

// IdpResponsePath is the path, under a pool domain's base, of the
// callback upstream providers send the browser back to.
const IdpResponsePath = "/oauth2/idpresponse"

// fedState is what the state sent to an upstream provider carries: the
// authorize request to finish, the provider, the callback URL given to
// it, the nonce asked of its ID token and the value of the browser's
// federation cookie. It is sealed with the server's key and the pool's
// ID, so it can be neither read, forged nor replayed at another pool or
// in another browser; nothing is stored.
type fedState struct {
	PoolID   string     `json:"p"`
	Provider string     `json:"i"`
	Params   url.Values `json:"q"`
	Callback string     `json:"r"`
	Nonce    string     `json:"n"`
	Browser  string     `json:"b"`
	Exp      int64      `json:"e"`
}

func stateAAD(poolID string) []byte { return []byte("idp-state\x00" + poolID) }

func (s *Service) sealState(st *fedState) string {
	buf, _ := json.Marshal(st)
	return s.Sealer.Seal(buf, stateAAD(st.PoolID))
}

// openState opens the state of a callback to pool poolID in the browser
// whose federation cookie is browser; nil when it is absent, forged, of
// another pool or browser, or expired.
func (s *Service) openState(raw, poolID, browser string) *fedState {
	if raw == "" || browser == "" {
		return nil
	}
	buf, err := s.Sealer.Open(raw, stateAAD(poolID))
	if err != nil {
		return nil
	}
	var st fedState
	if json.Unmarshal(buf, &st) != nil || st.PoolID != poolID || s.Now().Unix() >= st.Exp ||
		subtle.ConstantTimeCompare([]byte(st.Browser), []byte(browser)) != 1 {
		return nil
	}
	return &st
}

// badState is the error page of a callback whose state cannot be used.
// Unconfirmed: Cognito's wording.
func badState() error {
	return &AuthorizeError{Code: "invalid_request", Description: "The sign-in through the identity provider is invalid or has expired. Please sign in again."}
}

// loadUpstream reads r's provider, which must be one Cognate federates.
func (s *Service) loadUpstream(ctx context.Context, r *Request) (*federation.Upstream, error) {
	var up *federation.Upstream
	err := s.Store.View(ctx, func(tx store.Tx) (err error) {
		up, err = federation.LoadUpstream(tx, r.PoolID, r.Provider)
		return err
	})
	if err != nil {
		return nil, err
	}
	return up, federation.CheckSupported(up)
}

// Federate starts the sign-in of authorize request r (with its
// parameters q) through r.Provider: the URL of the provider's
// authorization endpoint to send the browser to. callback is this
// domain's IdpResponsePath URL; browser is the value of the federation
// cookie the browser is given, so that the callback is accepted from it
// only (a sign-in cannot be started in one browser and finished in
// another). A provider type Cognate does not federate (SAML, the social
// types) is an UnsupportedOperationException, whose message the error
// page shows.
func (s *Service) Federate(ctx context.Context, r *Request, q url.Values, callback, browser string) (string, error) {
	up, err := s.loadUpstream(ctx, r)
	if err != nil {
		return "", err
	}
	nonce, err := s.RandomToken(32)
	if err != nil {
		return "", err
	}
	st := &fedState{PoolID: r.PoolID, Provider: r.Provider, Params: q, Callback: callback, Nonce: nonce, Browser: browser, Exp: s.Now().Unix() + StateTTL}
	to, err := s.federation.AuthCodeURL(ctx, up, callback, s.sealState(st), nonce, r.Prompt, r.LoginHint)
	if err != nil {
		s.Log.Warn("identity provider", "pool", r.PoolID, "provider", r.Provider, "error", err)
		// Unconfirmed: Cognito's answer when the provider's endpoints
		// cannot be discovered.
		return "", r.redirectError("server_error", "The identity provider could not be reached.")
	}
	return to, nil
}

func (r *Request) redirectError(code, desc string) error {
	return &AuthorizeError{Redirect: true, Code: code, Description: desc, RedirectURI: r.RedirectURI, State: r.State, Fragment: r.ResponseType == "token"}
}

var oauthCode = regexp.MustCompile(`^[a-z_]{1,64}$`)

// IdpResponse finishes a sign-in through an upstream provider, from the
// query of its callback and the browser's federation cookie: it opens the state, checks the authorize request
// again, redeems the code, verifies the ID token and signs in the linked
// or federated user. It returns the authorize request, the parameters
// it was started with and the hosted session to complete it with. Errors are *AuthorizeError values: an
// error page for a state that cannot be used, otherwise a redirect to the
// client (the provider's own error, such as access_denied, is passed on).
func (s *Service) IdpResponse(ctx context.Context, poolID string, q url.Values, browser string) (*Request, url.Values, *Session, error) {
	st := s.openState(q.Get("state"), poolID, browser)
	if st == nil {
		return nil, nil, nil, badState()
	}
	r, _, err := s.Authorize(ctx, poolID, st.Params)
	if err != nil {
		return nil, nil, nil, err
	}
	if r.Provider != st.Provider {
		return nil, nil, nil, badState()
	}
	if code := q.Get("error"); code != "" {
		// Unconfirmed: Cognito passes the provider's error on.
		if !oauthCode.MatchString(code) {
			code = "server_error"
		}
		return nil, nil, nil, r.redirectError(code, q.Get("error_description"))
	}
	if q.Get("code") == "" {
		return nil, nil, nil, r.redirectError("invalid_request", "The identity provider sent no authorization code.")
	}
	up, err := s.loadUpstream(ctx, r)
	if err != nil {
		return nil, nil, nil, s.fedFailure(r, err)
	}
	claims, err := s.federation.Exchange(ctx, up, st.Callback, q.Get("code"), st.Nonce, q.Get("user"))
	if err != nil {
		return nil, nil, nil, s.fedFailure(r, err)
	}
	p, c, err := s.LoadAuthClient(ctx, poolID, r.ClientID)
	if err != nil {
		return nil, nil, nil, s.fedFailure(r, err)
	}
	u, err := s.federation.SignIn(ctx, p, c, up, claims)
	if err != nil {
		return nil, nil, nil, s.fedFailure(r, err)
	}
	now := s.Now().Unix()
	return r, st.Params, &Session{PoolID: poolID, UserKey: u.Rec.Key, Sub: u.Rec.Sub, AuthTime: now, Exp: now + SessionTTL}, nil
}

// fedFailure turns a failed federated sign-in into the redirect to the
// client: a Cognito error (disabled user, a trigger's refusal) with its
// message, as Cognito reports them, and a failed exchange with the
// provider as server_error, logged without the provider's secrets.
func (s *Service) fedFailure(r *Request, err error) error {
	var ue *federation.UpstreamError
	if errors.As(err, &ue) {
		s.Log.Warn("identity provider", "pool", r.PoolID, "provider", r.Provider, "error", ue)
		// Unconfirmed: Cognito's code and wording for an answer of the
		// provider it cannot use.
		return r.redirectError("server_error", "The identity provider's answer could not be used.")
	}
	if ce, ok := cognito.As(err); ok {
		// Cognito reports these as invalid_request, for example
		// "User is disabled." or "PreSignUp failed with error ...".
		return r.redirectError("invalid_request", ce.Message)
	}
	return err
}
