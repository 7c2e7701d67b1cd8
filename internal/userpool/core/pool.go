package core

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// AliasesOf returns the alias keys a user holds with its current
// attributes: sign-in attributes of UsernameAttributes pools always, alias
// attributes while verified (preferred_username whenever set).
func (p *Pool) AliasesOf(u *User) map[string]string {
	out := map[string]string{}
	for _, attr := range []string{"email", "phone_number", "preferred_username"} {
		v, ok := u.Doc.Attributes[attr]
		if !ok || v == "" {
			continue
		}
		switch {
		case p.UsernameAttrs[attr]:
		case p.AliasAttrs[attr] && (attr == "preferred_username" || u.Doc.Attributes[attr+"_verified"] == "true"):
		default:
			continue
		}
		out[p.AliasKey(attr, v)] = attr
	}
	return out
}

// Page tokens are opaque to clients; they carry the last key returned.
func EncodePageToken(key string) *string {
	return model.String(base64.RawURLEncoding.EncodeToString([]byte(key)))
}

func DecodePageToken(tok *string) (string, error) {
	if tok == nil || *tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil {
		return "", cognito.New(cognito.InvalidParameter, "Invalid pagination token.")
	}
	return string(b), nil
}

// PoolDoc is the stored document of a pool: the configuration exactly as
// DescribeUserPool shows it, minus the computed fields.
type PoolDoc struct {
	Config model.UserPoolType `json:"config"`
	// MFA holds what SetUserPoolMfaConfig set beyond Config; nil for a
	// pool it never configured.
	MFA *PoolMFA `json:"mfa,omitempty"`
}

// PoolMFA is the part of a pool's MFA configuration that UserPoolType
// does not show: which factors SetUserPoolMfaConfig turned on, with their
// settings. The SMS message and SmsConfiguration stay in Config, where
// DescribeUserPool shows them.
type PoolMFA struct {
	SMS           bool                             `json:"sms,omitempty"`
	SoftwareToken bool                             `json:"totp,omitempty"`
	Email         *model.EmailMfaConfigType        `json:"email,omitempty"`
	WebAuthn      *model.WebAuthnConfigurationType `json:"webauthn,omitempty"`
}

// Pool is a decoded pool with its derived indexes. It is immutable once
// built and shared between requests through poolCache.
type Pool struct {
	Id       string
	modified time.Time
	Cfg      *model.UserPoolType
	Schema   map[string]*model.SchemaAttributeType // by wire name ("custom:x")
	// usernameAttrs and aliasAttrs are the pool's UsernameAttributes and
	// AliasAttributes as sets.
	UsernameAttrs map[string]bool
	AliasAttrs    map[string]bool
	AutoVerified  map[string]bool
	VerifyBefore  map[string]bool
	caseSensitive bool
	// MFA is the stored MFA factor configuration; nil if never set.
	MFA *PoolMFA
}

func DecodePool(rec store.Pool) (*Pool, error) {
	var doc PoolDoc
	if err := json.Unmarshal(rec.Data, &doc); err != nil {
		return nil, fmt.Errorf("decode pool %s: %w", rec.ID, err)
	}
	p := BuildPool(rec.ID, rec.Modified, &doc.Config)
	p.MFA = doc.MFA
	return p, nil
}

func BuildPool(id string, modified time.Time, cfg *model.UserPoolType) *Pool {
	p := &Pool{
		Id: id, modified: modified, Cfg: cfg,
		Schema:        map[string]*model.SchemaAttributeType{},
		UsernameAttrs: setOf(cfg.UsernameAttributes),
		AliasAttrs:    setOf(cfg.AliasAttributes),
		AutoVerified:  setOf(cfg.AutoVerifiedAttributes),
		VerifyBefore:  map[string]bool{},
	}
	for i := range cfg.SchemaAttributes {
		a := &cfg.SchemaAttributes[i]
		p.Schema[model.StringValue(a.Name)] = a
	}
	if u := cfg.UserAttributeUpdateSettings; u != nil {
		p.VerifyBefore = setOf(u.AttributesRequireVerificationBeforeUpdate)
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

// FoldKey returns the lookup key of a username or alias value.
func (p *Pool) FoldKey(s string) string {
	if p.caseSensitive {
		return s
	}
	return strings.ToLower(s)
}

// AliasKey returns the alias record key for an attribute value. E-mail
// addresses are always compared without case.
func (p *Pool) AliasKey(attr, value string) string {
	if attr == "email" {
		value = strings.ToLower(value)
	} else {
		value = p.FoldKey(value)
	}
	return attr + ":" + value
}

// LoadPool reads a pool inside tx.
func (s *Env) LoadPool(tx store.Tx, id string) (*Pool, error) {
	p, err := s.pools.load(id,
		func() (time.Time, error) { return tx.PoolModified(id) },
		func() (time.Time, *Pool, error) {
			rec, err := tx.GetPool(id)
			if err != nil {
				return time.Time{}, nil, err
			}
			p, err := DecodePool(rec)
			return rec.Modified, p, err
		})
	if errors.Is(err, store.ErrNotFound) {
		return nil, PoolNotFound(id)
	}
	return p, err
}

func PoolNotFound(id string) error {
	return cognito.Errorf(cognito.ResourceNotFound, "User pool %s does not exist.", id)
}

func (s *Env) LoadClient(tx store.Tx, poolID, id string) (*Client, error) {
	c, err := s.clients.load(clientKey{poolID, id},
		func() (time.Time, error) { return tx.ClientModified(poolID, id) },
		func() (time.Time, *Client, error) {
			rec, err := tx.GetClient(poolID, id)
			if err != nil {
				return time.Time{}, nil, err
			}
			c, err := DecodeClient(rec.Data)
			if err != nil {
				return time.Time{}, nil, fmt.Errorf("decode client %s: %w", id, err)
			}
			return rec.Modified, c, nil
		})
	if errors.Is(err, store.ErrNotFound) {
		return nil, clientNotFound(id)
	}
	return c, err
}

// FindClient looks a client up by ID alone (unsigned operations carry only
// the ClientId).
func (s *Env) FindClient(tx store.Tx, clientID string) (*Pool, *Client, error) {
	rec, err := tx.GetClientByID(clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, clientNotFound(clientID)
	}
	if err != nil {
		return nil, nil, err
	}
	p, err := s.LoadPool(tx, rec.PoolID)
	if err != nil {
		return nil, nil, err
	}
	c, err := DecodeClient(rec.Data)
	if err != nil {
		return nil, nil, fmt.Errorf("decode client %s: %w", clientID, err)
	}
	return p, c, nil
}

// GetUser reads a user by internal username or sub.
func (s *Env) GetUser(tx store.Tx, p *Pool, username string) (*User, error) {
	rec, err := tx.GetUser(p.Id, p.FoldKey(username))
	if errors.Is(err, store.ErrNotFound) {
		return nil, UserNotFound()
	}
	if err != nil {
		return nil, err
	}
	return DecodeUser(rec)
}

// ResolveUser finds the user an admin or sign-in request names: the
// username, then an active alias (email, phone number, preferred username)
// or, in pools that sign in with email or phone, that attribute; then sub.
func (s *Env) ResolveUser(tx store.Tx, p *Pool, name string) (*User, error) {
	u, err := s.GetUser(tx, p, name)
	if err == nil || !cognito.IsCode(err, cognito.UserNotFound) {
		return u, err
	}
	for _, attr := range []string{"email", "phone_number", "preferred_username"} {
		if !p.AliasAttrs[attr] && !p.UsernameAttrs[attr] {
			continue
		}
		key, err := tx.GetAlias(p.Id, p.AliasKey(attr, name))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rec, err := tx.GetUser(p.Id, key)
		if err != nil {
			return nil, err
		}
		return DecodeUser(rec)
	}
	rec, err := tx.GetUserBySub(p.Id, name)
	if err == nil {
		return DecodeUser(rec)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, UserNotFound()
	}
	return nil, err
}
