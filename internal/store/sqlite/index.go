package sqlite

import (
	"database/sql/driver"

	"github.com/cognate-idp/cognate/internal/store"
)

// writeIndex brings the index entries of u to u.Index. With was (the
// entries the stored record has) it rewrites only the attributes whose
// value differs; without it, it replaces them all.
func (t *tx) writeIndex(u store.User, was []store.IndexEntry) error {
	if was == nil {
		if _, err := t.c.exec(sDeleteUserIndex, u.PoolID, u.Key); err != nil {
			return fail("index user", err)
		}
		for _, e := range u.Index {
			if _, err := t.c.exec(sInsertIndex, u.PoolID, e.Attr, e.Value, u.Key); err != nil {
				return fail("index user", err)
			}
		}
		return nil
	}
	return store.DiffIndex(was, u.Index, func(attr string) error {
		if _, err := t.c.exec(sDeleteUserIndexAttr, u.PoolID, u.Key, attr); err != nil {
			return fail("index user", err)
		}
		return nil
	}, func(e store.IndexEntry) error {
		if _, err := t.c.exec(sInsertIndex, u.PoolID, e.Attr, e.Value, u.Key); err != nil {
			return fail("index user", err)
		}
		return nil
	})
}

func (t *tx) FindUsers(q store.UserQuery) ([]store.Found, error) {
	c, err := t.conn()
	if err != nil {
		return nil, err
	}
	lowValue, lowKey, highValue := q.Range()
	var out []store.Found
	err = c.each(sFindUsers, 8, func(v []driver.Value) {
		out = append(out, store.Found{Value: str(v[0]), User: scanUser(v[1:])})
	}, q.PoolID, q.Attr, lowValue, lowKey, highValue, limitArg(q.Limit))
	if err != nil {
		return nil, fail("find users", err)
	}
	return out, nil
}
