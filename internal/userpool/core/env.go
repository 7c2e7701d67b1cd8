package core

import (
	"io"
	"log/slog"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/token"
)

// Env is what every area of the service shares: the store, the clock, the
// source of randomness, the sealer of secrets at rest and the caches of
// decoded pools and clients. Each area's Service embeds it.
type Env struct {
	Store     store.Store
	Region    string // prefix of new pool IDs
	PublicURL string // base of token issuers, without a trailing slash
	Sealer    *token.Sealer
	Log       *slog.Logger
	Now       func() time.Time
	Random    io.Reader

	pools   *docCache[string, *Pool]
	clients *docCache[clientKey, *Client]
}

// NewEnv returns an Env with empty caches.
func NewEnv(st store.Store, region, publicURL string, sealer *token.Sealer, log *slog.Logger, now func() time.Time, random io.Reader) *Env {
	return &Env{
		Store: st, Region: region, PublicURL: publicURL, Sealer: sealer, Log: log, Now: now, Random: random,
		pools:   newDocCache[string, *Pool](),
		clients: newDocCache[clientKey, *Client](),
	}
}

// ForgetPool drops a pool from the cache after it changed or was deleted.
func (s *Env) ForgetPool(id string) { s.pools.drop(id) }

// ForgetClient drops an app client from the cache.
func (s *Env) ForgetClient(poolID, id string) { s.clients.drop(clientKey{poolID, id}) }
