package auth

import (
	"context"
	"slices"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// availableChallenges are the USER_AUTH choices for u: the first factors
// it can use (a passkey as WEB_AUTHN), a password offered as PASSWORD and
// PASSWORD_SRP. A name
// nobody has (the client hides user existence) is offered the password.
func availableChallenges(p *core.Pool, u *core.User) []string {
	var factors []string
	if u == nil {
		if slices.Contains(p.AllowedFirstFactors(), "PASSWORD") {
			factors = []string{"PASSWORD"}
		}
	} else {
		factors = p.FirstFactors(u)
	}
	out := []string{}
	for _, f := range factors {
		out = append(out, f)
		if f == "PASSWORD" {
			out = append(out, "PASSWORD_SRP")
		}
	}
	return out
}

// userAuthBegin starts choice-based sign-in (USER_AUTH): the
// PREFERRED_CHALLENGE when the user can use it, SELECT_CHALLENGE with the
// AvailableChallenges otherwise.
func (s *Service) userAuthBegin(ctx context.Context, p *core.Pool, c *core.Client, r authRequest) (*authResult, error) {
	name, err := requireParam(r.params, "USERNAME")
	if err != nil {
		return nil, err
	}
	if err := s.CheckSecretHash(c, name, r.params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	preferred := r.params["PREFERRED_CHALLENGE"]
	if preferred == "PASSWORD" || preferred == "PASSWORD_SRP" {
		if !slices.Contains(p.AllowedFirstFactors(), "PASSWORD") {
			return nil, notOffered(preferred)
		}
		return s.passwordFirst(ctx, p, c, preferred, r)
	}
	u, err := s.srpSignInUser(ctx, p, c, r, name)
	switch {
	case err != nil && delivery.HidesUsers(c) && triggers.IsUnknownUser(err):
		u = nil
	case err != nil:
		return nil, err
	default:
		if err := checkUsable(u); err != nil {
			return nil, err
		}
	}
	avail := availableChallenges(p, u)
	if u != nil && slices.Contains(avail, preferred) {
		if preferred == "WEB_AUTHN" {
			return s.webAuthnChallenge(ctx, p, c, u)
		}
		return s.otpChallenge(ctx, p, c, u, preferred, r.clientMetadata)
	}
	// Unconfirmed: a preferred challenge the user cannot use falls back to
	// the choice.
	if u == nil {
		u = &core.User{}
	}
	cs := s.NewAuthSession("SELECT_CHALLENGE", p, c, u)
	cs.UserAuth = true
	sess, err := s.SealSession(cs)
	if err != nil {
		return nil, err
	}
	return &authResult{ChallengeName: model.String("SELECT_CHALLENGE"), ChallengeParameters: map[string]string{},
		Session: model.String(sess), AvailableChallenges: avail}, nil
}

// checkUsable refuses sign-in codes to users who could not sign in.
func checkUsable(u *core.User) error {
	switch {
	case !u.Doc.Enabled:
		return cognito.New(cognito.NotAuthorized, "User is disabled.")
	case u.Doc.Status == core.StatusUnconfirmed:
		return cognito.New(cognito.UserNotConfirmed, "User is not confirmed.")
	case u.Doc.Status == core.StatusResetRequired:
		return cognito.New(cognito.PasswordResetRequired, "Password reset required for the user")
	}
	return nil
}

// Unconfirmed: Cognito's message for a first factor not offered.
func notOffered(challenge string) error {
	return cognito.Errorf(cognito.InvalidParameter, "The challenge %s is not available for this user.", challenge)
}

// passwordFirst signs in with the password as first factor: PASSWORD as
// USER_PASSWORD_AUTH does (MFA follows), PASSWORD_SRP as USER_SRP_AUTH,
// its PASSWORD_VERIFIER answered with the session.
func (s *Service) passwordFirst(ctx context.Context, p *core.Pool, c *core.Client, challenge string, r authRequest) (*authResult, error) {
	if challenge == "PASSWORD" {
		return s.passwordAuth(ctx, p, c, r)
	}
	res, err := s.srpBegin(ctx, p, c, r)
	if err != nil {
		return nil, err
	}
	cs := s.NewAuthSession("PASSWORD_VERIFIER", p, c, &core.User{})
	cs.UserAuth = true
	sess, err := s.SealSession(cs)
	if err != nil {
		return nil, err
	}
	res.Session = model.String(sess)
	return res, nil
}

// otpChallenge sends a sign-in code by email (EMAIL_OTP) or SMS (SMS_OTP)
// as first factor; the right code signs in without a second factor.
func (s *Service) otpChallenge(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, challenge string, clientMetadata map[string]string) (*authResult, error) {
	factor := core.FactorEmail
	if challenge == "SMS_OTP" {
		factor = core.FactorSMS
	}
	details, err := s.sendMFACode(ctx, p, c, u, factor, clientMetadata)
	if err != nil {
		return nil, err
	}
	cs := s.NewAuthSession(challenge, p, c, u)
	cs.UserAuth = true
	if err := s.bindOnce(ctx, p, u, &cs, unproven); err != nil {
		return nil, err
	}
	sess, err := s.SealSession(cs)
	if err != nil {
		return nil, err
	}
	return &authResult{ChallengeName: model.String(challenge), Session: model.String(sess), ChallengeParameters: map[string]string{
		"CODE_DELIVERY_DELIVERY_MEDIUM": model.StringValue(details.DeliveryMedium),
		"CODE_DELIVERY_DESTINATION":     model.StringValue(details.Destination),
	}}, nil
}

// selectChallenge answers SELECT_CHALLENGE with the chosen first factor.
func (s *Service) selectChallenge(ctx context.Context, p *core.Pool, c *core.Client, session string, resp, clientMetadata map[string]string) (*authResult, error) {
	cs, err := s.OpenSession(session, p, c, "SELECT_CHALLENGE")
	if err != nil {
		return nil, err
	}
	answer, err := requireParam(resp, "ANSWER")
	if err != nil {
		return nil, err
	}
	name, err := requireParam(resp, "USERNAME")
	if err != nil {
		return nil, err
	}
	r := authRequest{clientID: model.StringValue(c.Cfg.ClientId), params: resp, clientMetadata: clientMetadata}
	if answer == "PASSWORD" || answer == "PASSWORD_SRP" {
		if !slices.Contains(p.AllowedFirstFactors(), "PASSWORD") {
			return nil, notOffered(answer)
		}
		return s.passwordFirst(ctx, p, c, answer, r)
	}
	if cs.UserKey == "" {
		// A name nobody has was offered the password only.
		return nil, notOffered(answer)
	}
	var u *core.User
	err = s.Store.View(ctx, func(tx store.Tx) error {
		u, err = s.sessionUser(tx, p, c, cs, map[string]string{"USERNAME": name, "SECRET_HASH": resp["SECRET_HASH"]})
		return err
	})
	if err != nil {
		return nil, err
	}
	if !slices.Contains(availableChallenges(p, u), answer) {
		return nil, notOffered(answer)
	}
	if answer == "WEB_AUTHN" {
		return s.webAuthnChallenge(ctx, p, c, u)
	}
	return s.otpChallenge(ctx, p, c, u, answer, clientMetadata)
}

// webAuthnChallenge asks for a passkey: the options for
// navigator.credentials.get() in CREDENTIAL_REQUEST_OPTIONS, the
// assertion state sealed into the session.
func (s *Service) webAuthnChallenge(ctx context.Context, p *core.Pool, c *core.Client, u *core.User) (*authResult, error) {
	options, state, err := s.passkeys.BeginLogin(p, u)
	if err != nil {
		return nil, err
	}
	cs := s.NewAuthSession("WEB_AUTHN", p, c, u)
	cs.UserAuth, cs.WebAuthn = true, state
	if err := s.bindOnce(ctx, p, u, &cs, unproven); err != nil {
		return nil, err
	}
	sess, err := s.SealSession(cs)
	if err != nil {
		return nil, err
	}
	return &authResult{ChallengeName: model.String("WEB_AUTHN"), Session: model.String(sess),
		ChallengeParameters: map[string]string{"CREDENTIAL_REQUEST_OPTIONS": string(options)}}, nil
}

// webAuthnAnswer verifies the passkey assertion in CREDENTIAL. A passkey
// is a first factor that needs no second one; a failed assertion counts
// towards the lockout.
func (s *Service) webAuthnAnswer(ctx context.Context, p *core.Pool, c *core.Client, session string, resp, clientMetadata map[string]string) (*authResult, error) {
	cs, err := s.OpenSession(session, p, c, "WEB_AUTHN")
	if err != nil {
		return nil, err
	}
	credential, err := requireParam(resp, "CREDENTIAL")
	if err != nil {
		return nil, err
	}
	// Unconfirmed: Cognito's answer to an assertion that fails to verify.
	done, err := s.proveFactor(ctx, p, c, cs, resp, func(u *core.User) (bool, error) {
		return s.passkeys.FinishLogin(p, u, cs.WebAuthn, credential)
	}, cognito.New(cognito.NotAuthorized, "Incorrect username or password."))
	if err != nil {
		return nil, err
	}
	return s.finishSignIn(ctx, p, c, done, "", triggers.TokenGen{ClientMetadata: clientMetadata})
}
