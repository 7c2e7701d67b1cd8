package login

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
	"github.com/cognate-idp/cognate/internal/userpool/users"
)

// ProfileScope is the scope the profile page acts with: it changes the
// user's attributes through UpdateUserAttributes and its neighbours, which
// take an access token that carries it.
const ProfileScope = "aws.cognito.signin.user.admin"

// ProfileAccess is the access token the profile page of a hosted session
// acts with, and when it expires (Unix seconds).
type ProfileAccess struct {
	Token string
	Exp   int64
}

// profileFirst are the attributes the profile page lists first, in this
// order, when the user may write them.
var profileFirst = []string{"email", "phone_number", "name", "given_name", "family_name", "preferred_username"}

// notEditable are the attributes the profile page never offers: set by
// Cognito or through their own flows.
var notEditable = []string{"sub", "identities", "updated_at", "email_verified", "phone_number_verified"}

// Profile checks that the client of r may serve the profile page (it must
// be allowed ProfileScope) and returns the attributes the page offers to
// edit: the first ones above, then the others the user has, then the
// pool's custom attributes; each one the client may read and write.
func (s *Service) Profile(ctx context.Context, r *Request, hs *Session) ([]string, error) {
	p, c, err := s.poolClient(ctx, r)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(c.Cfg.AllowedOAuthScopes, ProfileScope) {
		// Unconfirmed: Cognito has no profile page; this is Cognate's own.
		return nil, &AuthorizeError{Code: "invalid_scope", Description: "The profile page needs an app client that is allowed the " + ProfileScope + " scope."}
	}
	u, err := s.sessionUser(ctx, hs)
	if err != nil {
		return nil, err
	}
	ok := func(n string) bool {
		a := p.Schema[n]
		return a != nil && (a.Mutable == nil || *a.Mutable) && !slices.Contains(notEditable, n) &&
			core.CanRead(p, c, n) && users.CanWrite(p, c, n)
	}
	var out []string
	for _, n := range profileFirst {
		if ok(n) {
			out = append(out, n)
		}
	}
	var rest, custom []string
	for n := range u.Doc.Attributes {
		if !strings.HasPrefix(n, "custom:") && !slices.Contains(out, n) && ok(n) {
			rest = append(rest, n)
		}
	}
	for n := range p.Schema {
		if strings.HasPrefix(n, "custom:") && ok(n) {
			custom = append(custom, n)
		}
	}
	sort.Strings(rest)
	sort.Strings(custom)
	return append(append(out, rest...), custom...), nil
}

// ProfileToken issues the access token of the profile page: for the
// session's user and the client of r, with ProfileScope only and no
// refresh token, as a hosted sign-in issues it (the pre token generation
// trigger runs with TokenGeneration_HostedAuth).
func (s *Service) ProfileToken(ctx context.Context, r *Request, hs *Session) (ProfileAccess, error) {
	p, c, err := s.poolClient(ctx, r)
	if err != nil {
		return ProfileAccess{}, err
	}
	u, err := s.sessionUser(ctx, hs)
	if err != nil {
		return ProfileAccess{}, err
	}
	sess, err := s.tokens.NewOAuthSession(hs.AuthTime, []string{ProfileScope}, "")
	if err != nil {
		return ProfileAccess{}, err
	}
	res, err := s.tokens.IssueTokens(ctx, p, c, u, sess, false, triggers.TokenGen{Source: trigger.SourceTokenGenerationHostedAuth})
	if err != nil {
		return ProfileAccess{}, err
	}
	return ProfileAccess{Token: model.StringValue(res.AccessToken), Exp: s.Now().Unix() + int64(model.Int32Value(res.ExpiresIn))}, nil
}
