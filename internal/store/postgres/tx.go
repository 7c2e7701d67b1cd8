package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cognate-idp/cognate/internal/store"
)

// errTxDone is returned by a Tx used after its function returned.
var errTxDone = errors.New("postgres: transaction used after its function returned")

// tx implements store.Tx on one pgx transaction. Its methods are
// documented on store.Tx. The store.Tx methods take no context, so tx
// carries the one of the View or Update call.
//
// The transaction begins with its first statement: a one-row query or a
// write is sent in one batch with the BEGIN, saving a round trip, and a
// function that issues no statement takes no connection at all.
type tx struct {
	ctx  context.Context
	pool *pgxpool.Pool
	opts pgx.TxOptions
	// q is the transaction, nil until the first statement.
	q pgx.Tx
	// beginErr is why the transaction could not begin.
	beginErr error
	writable bool
	done     bool
	// lock is appended to reads of users and refresh tokens: " FOR UPDATE"
	// in Update, empty in View.
	lock string
	// seen holds the xmin of the pool and client rows read in this Update,
	// for the compare-and-swap of PutPool and PutClient.
	seen map[string]uint32
}

var _ store.Tx = (*tx)(nil)

// begin begins the transaction, in a round trip of its own, unless a
// statement already did.
func (t *tx) begin() error {
	if t.q != nil {
		return nil
	}
	q, err := t.pool.BeginTx(t.ctx, t.opts)
	if err != nil {
		t.beginErr = err
		return err
	}
	t.q = q
	return nil
}

// first sends sql as the transaction's first statement, in one round trip
// with the BEGIN, and reads the BEGIN's result. The caller reads sql's
// result from br and then closes it; on error br is already closed.
func (t *tx) first(sql string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	b.BeginTx(t.opts)
	b.Queue(sql, args...)
	br := t.pool.SendBatch(t.ctx, b)
	t.q = br.Tx() // closed if the BEGIN fails; Rollback then releases the connection
	if _, err := br.Exec(); err != nil {
		br.Close()
		t.beginErr = err
		return nil, err
	}
	return br, nil
}

// queryRow runs a query of at most one row.
func (t *tx) queryRow(sql string, args ...any) pgx.Row {
	if t.q != nil {
		return t.q.QueryRow(t.ctx, sql, args...)
	}
	return firstRow{t: t, sql: sql, args: args}
}

// firstRow is the row of a transaction's first statement, sent when Scan
// is called.
type firstRow struct {
	t    *tx
	sql  string
	args []any
}

func (r firstRow) Scan(dest ...any) error {
	br, err := r.t.first(r.sql, r.args)
	if err != nil {
		return err
	}
	err = br.QueryRow().Scan(dest...)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// query runs a query of any number of rows.
func (t *tx) query(sql string, args ...any) (pgx.Rows, error) {
	if err := t.begin(); err != nil {
		return nil, err
	}
	return t.q.Query(t.ctx, sql, args...)
}

// read checks that the transaction may still be used.
func (t *tx) read() error {
	if t.done {
		return errTxDone
	}
	return nil
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

// fail maps a database error: no rows is ErrNotFound, a unique violation
// ErrConflict, anything else is wrapped with the operation's name (keeping
// the *pgconn.PgError reachable so that Update can spot retryable ones).
func fail(op string, err error) error {
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return store.ErrNotFound
	case isUniqueViolation(err):
		return store.ErrConflict
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// exec runs a write and returns the number of rows it changed.
func (t *tx) exec(op, sql string, args ...any) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	var tag pgconn.CommandTag
	var err error
	if t.q != nil {
		tag, err = t.q.Exec(t.ctx, sql, args...)
	} else if br, berr := t.first(sql, args); berr != nil {
		err = berr
	} else {
		tag, err = br.Exec()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return 0, fail(op, err)
	}
	return tag.RowsAffected(), nil
}

// insert runs an INSERT ... ON CONFLICT DO NOTHING: no row means a
// uniqueness rule said no, reported as ErrConflict without aborting the
// transaction.
func (t *tx) insert(op, sql string, args ...any) error {
	n, err := t.exec(op, sql, args...)
	if err == nil && n == 0 {
		return store.ErrConflict
	}
	return err
}

// change runs an UPDATE or DELETE of one record: ErrNotFound if no row
// matched.
func (t *tx) change(op, sql string, args ...any) error {
	n, err := t.exec(op, sql, args...)
	if err == nil && n == 0 {
		return store.ErrNotFound
	}
	return err
}

// batch runs statements that each take the same arguments in one round
// trip.
func (t *tx) batch(op string, stmts []string, args ...any) error {
	if err := t.begin(); err != nil {
		return fail(op, err)
	}
	b := &pgx.Batch{}
	for _, s := range stmts {
		b.Queue(s, args...)
	}
	if err := t.q.SendBatch(t.ctx, b).Close(); err != nil {
		return fail(op, err)
	}
	return nil
}

// limitArg turns a page size into LIMIT's argument, where NULL means none.
func limitArg(limit int) any {
	if limit <= 0 {
		return nil
	}
	return int64(limit)
}

// utc returns t in UTC: pgx hands timestamptz back in the local zone.
func utc(t time.Time) time.Time { return t.UTC() }

// Pools.

const poolCols = "id, name, created, modified, data"

func (t *tx) GetPool(id string) (store.Pool, error) {
	if err := t.read(); err != nil {
		return store.Pool{}, err
	}
	var p store.Pool
	var xmin uint32
	err := t.queryRow("SELECT "+poolCols+", xmin FROM pools WHERE id = $1", id).
		Scan(&p.ID, &p.Name, &p.Created, &p.Modified, &p.Data, &xmin)
	if err != nil {
		return store.Pool{}, fail("get pool", err)
	}
	t.remember("pool\x00"+id, xmin)
	p.Created, p.Modified = utc(p.Created), utc(p.Modified)
	return p, nil
}

// PoolModified reads only the pool's modification time; inside Update it
// also remembers the row version, like GetPool, so a following PutPool
// still compares and swaps.
func (t *tx) PoolModified(id string) (time.Time, error) {
	if err := t.read(); err != nil {
		return time.Time{}, err
	}
	var m time.Time
	var xmin uint32
	if err := t.queryRow("SELECT modified, xmin FROM pools WHERE id = $1", id).Scan(&m, &xmin); err != nil {
		return time.Time{}, fail("pool modified", err)
	}
	t.remember("pool\x00"+id, xmin)
	return utc(m), nil
}

// remember notes the version of a row read inside Update.
func (t *tx) remember(key string, xmin uint32) {
	if !t.writable {
		return
	}
	if t.seen == nil {
		t.seen = map[string]uint32{}
	}
	t.seen[key] = xmin
}

// swap runs update, an UPDATE of one row whose last parameter is the
// row's expected xmin when this Update read the row before (otherwise it
// is NULL and the row is replaced unconditionally). A row that changed
// since is errStale, so that Update retries; a missing row ErrNotFound.
func (t *tx) swap(op, key, update, exists string, existsArgs []any, args ...any) error {
	xmin, read := t.seen[key]
	var expect any
	if read {
		expect = xmin
	}
	n, err := t.exec(op, update, append(args, expect)...)
	if err != nil {
		return err
	}
	if n == 1 {
		delete(t.seen, key) // our own row lock now keeps others out
		return nil
	}
	if !read {
		return store.ErrNotFound
	}
	var one int
	if err := t.queryRow(exists, existsArgs...).Scan(&one); err != nil {
		return fail(op, err) // ErrNotFound: deleted meanwhile
	}
	return errStale
}

func (t *tx) ListPools(afterID string, limit int) ([]store.Pool, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	rows, err := t.query("SELECT "+poolCols+" FROM pools WHERE id > $1 ORDER BY id LIMIT $2", afterID, limitArg(limit))
	if err != nil {
		return nil, fail("list pools", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Pool, error) {
		var p store.Pool
		err := r.Scan(&p.ID, &p.Name, &p.Created, &p.Modified, &p.Data)
		p.Created, p.Modified = utc(p.Created), utc(p.Modified)
		return p, err
	})
	if err != nil {
		return nil, fail("list pools", err)
	}
	return out, nil
}

func (t *tx) CreatePool(p store.Pool) error {
	return t.insert("create pool", "INSERT INTO pools ("+poolCols+") VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
		p.ID, p.Name, p.Created, p.Modified, p.Data)
}

func (t *tx) PutPool(p store.Pool) error {
	return t.swap("put pool", "pool\x00"+p.ID,
		"UPDATE pools SET name = $1, created = $2, modified = $3, data = $4 WHERE id = $5 AND ($6::xid IS NULL OR xmin = $6::xid)",
		"SELECT 1 FROM pools WHERE id = $1", []any{p.ID},
		p.Name, p.Created, p.Modified, p.Data, p.ID)
}

func (t *tx) DeletePool(id string) error {
	if err := t.change("delete pool", "DELETE FROM pools WHERE id = $1", id); err != nil {
		return err
	}
	return t.batch("delete pool", []string{
		"DELETE FROM clients WHERE pool_id = $1",
		"DELETE FROM users WHERE pool_id = $1",
		"DELETE FROM aliases WHERE pool_id = $1",
		"DELETE FROM keys WHERE pool_id = $1",
		"DELETE FROM refresh_tokens WHERE pool_id = $1",
		"DELETE FROM messages WHERE pool_id = $1",
		"DELETE FROM user_groups WHERE pool_id = $1",
		"DELETE FROM group_members WHERE pool_id = $1",
		"DELETE FROM user_index WHERE pool_id = $1",
		"DELETE FROM items WHERE pool_id = $1",
	}, id)
}

// Clients.

const clientCols = "pool_id, id, name, created, modified, data"

func (t *tx) getClient(op, where string, args ...any) (store.Client, error) {
	if err := t.read(); err != nil {
		return store.Client{}, err
	}
	var c store.Client
	var xmin uint32
	err := t.queryRow("SELECT "+clientCols+", xmin FROM clients WHERE "+where, args...).
		Scan(&c.PoolID, &c.ID, &c.Name, &c.Created, &c.Modified, &c.Data, &xmin)
	if err != nil {
		return store.Client{}, fail(op, err)
	}
	t.remember("client\x00"+c.PoolID+"\x00"+c.ID, xmin)
	c.Created, c.Modified = utc(c.Created), utc(c.Modified)
	return c, nil
}

func (t *tx) GetClient(poolID, id string) (store.Client, error) {
	return t.getClient("get client", "pool_id = $1 AND id = $2", poolID, id)
}

func (t *tx) GetClientByID(id string) (store.Client, error) {
	return t.getClient("get client by id", "id = $1", id)
}

// ClientModified reads only the client's modification time, remembering
// the row version inside Update as GetClient does.
func (t *tx) ClientModified(poolID, id string) (time.Time, error) {
	if err := t.read(); err != nil {
		return time.Time{}, err
	}
	var m time.Time
	var xmin uint32
	err := t.queryRow("SELECT modified, xmin FROM clients WHERE pool_id = $1 AND id = $2", poolID, id).Scan(&m, &xmin)
	if err != nil {
		return time.Time{}, fail("client modified", err)
	}
	t.remember("client\x00"+poolID+"\x00"+id, xmin)
	return utc(m), nil
}

func (t *tx) ListClients(poolID, afterID string, limit int) ([]store.Client, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	rows, err := t.query("SELECT "+clientCols+" FROM clients WHERE pool_id = $1 AND id > $2 ORDER BY id LIMIT $3",
		poolID, afterID, limitArg(limit))
	if err != nil {
		return nil, fail("list clients", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Client, error) {
		var c store.Client
		err := r.Scan(&c.PoolID, &c.ID, &c.Name, &c.Created, &c.Modified, &c.Data)
		c.Created, c.Modified = utc(c.Created), utc(c.Modified)
		return c, err
	})
	if err != nil {
		return nil, fail("list clients", err)
	}
	return out, nil
}

func (t *tx) CreateClient(c store.Client) error {
	return t.insert("create client", "INSERT INTO clients ("+clientCols+") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
		c.PoolID, c.ID, c.Name, c.Created, c.Modified, c.Data)
}

func (t *tx) PutClient(c store.Client) error {
	return t.swap("put client", "client\x00"+c.PoolID+"\x00"+c.ID,
		"UPDATE clients SET name = $1, created = $2, modified = $3, data = $4 WHERE pool_id = $5 AND id = $6 "+
			"AND ($7::xid IS NULL OR xmin = $7::xid)",
		"SELECT 1 FROM clients WHERE pool_id = $1 AND id = $2", []any{c.PoolID, c.ID},
		c.Name, c.Created, c.Modified, c.Data, c.PoolID, c.ID)
}

func (t *tx) DeleteClient(poolID, id string) error {
	return t.change("delete client", "DELETE FROM clients WHERE pool_id = $1 AND id = $2", poolID, id)
}

// Aliases.

func (t *tx) GetAlias(poolID, alias string) (string, error) {
	if err := t.read(); err != nil {
		return "", err
	}
	var key string
	err := t.queryRow("SELECT user_key FROM aliases WHERE pool_id = $1 AND alias = $2", poolID, alias).Scan(&key)
	if err != nil {
		return "", fail("get alias", err)
	}
	return key, nil
}

func (t *tx) PutAlias(poolID, alias, userKey string) error {
	// A row is changed when the alias is new or already held by user_key;
	// another holder leaves the statement without effect. A concurrent
	// claim waits for the other transaction and then sees its row.
	return t.insert("put alias", "INSERT INTO aliases (pool_id, alias, user_key) VALUES ($1, $2, $3) "+
		"ON CONFLICT (pool_id, alias) DO UPDATE SET user_key = excluded.user_key "+
		"WHERE aliases.user_key = excluded.user_key", poolID, alias, userKey)
}

func (t *tx) DeleteAlias(poolID, alias string) error {
	_, err := t.exec("delete alias", "DELETE FROM aliases WHERE pool_id = $1 AND alias = $2", poolID, alias)
	return err
}

// Keys.

func (t *tx) ListKeys(poolID string) ([]store.Key, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	rows, err := t.query("SELECT pool_id, kid, use, private, created FROM keys WHERE pool_id = $1 ORDER BY created, seq", poolID)
	if err != nil {
		return nil, fail("list keys", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Key, error) {
		var k store.Key
		err := r.Scan(&k.PoolID, &k.Kid, &k.Use, &k.Private, &k.Created)
		k.Created = utc(k.Created)
		return k, err
	})
	if err != nil {
		return nil, fail("list keys", err)
	}
	return out, nil
}

func (t *tx) CreateKey(k store.Key) error {
	return t.insert("create key", "INSERT INTO keys (pool_id, kid, use, private, created) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
		k.PoolID, k.Kid, k.Use, k.Private, k.Created)
}

// Settings.

func (t *tx) GetSetting(name string) ([]byte, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	var v []byte
	if err := t.queryRow("SELECT value FROM settings WHERE name = $1", name).Scan(&v); err != nil {
		return nil, fail("get setting", err)
	}
	return v, nil
}

func (t *tx) PutSetting(name string, value []byte) error {
	_, err := t.exec("put setting", "INSERT INTO settings (name, value) VALUES ($1, $2) "+
		"ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value)
	return err
}

// collect runs a query inside the transaction and scans every row with
// scan; op names the operation in errors.
func collect[T any](t *tx, op string, scan func(pgx.Row) (T, error), sql string, args ...any) ([]T, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	rows, err := t.query(sql, args...)
	if err != nil {
		return nil, fail(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if err != nil {
		return nil, fail(op, err)
	}
	return out, nil
}
