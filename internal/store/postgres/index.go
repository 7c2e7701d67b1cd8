package postgres

import (
	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

const (
	insertIndex = "INSERT INTO user_index (pool_id, attr, value, user_key) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
	dropIndex   = "DELETE FROM user_index WHERE pool_id = $1 AND user_key = $2 AND attr = $3"
)

// writeIndex brings the index entries of u to u.Index in one round trip.
// With was (the entries the stored record has) it rewrites only the
// attributes whose value differs; without it, it replaces them all. A
// created user (created) has no entries yet.
func (t *tx) writeIndex(u store.User, was []store.IndexEntry, created bool) error {
	b := &pgx.Batch{}
	if was == nil {
		if !created {
			b.Queue("DELETE FROM user_index WHERE pool_id = $1 AND user_key = $2", u.PoolID, u.Key)
		}
		for _, e := range u.Index {
			b.Queue(insertIndex, u.PoolID, e.Attr, e.Value, u.Key)
		}
	} else {
		_ = store.DiffIndex(was, u.Index, func(c store.IndexChange) error {
			b.Queue(dropIndex, u.PoolID, u.Key, c.Attr)
			if c.Has {
				b.Queue(insertIndex, u.PoolID, c.Attr, c.New, u.Key)
			}
			return nil
		})
	}
	if b.Len() == 0 {
		return nil
	}
	if err := t.write(); err != nil {
		return err
	}
	if err := t.begin(); err != nil {
		return fail("index user", err)
	}
	if err := t.q.SendBatch(t.ctx, b).Close(); err != nil {
		return fail("index user", err)
	}
	return nil
}

func (t *tx) FindUsers(q store.UserQuery) ([]store.Found, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	lowValue, lowKey, highValue := q.Range()
	rows, err := t.query("SELECT i.value, u.pool_id, u.key, u.username, u.sub, u.created, u.modified, u.data FROM user_index i "+
		"JOIN users u ON u.pool_id = i.pool_id AND u.key = i.user_key "+
		"WHERE i.pool_id = $1 AND i.attr = $2 AND (i.value, i.user_key) > ($3, $4) AND i.value <= $5 "+
		"ORDER BY i.value, i.user_key LIMIT $6",
		q.PoolID, q.Attr, lowValue, lowKey, highValue, limitArg(q.Limit))
	if err != nil {
		return nil, fail("find users", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Found, error) {
		var f store.Found
		u := &f.User
		err := r.Scan(&f.Value, &u.PoolID, &u.Key, &u.Username, &u.Sub, &u.Created, &u.Modified, &u.Data)
		u.Created, u.Modified = utc(u.Created), utc(u.Modified)
		return f, err
	})
	if err != nil {
		return nil, fail("find users", err)
	}
	return out, nil
}
