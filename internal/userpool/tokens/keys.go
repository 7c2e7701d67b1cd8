package tokens

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/token"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// poolKeys are the signing keys of one pool: one for ID tokens and one for
// access tokens, as Cognito has.
type poolKeys struct {
	idKid, accessKid string
	id, access       *rsa.PrivateKey
	public           []token.PublicKey
	// idCreated is when the ID token key was made; the signing
	// certificate derives from it.
	idCreated time.Time
}

// keyCache holds decoded signing keys. Keys never change for the life of a
// pool, so entries are valid until the pool is deleted.
type keyCache struct {
	mu    sync.RWMutex
	pools map[string]*poolKeys // by pool ID
	kids  map[string]string    // kid -> pool ID
}

func newKeyCache() *keyCache {
	return &keyCache{pools: map[string]*poolKeys{}, kids: map[string]string{}}
}

func (c *keyCache) put(poolID string, k *poolKeys) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pools[poolID] = k
	c.kids[k.idKid] = poolID
	c.kids[k.accessKid] = poolID
}

func (c *keyCache) drop(poolID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k := c.pools[poolID]; k != nil {
		delete(c.kids, k.idKid)
		delete(c.kids, k.accessKid)
	}
	delete(c.pools, poolID)
}

// lookup returns the public key and pool of a kid, if cached.
func (c *keyCache) lookup(kid string) (*rsa.PublicKey, string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	poolID, ok := c.kids[kid]
	if !ok {
		return nil, "", false
	}
	k := c.pools[poolID]
	if kid == k.idKid {
		return &k.id.PublicKey, poolID, true
	}
	return &k.access.PublicKey, poolID, true
}

// NewPoolKeys generates the two signing keys of a new pool.
func (s *Service) NewPoolKeys(poolID string) ([]store.Key, error) {
	var out []store.Key
	for _, use := range []string{"id", "access"} {
		k, err := token.GenerateKey(s.Random)
		if err != nil {
			return nil, err
		}
		der, err := token.MarshalPrivateKey(k)
		if err != nil {
			return nil, err
		}
		out = append(out, store.Key{PoolID: poolID, Kid: token.KeyID(&k.PublicKey), Use: use, Private: der, Created: s.Now()})
	}
	return out, nil
}

// poolKeys returns the signing keys of a pool, loading them on first use.
func (s *Service) poolKeys(ctx context.Context, poolID string) (*poolKeys, error) {
	s.keys.mu.RLock()
	k := s.keys.pools[poolID]
	s.keys.mu.RUnlock()
	if k != nil {
		return k, nil
	}
	var recs []store.Key
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		recs, err = tx.ListKeys(poolID)
		return err
	})
	if err != nil {
		return nil, err
	}
	k = &poolKeys{}
	for _, r := range recs {
		priv, err := token.ParsePrivateKey(r.Private)
		if err != nil {
			return nil, err
		}
		switch r.Use {
		case "id":
			k.id, k.idKid, k.idCreated = priv, r.Kid, r.Created
		case "access":
			k.access, k.accessKid = priv, r.Kid
		}
		k.public = append(k.public, token.PublicKey{Kid: r.Kid, Key: &priv.PublicKey})
	}
	if k.id == nil || k.access == nil {
		return nil, core.PoolNotFound(poolID)
	}
	s.keys.put(poolID, k)
	return k, nil
}

// JWKS returns the JSON Web Key Set of a pool.
func (s *Service) JWKS(ctx context.Context, poolID string) ([]byte, error) {
	if err := s.poolExists(ctx, poolID); err != nil {
		return nil, err
	}
	k, err := s.poolKeys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	return token.JWKS(k.public)
}

// OpenIDConfiguration returns the discovery document of a pool. The
// OAuth endpoints are listed only when served, that is when the pool has
// a domain: they are then served under the issuer, at
// PublicURL/<pool>/oauth2/... . The fields are those of Cognito's
// document. Unconfirmed: that Cognito leaves the endpoints out for a pool
// without a domain.
func (s *Service) OpenIDConfiguration(ctx context.Context, poolID string, endpoints bool) ([]byte, error) {
	if err := s.poolExists(ctx, poolID); err != nil {
		return nil, err
	}
	iss := s.Issuer(poolID)
	doc := map[string]any{
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"issuer":                                iss,
		"jwks_uri":                              iss + "/.well-known/jwks.json",
		"response_types_supported":              []string{"code", "token"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"subject_types_supported":               []string{"public"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	}
	if endpoints {
		doc["authorization_endpoint"] = iss + "/oauth2/authorize"
		doc["end_session_endpoint"] = iss + "/logout"
		// Unconfirmed: that Cognito's document lists revocation_endpoint.
		doc["revocation_endpoint"] = iss + "/oauth2/revoke"
		doc["token_endpoint"] = iss + "/oauth2/token"
		doc["userinfo_endpoint"] = iss + "/oauth2/userInfo"
	}
	return json.Marshal(doc)
}

func (s *Service) poolExists(ctx context.Context, poolID string) error {
	return s.Store.View(ctx, func(tx store.Tx) error {
		_, err := s.LoadPool(tx, poolID)
		return err
	})
}

// keyLookup resolves a kid for token verification. An unknown kid may
// belong to a pool whose keys are not loaded yet: its pool is read from the
// token's unverified issuer only to find where to load keys from; the
// signature is still checked against the loaded key.
func (s *Service) keyLookup(ctx context.Context, raw string) token.KeyLookup {
	return func(kid string) (*rsa.PublicKey, bool) {
		if pub, _, ok := s.keys.lookup(kid); ok {
			return pub, true
		}
		poolID := s.unverifiedPool(raw)
		if poolID == "" {
			return nil, false
		}
		if _, err := s.poolKeys(ctx, poolID); err != nil {
			return nil, false
		}
		pub, _, ok := s.keys.lookup(kid)
		return pub, ok
	}
}

// unverifiedPool extracts the pool ID from a token's issuer claim without
// verifying anything; callers must verify the token afterwards.
func (s *Service) unverifiedPool(raw string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return ""
	}
	poolID, ok := strings.CutPrefix(c.Iss, s.PublicURL+"/")
	if !ok || strings.Contains(poolID, "/") {
		return ""
	}
	return poolID
}

func invalidAccessToken() error { return cognito.New(cognito.NotAuthorized, "Invalid Access Token") }
