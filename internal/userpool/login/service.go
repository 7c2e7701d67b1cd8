package login

import (
	"github.com/cognate-idp/cognate/internal/userpool/auth"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/federation"
	"github.com/cognate-idp/cognate/internal/userpool/mfa"
	"github.com/cognate-idp/cognate/internal/userpool/tokens"
	"github.com/cognate-idp/cognate/internal/userpool/users"
)

// Service implements managed login.
type Service struct {
	*core.Env
	auth       *auth.Service
	tokens     *tokens.Service
	users      *users.Service
	mfa        *mfa.Service
	federation *federation.Service
}

// New returns a Service. Sign-up, confirmation and password reset go
// through u, authenticator setup through m, as their API operations do,
// and sign-in through an identity provider through f.
func New(env *core.Env, a *auth.Service, t *tokens.Service, u *users.Service, m *mfa.Service, f *federation.Service) *Service {
	return &Service{Env: env, auth: a, tokens: t, users: u, mfa: m, federation: f}
}
