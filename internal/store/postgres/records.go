package postgres

import (
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

// Users.

const userCols = "pool_id, key, username, sub, created, modified, data"

func scanUser(r pgx.Row) (store.User, error) {
	var u store.User
	err := r.Scan(&u.PoolID, &u.Key, &u.Username, &u.Sub, &u.Created, &u.Modified, &u.Data)
	u.Created, u.Modified = utc(u.Created), utc(u.Modified)
	return u, err
}

// getUser reads one user; inside Update it locks the row until commit, so
// that a concurrent read-modify-write of the same user waits its turn.
func (t *tx) getUser(op, where string, args ...any) (store.User, error) {
	if err := t.read(); err != nil {
		return store.User{}, err
	}
	u, err := scanUser(t.queryRow("SELECT "+userCols+" FROM users WHERE "+where+t.lock, args...))
	if err != nil {
		return store.User{}, fail(op, err)
	}
	return u, nil
}

func (t *tx) GetUser(poolID, key string) (store.User, error) {
	return t.getUser("get user", "pool_id = $1 AND key = $2", poolID, key)
}

func (t *tx) GetUserBySub(poolID, sub string) (store.User, error) {
	return t.getUser("get user by sub", "pool_id = $1 AND sub = $2", poolID, sub)
}

func (t *tx) ListUsers(poolID, afterKey string, limit int) ([]store.User, error) {
	return collect(t, "list users", scanUser, "SELECT "+userCols+" FROM users WHERE pool_id = $1 AND key > $2 ORDER BY key LIMIT $3",
		poolID, afterKey, limitArg(limit))
}

func (t *tx) CountUsers(poolID string) (int64, error) {
	if err := t.read(); err != nil {
		return 0, err
	}
	var n int64
	if err := t.queryRow("SELECT count(*) FROM users WHERE pool_id = $1", poolID).Scan(&n); err != nil {
		return 0, fail("count users", err)
	}
	return n, nil
}

func (t *tx) CreateUser(u store.User) error {
	err := t.insert("create user", "INSERT INTO users ("+userCols+") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
		u.PoolID, u.Key, u.Username, u.Sub, u.Created, u.Modified, u.Data)
	if err != nil {
		return err
	}
	return t.writeIndex(u, nil, true)
}

func (t *tx) PutUser(u store.User) error {
	if err := t.putUserRow(u); err != nil {
		return err
	}
	return t.writeIndex(u, u.IndexWas, false)
}

func (t *tx) putUserRow(u store.User) error {
	// The sub almost never changes: the update that keeps it cannot break
	// a uniqueness rule.
	n, err := t.exec("put user", "UPDATE users SET username = $1, created = $2, modified = $3, data = $4 "+
		"WHERE pool_id = $5 AND key = $6 AND sub = $7", u.Username, u.Created, u.Modified, u.Data, u.PoolID, u.Key, u.Sub)
	if err != nil || n == 1 {
		return err
	}
	// A new sub may be taken: run the update in a savepoint so that the
	// unique violation does not abort the caller's transaction.
	if err := t.begin(); err != nil {
		return fail("put user", err)
	}
	sp, err := t.q.Begin(t.ctx)
	if err != nil {
		return fail("put user", err)
	}
	tag, err := sp.Exec(t.ctx, "UPDATE users SET username = $1, sub = $2, created = $3, modified = $4, data = $5 "+
		"WHERE pool_id = $6 AND key = $7", u.Username, u.Sub, u.Created, u.Modified, u.Data, u.PoolID, u.Key)
	if err != nil {
		if rerr := sp.Rollback(t.ctx); rerr != nil {
			return fail("put user", rerr)
		}
		return fail("put user", err)
	}
	if err := sp.Commit(t.ctx); err != nil {
		return fail("put user", err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) DeleteUser(poolID, key string) error {
	if err := t.change("delete user", "DELETE FROM users WHERE pool_id = $1 AND key = $2", poolID, key); err != nil {
		return err
	}
	return t.batch("delete user", []string{
		"DELETE FROM aliases WHERE pool_id = $1 AND user_key = $2",
		"DELETE FROM refresh_tokens WHERE pool_id = $1 AND user_key = $2",
		"DELETE FROM group_members WHERE pool_id = $1 AND user_key = $2",
		"DELETE FROM user_index WHERE pool_id = $1 AND user_key = $2",
	}, poolID, key)
}

// Refresh tokens.

const tokenCols = "id, pool_id, client_id, user_key, created, expires, revoked, data"

// GetRefreshToken locks the token inside Update, so that of concurrent
// uses of one token exactly one sees it unrevoked.
func (t *tx) GetRefreshToken(id string) (store.RefreshToken, error) {
	if err := t.read(); err != nil {
		return store.RefreshToken{}, err
	}
	var r store.RefreshToken
	err := t.queryRow("SELECT "+tokenCols+" FROM refresh_tokens WHERE id = $1"+t.lock, id).
		Scan(&r.ID, &r.PoolID, &r.ClientID, &r.UserKey, &r.Created, &r.Expires, &r.Revoked, &r.Data)
	if err != nil {
		return store.RefreshToken{}, fail("get refresh token", err)
	}
	r.Created, r.Expires = utc(r.Created), utc(r.Expires)
	return r, nil
}

func (t *tx) CreateRefreshToken(r store.RefreshToken) error {
	return t.insert("create refresh token", "INSERT INTO refresh_tokens ("+tokenCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "+
		"ON CONFLICT DO NOTHING", r.ID, r.PoolID, r.ClientID, r.UserKey, r.Created, r.Expires, r.Revoked, r.Data)
}

func (t *tx) PutRefreshToken(r store.RefreshToken) error {
	return t.change("put refresh token", "UPDATE refresh_tokens SET pool_id = $1, client_id = $2, user_key = $3, "+
		"created = $4, expires = $5, revoked = $6, data = $7 WHERE id = $8",
		r.PoolID, r.ClientID, r.UserKey, r.Created, r.Expires, r.Revoked, r.Data, r.ID)
}

// Messages.

const messageCols = "id, pool_id, username, attribute_name, delivery_medium, destination, subject, body, code, " +
	"created, state, attempts, last_error"

func scanMessage(r pgx.Row) (store.Message, error) {
	var m store.Message
	err := r.Scan(&m.ID, &m.PoolID, &m.Username, &m.AttributeName, &m.DeliveryMedium, &m.Destination,
		&m.Subject, &m.Body, &m.Code, &m.Created, &m.State, &m.Attempts, &m.LastError)
	m.Created = utc(m.Created)
	return m, err
}

func (t *tx) CreateMessage(m store.Message) error {
	return t.insert("create message", "INSERT INTO messages ("+messageCols+") "+
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
		m.ID, m.PoolID, m.Username, m.AttributeName, m.DeliveryMedium, m.Destination, m.Subject, m.Body, m.Code,
		m.Created, m.State, m.Attempts, m.LastError)
}

func (t *tx) PutMessage(m store.Message) error {
	return t.change("put message", "UPDATE messages SET pool_id = $1, username = $2, attribute_name = $3, "+
		"delivery_medium = $4, destination = $5, subject = $6, body = $7, code = $8, created = $9, state = $10, "+
		"attempts = $11, last_error = $12 WHERE id = $13",
		m.PoolID, m.Username, m.AttributeName, m.DeliveryMedium, m.Destination, m.Subject, m.Body, m.Code,
		m.Created, m.State, m.Attempts, m.LastError, m.ID)
}

func (t *tx) GetMessage(id string) (store.Message, error) {
	if err := t.read(); err != nil {
		return store.Message{}, err
	}
	m, err := scanMessage(t.queryRow("SELECT "+messageCols+" FROM messages WHERE id = $1", id))
	if err != nil {
		return store.Message{}, fail("get message", err)
	}
	return m, nil
}

func (t *tx) ListMessages(f store.MessageFilter) ([]store.Message, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	var q strings.Builder
	q.WriteString("SELECT " + messageCols + " FROM messages WHERE true")
	args := make([]any, 0, 4)
	for _, c := range []struct{ col, val string }{
		{"pool_id", f.PoolID}, {"username", f.Username}, {"attribute_name", f.AttributeName},
	} {
		if c.val != "" {
			args = append(args, c.val)
			q.WriteString(" AND " + c.col + " = $" + strconv.Itoa(len(args)))
		}
	}
	args = append(args, limitArg(f.Limit))
	q.WriteString(" ORDER BY created DESC, seq DESC LIMIT $" + strconv.Itoa(len(args)))
	rows, err := t.query(q.String(), args...)
	if err != nil {
		return nil, fail("list messages", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Message, error) { return scanMessage(r) })
	if err != nil {
		return nil, fail("list messages", err)
	}
	return out, nil
}
