package groups

import "github.com/cognate-idp/cognate/internal/userpool/core"

// MaxGroupsPerPool is Cognito's quota of groups in one user pool.
const MaxGroupsPerPool = 10_000

// Service implements the group operations.
type Service struct {
	*core.Env
}

// New returns a Service.
func New(env *core.Env) *Service { return &Service{Env: env} }
