package pools

import (
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/tokens"
)

// Service implements the operations on user pools and app clients.
type Service struct {
	*core.Env
	tokens *tokens.Service
}

// New returns a Service.
func New(env *core.Env, t *tokens.Service) *Service { return &Service{Env: env, tokens: t} }
