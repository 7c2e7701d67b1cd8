package auth

import (
	"context"
	"crypto/subtle"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// HostedResume signs in, on the hosted pages of client c, a user whose
// password those pages proved earlier in the same browser (at sign-up, or
// at a sign-in refused because the account was not confirmed yet) and
// who has since confirmed the account. It runs what follows a right
// password in HostedSignIn: PreAuthentication, the lockout, the user's
// state and second factors, PostAuthentication at the end. passwordTag
// (core.PasswordTag of the hash then) must still match, so a password
// changed since voids the resumption.
func (s *Service) HostedResume(ctx context.Context, p *core.Pool, c *core.Client, username, sub, passwordTag string) (*HostedStep, error) {
	ctx = context.WithValue(ctx, hostedKey{}, true)
	u, err := s.srpSignInUser(ctx, p, c, authRequest{clientID: model.StringValue(c.Cfg.ClientId), flow: "USER_PASSWORD_AUTH"}, username)
	if err != nil {
		return nil, err
	}
	if u.Rec.Sub != sub || subtle.ConstantTimeCompare([]byte(core.PasswordTag(u.Doc.PasswordHash)), []byte(passwordTag)) != 1 {
		return nil, core.InvalidSession()
	}
	if err := s.passwords.CheckLockout(u); err != nil {
		return nil, err
	}
	res, err := s.afterPassword(ctx, p, c, u, "", triggers.TokenGen{})
	if err != nil {
		return nil, err
	}
	return hostedStep(res), nil
}
