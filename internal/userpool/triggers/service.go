package triggers

import (
	"context"

	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Service builds trigger events and applies their answers.
type Service struct {
	*core.Env
	caller *trigger.Caller
}

// New returns a Service invoking Lambda functions through caller.
func New(env *core.Env, caller *trigger.Caller) *Service {
	return &Service{Env: env, caller: caller}
}

// Call invokes the function of a pool's trigger with event and decodes
// its answer into out.
func (s *Service) Call(ctx context.Context, name, function string, event, out any) error {
	return s.caller.Call(ctx, name, function, event, out)
}
