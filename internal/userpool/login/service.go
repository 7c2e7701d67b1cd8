package login

import (
	"github.com/cognate-idp/cognate/internal/userpool/auth"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/tokens"
)

// Service implements managed login.
type Service struct {
	*core.Env
	auth   *auth.Service
	tokens *tokens.Service
}

// New returns a Service.
func New(env *core.Env, a *auth.Service, t *tokens.Service) *Service {
	return &Service{Env: env, auth: a, tokens: t}
}
