package passwords

import (
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Service hashes and checks passwords and applies the lockout rules.
type Service struct {
	*core.Env
	hash HashParams
	kdf  kdfSlots
}

// New returns a Service hashing with h (zero fields take the defaults),
// at most concurrent hashes at once.
func New(env *core.Env, h HashParams, concurrent int) *Service {
	return &Service{Env: env, hash: h.withDefaults(), kdf: newKDFSlots(concurrent)}
}
