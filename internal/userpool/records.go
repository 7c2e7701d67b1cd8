package userpool

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// poolDoc is the stored document of a pool: the configuration exactly as
// DescribeUserPool shows it, minus the computed fields.
type poolDoc struct {
	Config model.UserPoolType `json:"config"`
}

// pool is a decoded pool with its derived indexes. It is immutable once
// built and shared between requests through poolCache.
type pool struct {
	id       string
	modified time.Time
	cfg      *model.UserPoolType
	schema   map[string]*model.SchemaAttributeType // by wire name ("custom:x")
	// usernameAttrs and aliasAttrs are the pool's UsernameAttributes and
	// AliasAttributes as sets.
	usernameAttrs map[string]bool
	aliasAttrs    map[string]bool
	autoVerified  map[string]bool
	verifyBefore  map[string]bool
	caseSensitive bool
}

func decodePool(rec store.Pool) (*pool, error) {
	var doc poolDoc
	if err := json.Unmarshal(rec.Data, &doc); err != nil {
		return nil, fmt.Errorf("decode pool %s: %w", rec.ID, err)
	}
	return buildPool(rec.ID, rec.Modified, &doc.Config), nil
}

func buildPool(id string, modified time.Time, cfg *model.UserPoolType) *pool {
	p := &pool{
		id: id, modified: modified, cfg: cfg,
		schema:        map[string]*model.SchemaAttributeType{},
		usernameAttrs: setOf(cfg.UsernameAttributes),
		aliasAttrs:    setOf(cfg.AliasAttributes),
		autoVerified:  setOf(cfg.AutoVerifiedAttributes),
		verifyBefore:  map[string]bool{},
	}
	for i := range cfg.SchemaAttributes {
		a := &cfg.SchemaAttributes[i]
		p.schema[model.StringValue(a.Name)] = a
	}
	if u := cfg.UserAttributeUpdateSettings; u != nil {
		p.verifyBefore = setOf(u.AttributesRequireVerificationBeforeUpdate)
	}
	if uc := cfg.UsernameConfiguration; uc != nil {
		p.caseSensitive = model.BoolValue(uc.CaseSensitive)
	}
	return p
}

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// foldKey returns the lookup key of a username or alias value.
func (p *pool) foldKey(s string) string {
	if p.caseSensitive {
		return s
	}
	return strings.ToLower(s)
}

// aliasKey returns the alias record key for an attribute value. E-mail
// addresses are always compared without case.
func (p *pool) aliasKey(attr, value string) string {
	if attr == "email" {
		value = strings.ToLower(value)
	} else {
		value = p.foldKey(value)
	}
	return attr + ":" + value
}

// docCache keeps decoded pool and client documents by key with the
// Modified time they were decoded at. A request still asks the store for
// the current Modified time (one small read, correct across nodes), but
// re-reads and decodes the document only when it changed. Cached values
// are shared between requests and must not be modified.
type docCache[K comparable, T any] struct {
	mu sync.RWMutex
	m  map[K]docEntry[T]
}

type docEntry[T any] struct {
	modified time.Time
	v        T
}

func newDocCache[K comparable, T any]() *docCache[K, T] {
	return &docCache[K, T]{m: map[K]docEntry[T]{}}
}

// clientKey names a cached client.
type clientKey struct{ pool, id string }

// load returns the value for key: the cached one when modified reports the
// same time, else decode(fetch()).
func (c *docCache[K, T]) load(key K, modified func() (time.Time, error),
	fetch func() (time.Time, T, error)) (T, error) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		m, err := modified()
		if err != nil {
			var zero T
			return zero, err
		}
		if m.Equal(e.modified) {
			return e.v, nil
		}
	}
	m, v, err := fetch()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	c.m[key] = docEntry[T]{modified: m, v: v}
	c.mu.Unlock()
	return v, nil
}

func (c *docCache[K, T]) drop(key K) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// loadPool reads a pool inside tx.
func (s *Service) loadPool(tx store.Tx, id string) (*pool, error) {
	p, err := s.pools.load(id,
		func() (time.Time, error) { return tx.PoolModified(id) },
		func() (time.Time, *pool, error) {
			rec, err := tx.GetPool(id)
			if err != nil {
				return time.Time{}, nil, err
			}
			p, err := decodePool(rec)
			return rec.Modified, p, err
		})
	if errors.Is(err, store.ErrNotFound) {
		return nil, poolNotFound(id)
	}
	return p, err
}

func poolNotFound(id string) error {
	return cognito.Errorf(cognito.ResourceNotFound, "User pool %s does not exist.", id)
}

func clientNotFound(id string) error {
	return cognito.Errorf(cognito.ResourceNotFound, "User pool client %s does not exist.", id)
}

func userNotFound() error { return cognito.New(cognito.UserNotFound, "User does not exist.") }

// client is a decoded app client.
type client struct {
	cfg model.UserPoolClientType
}

func (s *Service) loadClient(tx store.Tx, poolID, id string) (*client, error) {
	c, err := s.clients.load(clientKey{poolID, id},
		func() (time.Time, error) { return tx.ClientModified(poolID, id) },
		func() (time.Time, *client, error) {
			rec, err := tx.GetClient(poolID, id)
			if err != nil {
				return time.Time{}, nil, err
			}
			c := &client{}
			if err := json.Unmarshal(rec.Data, &c.cfg); err != nil {
				return time.Time{}, nil, fmt.Errorf("decode client %s: %w", id, err)
			}
			return rec.Modified, c, nil
		})
	if errors.Is(err, store.ErrNotFound) {
		return nil, clientNotFound(id)
	}
	return c, err
}

// findClient looks a client up by ID alone (unsigned operations carry only
// the ClientId).
func (s *Service) findClient(tx store.Tx, clientID string) (*pool, *client, error) {
	rec, err := tx.GetClientByID(clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, clientNotFound(clientID)
	}
	if err != nil {
		return nil, nil, err
	}
	p, err := s.loadPool(tx, rec.PoolID)
	if err != nil {
		return nil, nil, err
	}
	c := &client{}
	if err := json.Unmarshal(rec.Data, &c.cfg); err != nil {
		return nil, nil, fmt.Errorf("decode client %s: %w", clientID, err)
	}
	return p, c, nil
}

// codeDoc is a pending verification code. Only an HMAC of the code is kept.
type codeDoc struct {
	MAC     []byte    `json:"mac"`
	Expires time.Time `json:"exp"`
	Tries   int       `json:"tries,omitempty"`
	Value   string    `json:"value,omitempty"` // the value the code was sent to
}

// userDoc is the stored document of a user.
type userDoc struct {
	Attributes map[string]string `json:"attrs"`
	Status     string            `json:"status"`
	Enabled    bool              `json:"enabled"`
	// PasswordHash is an argon2id hash (see password.go).
	PasswordHash string `json:"pw,omitempty"`
	// SRPSalt and SRPVerifier (sealed) serve USER_SRP_AUTH.
	SRPSalt     []byte `json:"srp_salt,omitempty"`
	SRPVerifier string `json:"srp_v,omitempty"`
	// TempPasswordExpires bounds a FORCE_CHANGE_PASSWORD temporary password.
	TempPasswordExpires time.Time `json:"tmp_exp,omitzero"`
	// Pending holds values of attributes waiting for verification before
	// they replace the current value (AttributesRequireVerificationBeforeUpdate).
	Pending map[string]string `json:"pending,omitempty"`
	// Codes are live codes by purpose: an attribute name, "signup" or "forgot".
	Codes map[string]*codeDoc `json:"codes,omitempty"`
	// Sends records recent message send times by purpose, for throttling.
	Sends map[string][]time.Time `json:"sends,omitempty"`
	// RevokedBefore revokes every token issued at or before it (Unix s).
	RevokedBefore int64 `json:"revoked_before,omitempty"`
	// RevokedOrigins maps revoked origin_jti values to when the record may
	// be dropped (after the longest access-token life).
	RevokedOrigins map[string]int64 `json:"revoked_origins,omitempty"`
	// FailedSignIns counts consecutive wrong passwords; LockedUntil refuses
	// password attempts until then (lockout.go).
	FailedSignIns int       `json:"failed,omitempty"`
	LockedUntil   time.Time `json:"locked_until,omitzero"`
}

// user is a user record with its decoded document.
type user struct {
	rec store.User
	doc *userDoc
}

func decodeUser(rec store.User) (*user, error) {
	doc := &userDoc{}
	if err := decodeUserDoc(rec.Data, doc); err != nil {
		return nil, fmt.Errorf("decode user %s: %w", rec.Key, err)
	}
	if doc.Attributes == nil {
		doc.Attributes = map[string]string{}
	}
	return &user{rec: rec, doc: doc}, nil
}

func (u *user) encode() (store.User, error) {
	rec := u.rec
	rec.Data = encodeUserDoc(u.doc)
	return rec, nil
}

// attributeList returns the user's attributes as the API lists them: sub
// first, then by name, filtered by keep when it is not nil.
func (u *user) attributeList(keep func(name string) bool) []model.AttributeType {
	names := make([]string, 0, len(u.doc.Attributes))
	for n := range u.doc.Attributes {
		if n != "sub" && (keep == nil || keep(n)) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if _, ok := u.doc.Attributes["sub"]; ok && (keep == nil || keep("sub")) {
		names = slices.Insert(names, 0, "sub")
	}
	// One array holds every name and value the pointers point at.
	strs := make([]string, 2*len(names))
	out := make([]model.AttributeType, len(names))
	for i, n := range names {
		strs[2*i], strs[2*i+1] = n, u.doc.Attributes[n]
		out[i] = model.AttributeType{Name: &strs[2*i], Value: &strs[2*i+1]}
	}
	return out
}

// getUser reads a user by internal username or sub.
func (s *Service) getUser(tx store.Tx, p *pool, username string) (*user, error) {
	rec, err := tx.GetUser(p.id, p.foldKey(username))
	if errors.Is(err, store.ErrNotFound) {
		return nil, userNotFound()
	}
	if err != nil {
		return nil, err
	}
	return decodeUser(rec)
}

// resolveUser finds the user an admin or sign-in request names: the
// username, then an active alias (email, phone number, preferred username)
// or, in pools that sign in with email or phone, that attribute; then sub.
func (s *Service) resolveUser(tx store.Tx, p *pool, name string) (*user, error) {
	u, err := s.getUser(tx, p, name)
	if err == nil || !cognito.IsCode(err, cognito.UserNotFound) {
		return u, err
	}
	for _, attr := range []string{"email", "phone_number", "preferred_username"} {
		if !p.aliasAttrs[attr] && !p.usernameAttrs[attr] {
			continue
		}
		key, err := tx.GetAlias(p.id, p.aliasKey(attr, name))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rec, err := tx.GetUser(p.id, key)
		if err != nil {
			return nil, err
		}
		return decodeUser(rec)
	}
	rec, err := tx.GetUserBySub(p.id, name)
	if err == nil {
		return decodeUser(rec)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, userNotFound()
	}
	return nil, err
}
