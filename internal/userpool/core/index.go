package core

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/store"
)

// Searchable lists the attributes a ListUsers filter can name, in the
// order of a user's index entries. Cognito documents exactly these;
// custom attributes are not searchable.
var Searchable = []string{"username", "email", "phone_number", "name", "given_name", "family_name",
	"preferred_username", "cognito:user_status", "status", "sub"}

// IsSearchable reports whether a ListUsers filter may name attr.
func IsSearchable(attr string) bool { return slices.Contains(Searchable, attr) }

// IndexValue returns the value a filter on attr compares for the user
// and whether it has one. cognito:user_status compares without case (the
// one filter Cognito documents as case-insensitive), so its value is kept
// in upper case and filters on it are folded the same way (FoldFilter).
func IndexValue(rec *store.User, doc *UserDoc, attr string) (string, bool) {
	switch attr {
	case "username":
		return rec.Username, true
	case "sub":
		return rec.Sub, rec.Sub != ""
	case "cognito:user_status":
		return strings.ToUpper(doc.Status), doc.Status != ""
	case "status":
		if doc.Enabled {
			return "Enabled", true
		}
		return "Disabled", true
	}
	v := doc.Attributes[attr]
	return v, v != ""
}

// FoldFilter returns the value a filter on attr looks up in the index.
func FoldFilter(attr, value string) string {
	if attr == "cognito:user_status" {
		return strings.ToUpper(value)
	}
	return value
}

// IndexEntries returns the user's index entries: one per searchable
// attribute it has a value for.
func (u *User) IndexEntries() []store.IndexEntry {
	out := make([]store.IndexEntry, 0, len(Searchable))
	for _, a := range Searchable {
		if v, ok := IndexValue(&u.Rec, u.Doc, a); ok {
			out = append(out, store.IndexEntry{Attr: a, Value: v})
		}
	}
	return out
}

// userIndexSetting marks a database whose users all have index entries.
const userIndexSetting = "user_index_v1"

// EnsureUserIndex gives index entries to users written before the store
// kept them (a database from an earlier version), once: it rewrites every
// user's entries, a batch per transaction, then marks the database done.
func (s *Env) EnsureUserIndex(ctx context.Context) error {
	var done bool
	err := s.Store.View(ctx, func(tx store.Tx) error {
		v, err := tx.GetSetting(userIndexSetting)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		done = err == nil && string(v) == "1"
		return err
	})
	if err != nil || done {
		return err
	}
	var pools []string
	after := ""
	for {
		var page []store.Pool
		err := s.Store.View(ctx, func(tx store.Tx) (err error) { page, err = tx.ListPools(after, 1000); return err })
		if err != nil {
			return err
		}
		for _, p := range page {
			pools = append(pools, p.ID)
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(pools) > 0 {
		s.Log.Info("indexing users for ListUsers filters, once after an upgrade", "pools", len(pools))
	}
	for _, poolID := range pools {
		key := ""
		for {
			next, n := key, 0
			err := s.Store.Update(ctx, func(tx store.Tx) error {
				recs, err := tx.ListUsers(poolID, key, 500)
				if err != nil {
					return err
				}
				next, n = key, len(recs)
				for _, rec := range recs {
					u, err := DecodeUser(rec)
					if err != nil {
						return err
					}
					// Without the stored document Encode gives no IndexWas,
					// so PutUser replaces whatever entries there are.
					u.Rec.Data = nil
					out, err := u.Encode()
					if err != nil {
						return err
					}
					if err := tx.PutUser(out); err != nil {
						return err
					}
					next = rec.Key
				}
				return nil
			})
			if err != nil {
				return err
			}
			if key = next; n < 500 {
				break
			}
		}
	}
	s.Log.Info("user index built", "pools", len(pools))
	return s.Store.Update(ctx, MarkUserIndexBuilt)
}

// MarkUserIndexBuilt records that every user of the database has index
// entries, for tools that write users straight into a new store.
func MarkUserIndexBuilt(tx store.Tx) error { return tx.PutSetting(userIndexSetting, []byte("1")) }
