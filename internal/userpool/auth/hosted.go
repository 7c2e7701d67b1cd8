package auth

import (
	"context"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// hostedKey marks the context of a sign-in through the hosted login pages.
type hostedKey struct{}

func isHosted(ctx context.Context) bool { return ctx.Value(hostedKey{}) != nil }

// HostedStep is where a hosted sign-in stands: a challenge to answer
// (Challenge, Params, Session) or, when User is set, done.
type HostedStep struct {
	Challenge string
	Params    map[string]string
	Session   string
	User      *core.User
}

func hostedStep(r *authResult) *HostedStep {
	return &HostedStep{Challenge: model.StringValue(r.ChallengeName), Params: r.ChallengeParameters, Session: model.StringValue(r.Session), User: r.User}
}

// HostedSignIn checks a username and password entered on the hosted login
// page of client c. It is USER_PASSWORD_AUTH without the client's
// explicit-flow setting and SECRET_HASH (the server signs in on the
// client's behalf): the same migration, PreAuthentication, lockout,
// NEW_PASSWORD_REQUIRED and second factors, and PostAuthentication at the
// end. It issues no tokens.
func (s *Service) HostedSignIn(ctx context.Context, p *core.Pool, c *core.Client, username, password string) (*HostedStep, error) {
	ctx = context.WithValue(ctx, hostedKey{}, true)
	res, err := s.passwordSignIn(ctx, p, c, authRequest{clientID: model.StringValue(c.Cfg.ClientId), flow: "USER_PASSWORD_AUTH"}, username, password)
	if err != nil {
		return nil, err
	}
	return hostedStep(res), nil
}

// HostedRespond answers a challenge of a hosted sign-in, as
// RespondToAuthChallenge does; the username and SECRET_HASH come from the
// session and the client.
func (s *Service) HostedRespond(ctx context.Context, p *core.Pool, c *core.Client, challenge, session string, answers map[string]string) (*HostedStep, error) {
	ctx = context.WithValue(ctx, hostedKey{}, true)
	cs, err := s.OpenSession(session, p, c, challenge)
	if err != nil {
		return nil, err
	}
	if !cs.Hosted {
		return nil, core.InvalidSession()
	}
	var u *core.User
	if err := s.Store.View(ctx, func(tx store.Tx) (err error) {
		u, err = s.SessionUser(tx, p, cs)
		return err
	}); err != nil {
		return nil, err
	}
	resp := map[string]string{}
	for k, v := range answers {
		resp[k] = v
	}
	resp["USERNAME"] = u.Rec.Username
	resp["SECRET_HASH"] = c.SecretHash(u.Rec.Username)
	res, err := s.respond(ctx, p.Id, model.StringValue(c.Cfg.ClientId), challenge, session, resp, nil)
	if err != nil {
		return nil, err
	}
	return hostedStep(res), nil
}
