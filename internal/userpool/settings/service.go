package settings

import (
	"encoding/json"
	"errors"

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
func getDoc(tx store.Tx, poolID, kind, id string, v any) (it store.Item, found bool, err error) {
	it, err = tx.GetItem(poolID, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Item{}, false, nil
	}
	if err != nil {
		return store.Item{}, false, err
	}
	return it, true, json.Unmarshal(it.Data, v)
}

// putDoc creates or replaces the item (poolID, kind, id) with v and
// returns the item written.
func (s *Service) putDoc(tx store.Tx, poolID, kind, id string, v any) (store.Item, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return store.Item{}, err
	}
	now := s.Now().UTC()
	old, err := tx.GetItem(poolID, kind, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		it := store.Item{PoolID: poolID, Kind: kind, ID: id, Created: now, Modified: now, Data: data}
		return it, tx.CreateItem(it)
	case err != nil:
		return store.Item{}, err
	}
	old.Modified, old.Data = now, data
	return old, tx.PutItem(old)
}
