package core

import (
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// Reload reads the current record of the user snapshot u inside tx; a user
// deleted (or deleted and re-created) since is UserNotFoundException.
func (s *Env) Reload(tx store.Tx, p *Pool, u *User) (*User, error) {
	rec, err := tx.GetUser(p.Id, u.Rec.Key)
	if err != nil {
		return nil, MapStoreErr(err, UserNotFound())
	}
	if rec.Sub != u.Rec.Sub {
		return nil, UserNotFound()
	}
	return DecodeUser(rec)
}

// PutUser stamps and writes a user inside tx.
func (s *Env) PutUser(tx store.Tx, u *User) error {
	u.Rec.Modified = s.Now().UTC()
	return SaveUser(tx, u)
}

// CanRead applies the app client's ReadAttributes for GetUser and ID tokens.
func CanRead(p *Pool, c *Client, name string) bool {
	if name == "sub" {
		return true
	}
	if a := p.Schema[name]; a != nil && model.BoolValue(a.DeveloperOnlyAttribute) {
		return c == nil
	}
	if c != nil && c.Cfg.ReadAttributes != nil {
		return slices.Contains(c.Cfg.ReadAttributes, name)
	}
	return true
}

// SchemaName maps a wire attribute name to its schema name ("dev:custom:x"
// is the developer-only spelling of "custom:x").
func SchemaName(name string) string { return strings.TrimPrefix(name, "dev:") }

// AttrChange is one attribute write; an empty value deletes.
type AttrChange struct{ Name, Value string }
