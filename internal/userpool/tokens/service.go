package tokens

import (
	"strings"

	"github.com/cognate-idp/cognate/internal/token"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// Service issues, verifies, refreshes and revokes tokens and serves each
// pool's signing keys.
type Service struct {
	*core.Env
	verifier *token.Verifier
	keys     *keyCache
	triggers *triggers.Service
}

// New returns a Service caching at most verifierCacheSize verified access
// tokens.
func New(env *core.Env, t *triggers.Service, verifierCacheSize int) *Service {
	return &Service{Env: env, verifier: token.NewVerifier(verifierCacheSize), keys: newKeyCache(), triggers: t}
}

// DropKeys forgets the cached keys of a deleted pool.
func (s *Service) DropKeys(poolID string) { s.keys.drop(poolID) }

// Issuer returns the token issuer of a pool.
func (s *Service) Issuer(poolID string) string { return s.PublicURL + "/" + poolID }

// isIssuer reports whether iss is Issuer(poolID), without building it.
func (s *Service) isIssuer(iss, poolID string) bool {
	rest, ok := strings.CutPrefix(iss, s.PublicURL)
	return ok && len(rest) == 1+len(poolID) && rest[0] == '/' && rest[1:] == poolID
}
