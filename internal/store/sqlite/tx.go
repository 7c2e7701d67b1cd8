package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// errTxDone is returned by a Tx used after its function returned.
var errTxDone = errors.New("sqlite: transaction used after its function returned")

// tx implements store.Tx on one connection inside an open transaction. Its
// methods are documented on store.Tx. A View's tx takes a read connection
// and opens its snapshot only at its first SQL read: a View served from the
// record cache alone needs neither.
type tx struct {
	s        *Store
	c        *conn // nil in a View until its first SQL read
	ctx      context.Context
	writable bool
	done     bool
	// seq is the cache's batch count before the snapshot began (View) or
	// during the open batch (writer); records read with SQL fill the cache
	// only if it is unchanged.
	seq     uint64
	batch   *batchState // the writer's open batch; nil in a View
	changes []change    // writes of this function to cached kinds of record
}

var _ store.Tx = (*tx)(nil)

// read checks that the transaction may still be used.
func (t *tx) read() error {
	if t.done {
		return errTxDone
	}
	return nil
}

// conn checks that the transaction may still be used and returns its
// connection, opening a View's snapshot on first use.
func (t *tx) conn() (*conn, error) {
	if t.done {
		return nil, errTxDone
	}
	if t.c != nil {
		return t.c, nil
	}
	c, err := t.s.takeReader(t.ctx)
	if err != nil {
		return nil, err
	}
	t.seq = t.s.cache.currentSeq()
	if err := t.s.snapshot(c); err != nil {
		t.s.readers <- c
		return nil, fmt.Errorf("sqlite: begin read: %w", err)
	}
	t.c = c
	return c, nil
}

// write checks that the transaction may still be used for writes.
func (t *tx) write() error {
	if t.done {
		return errTxDone
	}
	if !t.writable {
		return store.ErrReadOnly
	}
	return nil
}

// record notes a committed-with-the-batch change to a cached record.
func (t *tx) record(ch change) {
	if t.s.cache.enabled() {
		t.changes = append(t.changes, ch)
	}
}

// fail wraps an unexpected database error with the operation's name.
func fail(op string, err error) error {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return err
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// insert runs an INSERT, mapping a uniqueness violation to ErrConflict.
func (t *tx) insert(op string, id stmtID, args ...any) error {
	if err := t.write(); err != nil {
		return err
	}
	if _, err := t.c.exec(id, args...); err != nil {
		if isConstraint(err) {
			return store.ErrConflict
		}
		return fail(op, err)
	}
	return nil
}

// change runs an UPDATE or DELETE of one record: ErrNotFound if no row
// matched, ErrConflict on a uniqueness violation.
func (t *tx) change(op string, id stmtID, args ...any) error {
	if err := t.write(); err != nil {
		return err
	}
	n, err := t.c.exec(id, args...)
	if err != nil {
		if isConstraint(err) {
			return store.ErrConflict
		}
		return fail(op, err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// limitArg turns a page size into SQLite's LIMIT, where -1 means none.
func limitArg(limit int) int64 {
	if limit <= 0 {
		return -1
	}
	return int64(limit)
}

// Pools.

func scanPool(v []driver.Value) store.Pool {
	return store.Pool{ID: str(v[0]), Name: str(v[1]), Created: tm(v[2]), Modified: tm(v[3]), Data: blob(v[4])}
}

// The cached kinds of record (pools, clients, users) are read from the
// record cache first; see recordCache for why that is exact. In the writer,
// records the open batch has written are read with SQL only.

func (t *tx) GetPool(id string) (store.Pool, error) {
	if err := t.read(); err != nil {
		return store.Pool{}, err
	}
	cacheable := t.s.cache.enabled() && (t.batch == nil || !t.batch.poolTouched(id))
	if cacheable {
		if p, ok := t.s.cache.pool(id); ok {
			return p, nil
		}
	}
	c, err := t.conn()
	if err != nil {
		return store.Pool{}, err
	}
	v, err := c.one(sGetPool, 5, id)
	if err != nil {
		return store.Pool{}, fail("get pool", err)
	}
	p := scanPool(v)
	if cacheable {
		t.s.cache.fillPool(t.seq, p)
	}
	return p, nil
}

func (t *tx) PoolModified(id string) (time.Time, error) {
	p, err := t.GetPool(id)
	if err != nil {
		return time.Time{}, err
	}
	return p.Modified, nil
}

func (t *tx) ListPools(afterID string, limit int) ([]store.Pool, error) {
	c, err := t.conn()
	if err != nil {
		return nil, err
	}
	var out []store.Pool
	err = c.each(sListPools, 5, func(v []driver.Value) { out = append(out, scanPool(v)) }, afterID, limitArg(limit))
	if err != nil {
		return nil, fail("list pools", err)
	}
	return out, nil
}

func (t *tx) CreatePool(p store.Pool) error {
	t.touchPool(p.ID)
	err := t.insert("create pool", sInsertPool, p.ID, p.Name, toMicros(p.Created), toMicros(p.Modified), p.Data)
	if err == nil {
		t.record(change{op: setPool, pool: storedPool(p)})
	}
	return err
}

func (t *tx) PutPool(p store.Pool) error {
	t.touchPool(p.ID)
	err := t.change("put pool", sUpdatePool, p.Name, toMicros(p.Created), toMicros(p.Modified), p.Data, p.ID)
	if err == nil {
		t.record(change{op: setPool, pool: storedPool(p)})
	}
	return err
}

func (t *tx) DeletePool(id string) error {
	t.touchPool(id)
	if err := t.change("delete pool", sDeletePool, id); err != nil {
		return err
	}
	for _, s := range [...]stmtID{sDeletePoolClients, sDeletePoolUsers, sDeletePoolAliases,
		sDeletePoolKeys, sDeletePoolTokens, sDeletePoolMessages, sDeletePoolGroups, sDeletePoolMembers, sDeletePoolIndex, sDeletePoolItems} {
		if _, err := t.c.exec(s, id); err != nil {
			return fail("delete pool", err)
		}
	}
	t.record(change{op: delPool, poolID: id})
	return nil
}

// touchPool, touchClient and touchUser mark records the open batch writes
// (before the write: a failed statement may still have changed them).
func (t *tx) touchPool(id string) {
	if t.batch != nil {
		t.batch.pools[id] = true
	}
}

func (t *tx) touchClient(id string) {
	if t.batch != nil {
		t.batch.clients[id] = true
	}
}

func (t *tx) touchUser(poolID, key, sub string) {
	if t.batch != nil {
		t.batch.users[userRef{poolID, key}] = true
		t.batch.subs[userRef{poolID, sub}] = true
	}
}

// Clients.

func scanClient(v []driver.Value) store.Client {
	return store.Client{PoolID: str(v[0]), ID: str(v[1]), Name: str(v[2]),
		Created: tm(v[3]), Modified: tm(v[4]), Data: blob(v[5])}
}

// cachedClient returns client id from the cache when the cache may answer
// for it: not after the transaction ended, nor once this batch wrote it.
func (t *tx) cachedClient(id string) (store.Client, bool) {
	if t.done || !t.s.cache.enabled() {
		return store.Client{}, false
	}
	cl, ok := t.s.cache.client(id)
	return cl, ok && (t.batch == nil || !t.batch.clientTouched(cl.PoolID, id))
}

// clientByID reads a client by its ID alone, through the cache.
func (t *tx) clientByID(op string, id string, stmt stmtID, args ...any) (store.Client, error) {
	if err := t.read(); err != nil {
		return store.Client{}, err
	}
	if cl, ok := t.cachedClient(id); ok {
		return cl, nil
	}
	cl, err := t.clientBySQL(op, stmt, args...)
	if err == nil && t.s.cache.enabled() && (t.batch == nil || !t.batch.clientTouched(cl.PoolID, id)) {
		t.s.cache.fillClient(t.seq, cl)
	}
	return cl, err
}

func (t *tx) GetClient(poolID, id string) (store.Client, error) {
	if t.batch != nil && t.batch.poolTouched(poolID) {
		// The cached client may belong to a pool this batch deleted.
		return t.clientBySQL("get client", sGetClient, poolID, id)
	}
	// The cache before clientByID: its SQL arguments would allocate on
	// every hit.
	cl, ok := t.cachedClient(id)
	var err error
	if !ok {
		cl, err = t.clientByID("get client", id, sGetClient, poolID, id)
	}
	if err == nil && cl.PoolID != poolID {
		return store.Client{}, store.ErrNotFound // client IDs are unique across pools
	}
	return cl, err
}

// clientBySQL reads a client without the cache.
func (t *tx) clientBySQL(op string, stmt stmtID, args ...any) (store.Client, error) {
	c, err := t.conn()
	if err != nil {
		return store.Client{}, err
	}
	v, err := c.one(stmt, 6, args...)
	if err != nil {
		return store.Client{}, fail(op, err)
	}
	return scanClient(v), nil
}

func (t *tx) ClientModified(poolID, id string) (time.Time, error) {
	cl, err := t.GetClient(poolID, id)
	if err != nil {
		return time.Time{}, err
	}
	return cl.Modified, nil
}

func (t *tx) GetClientByID(id string) (store.Client, error) {
	return t.clientByID("get client by id", id, sGetClientByID, id)
}

func (t *tx) ListClients(poolID, afterID string, limit int) ([]store.Client, error) {
	c, err := t.conn()
	if err != nil {
		return nil, err
	}
	var out []store.Client
	err = c.each(sListClients, 6, func(v []driver.Value) { out = append(out, scanClient(v)) }, poolID, afterID, limitArg(limit))
	if err != nil {
		return nil, fail("list clients", err)
	}
	return out, nil
}

func (t *tx) CreateClient(c store.Client) error {
	t.touchClient(c.ID)
	err := t.insert("create client", sInsertClient, c.PoolID, c.ID, c.Name, toMicros(c.Created), toMicros(c.Modified), c.Data)
	if err == nil {
		t.record(change{op: setClient, client: storedClient(c)})
	}
	return err
}

func (t *tx) PutClient(c store.Client) error {
	t.touchClient(c.ID)
	err := t.change("put client", sUpdateClient, c.Name, toMicros(c.Created), toMicros(c.Modified), c.Data, c.PoolID, c.ID)
	if err == nil {
		t.record(change{op: setClient, client: storedClient(c)})
	}
	return err
}

func (t *tx) DeleteClient(poolID, id string) error {
	t.touchClient(id)
	err := t.change("delete client", sDeleteClient, poolID, id)
	if err == nil {
		t.record(change{op: delClient, poolID: poolID, id: id})
	}
	return err
}

// Users.

func scanUser(v []driver.Value) store.User {
	return store.User{PoolID: str(v[0]), Key: str(v[1]), Username: str(v[2]), Sub: str(v[3]),
		Created: tm(v[4]), Modified: tm(v[5]), Data: blob(v[6])}
}

// userCacheable reports whether u may be served from or put into the
// cache by this transaction.
func (t *tx) userCacheable(poolID, key, sub string) bool {
	return t.batch == nil || !(t.batch.userTouched(poolID, key) || t.batch.subTouched(poolID, sub))
}

// userBySQL reads one user with stmt and fills the cache with it.
func (t *tx) userBySQL(op string, stmt stmtID, args ...any) (store.User, error) {
	c, err := t.conn()
	if err != nil {
		return store.User{}, err
	}
	v, err := c.one(stmt, 8, args...)
	if err != nil {
		return store.User{}, fail(op, err)
	}
	u := scanUser(v)
	if t.s.cache.enabled() && t.userCacheable(u.PoolID, u.Key, u.Sub) {
		rowid, _ := v[7].(int64)
		t.s.cache.fillUser(t.seq, u, rowid)
	}
	return u, nil
}

func (t *tx) GetUser(poolID, key string) (store.User, error) {
	if err := t.read(); err != nil {
		return store.User{}, err
	}
	if t.s.cache.enabled() {
		if u, ok := t.s.cache.user(poolID, key); ok && t.userCacheable(poolID, key, u.Sub) {
			return u, nil
		}
	}
	return t.userBySQL("get user", sGetUser, poolID, key)
}

func (t *tx) GetUserBySub(poolID, sub string) (store.User, error) {
	if err := t.read(); err != nil {
		return store.User{}, err
	}
	if t.s.cache.enabled() {
		if u, ok := t.s.cache.userBySub(poolID, sub); ok && t.userCacheable(poolID, u.Key, sub) {
			return u, nil
		}
	}
	return t.userBySQL("get user by sub", sGetUserBySub, poolID, sub)
}

func (t *tx) ListUsers(poolID, afterKey string, limit int) ([]store.User, error) {
	c, err := t.conn()
	if err != nil {
		return nil, err
	}
	var out []store.User
	err = c.each(sListUsers, 7, func(v []driver.Value) { out = append(out, scanUser(v)) }, poolID, afterKey, limitArg(limit))
	if err != nil {
		return nil, fail("list users", err)
	}
	return out, nil
}

func (t *tx) CountUsers(poolID string) (int64, error) {
	c, err := t.conn()
	if err != nil {
		return 0, err
	}
	v, err := c.one(sCountUsers, 1, poolID)
	if err != nil {
		return 0, fail("count users", err)
	}
	return i64(v[0]), nil
}

func (t *tx) CreateUser(u store.User) error {
	t.touchUser(u.PoolID, u.Key, u.Sub)
	err := t.insert("create user", sInsertUser, u.PoolID, u.Key, u.Username, u.Sub,
		toMicros(u.Created), toMicros(u.Modified), u.Data)
	if err != nil {
		return err
	}
	rowid := t.c.lastInsertRowid()
	if err := t.writeIndex(u, nil, true); err != nil {
		return err
	}
	t.record(change{op: setUser, user: storedUser(u), rowid: rowid})
	return nil
}

func (t *tx) PutUser(u store.User) error {
	if err := t.write(); err != nil {
		return err
	}
	t.touchUser(u.PoolID, u.Key, u.Sub)
	// The sub almost never changes: try the update that keeps it first, at
	// the row the cache remembers when it does (one B-tree search fewer).
	var n int64
	var err error
	if rowid := t.s.cache.userRowid(u.PoolID, u.Key); rowid != 0 {
		n, err = t.c.exec(sUpdateUserAtRowid, u.Username, toMicros(u.Created), toMicros(u.Modified), u.Data,
			rowid, u.PoolID, u.Key, u.Sub)
	}
	if err == nil && n != 1 {
		n, err = t.c.exec(sUpdateUserSameSub, u.Username, toMicros(u.Created), toMicros(u.Modified), u.Data,
			u.PoolID, u.Key, u.Sub)
	}
	if err != nil {
		return fail("put user", err)
	}
	if n != 1 {
		err = t.change("put user", sUpdateUser, u.Username, u.Sub, toMicros(u.Created), toMicros(u.Modified), u.Data,
			u.PoolID, u.Key)
	}
	if err != nil {
		return err
	}
	if err := t.writeIndex(u, u.IndexWas, false); err != nil {
		return err
	}
	t.record(change{op: setUser, user: storedUser(u)})
	return nil
}

func (t *tx) DeleteUser(poolID, key string) error {
	if t.batch != nil {
		t.batch.users[userRef{poolID, key}] = true
	}
	if err := t.change("delete user", sDeleteUser, poolID, key); err != nil {
		return err
	}
	if _, err := t.c.exec(sDeleteUserAliases, poolID, key); err != nil {
		return fail("delete user", err)
	}
	if _, err := t.c.exec(sDeleteUserTokens, poolID, key); err != nil {
		return fail("delete user", err)
	}
	if _, err := t.c.exec(sDeleteUserMemberships, poolID, key); err != nil {
		return fail("delete user", err)
	}
	if _, err := t.c.exec(sDeleteUserIndex, poolID, key); err != nil {
		return fail("delete user", err)
	}
	t.record(change{op: delUser, poolID: poolID, id: key})
	return nil
}

// Aliases.

func (t *tx) GetAlias(poolID, alias string) (string, error) {
	c, err := t.conn()
	if err != nil {
		return "", err
	}
	v, err := c.one(sGetAlias, 1, poolID, alias)
	if err != nil {
		return "", fail("get alias", err)
	}
	return str(v[0]), nil
}

func (t *tx) PutAlias(poolID, alias, userKey string) error {
	if err := t.write(); err != nil {
		return err
	}
	n, err := t.c.exec(sPutAlias, poolID, alias, userKey)
	if err != nil {
		return fail("put alias", err)
	}
	if n == 0 {
		return store.ErrConflict
	}
	return nil
}

func (t *tx) DeleteAlias(poolID, alias string) error {
	if err := t.write(); err != nil {
		return err
	}
	if _, err := t.c.exec(sDeleteAlias, poolID, alias); err != nil {
		return fail("delete alias", err)
	}
	return nil
}

// Keys.

func (t *tx) ListKeys(poolID string) ([]store.Key, error) {
	c, err := t.conn()
	if err != nil {
		return nil, err
	}
	var out []store.Key
	err = c.each(sListKeys, 5, func(v []driver.Value) {
		out = append(out, store.Key{PoolID: str(v[0]), Kid: str(v[1]), Use: str(v[2]), Private: blob(v[3]), Created: tm(v[4])})
	}, poolID)
	if err != nil {
		return nil, fail("list keys", err)
	}
	return out, nil
}

func (t *tx) CreateKey(k store.Key) error {
	return t.insert("create key", sInsertKey, k.PoolID, k.Kid, k.Use, k.Private, toMicros(k.Created))
}

// Refresh tokens.

func (t *tx) GetRefreshToken(id string) (store.RefreshToken, error) {
	c, err := t.conn()
	if err != nil {
		return store.RefreshToken{}, err
	}
	v, err := c.one(sGetToken, 8, id)
	if err != nil {
		return store.RefreshToken{}, fail("get refresh token", err)
	}
	return store.RefreshToken{ID: str(v[0]), PoolID: str(v[1]), ClientID: str(v[2]), UserKey: str(v[3]),
		Created: tm(v[4]), Expires: tm(v[5]), Revoked: i64(v[6]) != 0, Data: blob(v[7])}, nil
}

func (t *tx) CreateRefreshToken(r store.RefreshToken) error {
	return t.insert("create refresh token", sInsertToken, r.ID, r.PoolID, r.ClientID, r.UserKey,
		toMicros(r.Created), toMicros(r.Expires), boolInt(r.Revoked), r.Data)
}

func (t *tx) PutRefreshToken(r store.RefreshToken) error {
	return t.change("put refresh token", sUpdateToken, r.PoolID, r.ClientID, r.UserKey,
		toMicros(r.Created), toMicros(r.Expires), boolInt(r.Revoked), r.Data, r.ID)
}

// Messages.

func scanMessage(v []driver.Value) store.Message {
	return store.Message{ID: str(v[0]), PoolID: str(v[1]), Username: str(v[2]), AttributeName: str(v[3]),
		DeliveryMedium: str(v[4]), Destination: str(v[5]), Subject: str(v[6]), Body: str(v[7]), Code: str(v[8]),
		Created: tm(v[9]), State: str(v[10]), Attempts: int(i64(v[11])), LastError: str(v[12])}
}

func (t *tx) CreateMessage(m store.Message) error {
	return t.insert("create message", sInsertMessage, m.ID, m.PoolID, m.Username, m.AttributeName,
		m.DeliveryMedium, m.Destination, m.Subject, m.Body, m.Code, toMicros(m.Created), m.State,
		int64(m.Attempts), m.LastError)
}

func (t *tx) PutMessage(m store.Message) error {
	return t.change("put message", sUpdateMessage, m.PoolID, m.Username, m.AttributeName,
		m.DeliveryMedium, m.Destination, m.Subject, m.Body, m.Code, toMicros(m.Created), m.State,
		int64(m.Attempts), m.LastError, m.ID)
}

func (t *tx) GetMessage(id string) (store.Message, error) {
	c, err := t.conn()
	if err != nil {
		return store.Message{}, err
	}
	v, err := c.one(sGetMessage, 13, id)
	if err != nil {
		return store.Message{}, fail("get message", err)
	}
	return scanMessage(v), nil
}

func (t *tx) ListMessages(f store.MessageFilter) ([]store.Message, error) {
	c, err := t.conn()
	if err != nil {
		return nil, err
	}
	id := sListMessages
	args := make([]any, 0, 4)
	if f.PoolID != "" {
		id++
		args = append(args, f.PoolID)
	}
	if f.Username != "" {
		id += 2
		args = append(args, f.Username)
	}
	if f.AttributeName != "" {
		id += 4
		args = append(args, f.AttributeName)
	}
	args = append(args, limitArg(f.Limit))
	var out []store.Message
	err = c.each(id, 13, func(v []driver.Value) { out = append(out, scanMessage(v)) }, args...)
	if err != nil {
		return nil, fail("list messages", err)
	}
	return out, nil
}

// Settings.

func (t *tx) GetSetting(name string) ([]byte, error) {
	c, err := t.conn()
	if err != nil {
		return nil, err
	}
	v, err := c.one(sGetSetting, 1, name)
	if err != nil {
		return nil, fail("get setting", err)
	}
	return blob(v[0]), nil
}

func (t *tx) PutSetting(name string, value []byte) error {
	if err := t.write(); err != nil {
		return err
	}
	if _, err := t.c.exec(sPutSetting, name, value); err != nil {
		return fail("put setting", err)
	}
	return nil
}
