package branding

import "github.com/cognate-idp/cognate/internal/userpool/core"

// Service implements the branding operations.
type Service struct {
	*core.Env
}

// New returns a Service.
func New(env *core.Env) *Service { return &Service{Env: env} }
