package settings

import (
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Service implements the log delivery and risk configuration operations.
type Service struct {
	*core.Env
}

// New returns a Service.
func New(env *core.Env) *Service { return &Service{Env: env} }

// getDoc reads the item (poolID, kind, id) into v; found is false when it
// does not exist.
func getDoc(tx store.Tx, poolID, kind, id string, v any) (store.Item, bool, error) {
	return core.GetItemDoc(tx, poolID, kind, id, v)
}

// putDoc creates or replaces the item (poolID, kind, id) with v.
func (s *Service) putDoc(tx store.Tx, poolID, kind, id string, v any) (store.Item, error) {
	return s.PutItemDoc(tx, poolID, kind, id, v)
}
