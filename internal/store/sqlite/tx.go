package sqlite

import (
	"time"

	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/cognate-idp/cognate/internal/store"
)

// errTxDone is returned by a Tx used after its function returned.
var errTxDone = errors.New("sqlite: transaction used after its function returned")

// tx implements store.Tx on one connection inside an open transaction. Its
// methods are documented on store.Tx.
type tx struct {
	c        *conn
	writable bool
	done     bool
}

var _ store.Tx = (*tx)(nil)

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

func (t *tx) GetPool(id string) (store.Pool, error) {
	if err := t.read(); err != nil {
		return store.Pool{}, err
	}
	v, err := t.c.one(sGetPool, 5, id)
	if err != nil {
		return store.Pool{}, fail("get pool", err)
	}
	return scanPool(v), nil
}

func (t *tx) PoolModified(id string) (time.Time, error) {
	if err := t.read(); err != nil {
		return time.Time{}, err
	}
	v, err := t.c.one(sPoolModified, 1, id)
	if err != nil {
		return time.Time{}, fail("pool modified", err)
	}
	return tm(v[0]), nil
}

func (t *tx) ListPools(afterID string, limit int) ([]store.Pool, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	var out []store.Pool
	err := t.c.each(sListPools, 5, func(v []driver.Value) { out = append(out, scanPool(v)) }, afterID, limitArg(limit))
	if err != nil {
		return nil, fail("list pools", err)
	}
	return out, nil
}

func (t *tx) CreatePool(p store.Pool) error {
	return t.insert("create pool", sInsertPool, p.ID, p.Name, toMicros(p.Created), toMicros(p.Modified), p.Data)
}

func (t *tx) PutPool(p store.Pool) error {
	return t.change("put pool", sUpdatePool, p.Name, toMicros(p.Created), toMicros(p.Modified), p.Data, p.ID)
}

func (t *tx) DeletePool(id string) error {
	if err := t.change("delete pool", sDeletePool, id); err != nil {
		return err
	}
	for _, s := range [...]stmtID{sDeletePoolClients, sDeletePoolUsers, sDeletePoolAliases,
		sDeletePoolKeys, sDeletePoolTokens, sDeletePoolMessages} {
		if _, err := t.c.exec(s, id); err != nil {
			return fail("delete pool", err)
		}
	}
	return nil
}

// Clients.

func scanClient(v []driver.Value) store.Client {
	return store.Client{PoolID: str(v[0]), ID: str(v[1]), Name: str(v[2]),
		Created: tm(v[3]), Modified: tm(v[4]), Data: blob(v[5])}
}

func (t *tx) GetClient(poolID, id string) (store.Client, error) {
	if err := t.read(); err != nil {
		return store.Client{}, err
	}
	v, err := t.c.one(sGetClient, 6, poolID, id)
	if err != nil {
		return store.Client{}, fail("get client", err)
	}
	return scanClient(v), nil
}

func (t *tx) ClientModified(poolID, id string) (time.Time, error) {
	if err := t.read(); err != nil {
		return time.Time{}, err
	}
	v, err := t.c.one(sClientModified, 1, poolID, id)
	if err != nil {
		return time.Time{}, fail("client modified", err)
	}
	return tm(v[0]), nil
}

func (t *tx) GetClientByID(id string) (store.Client, error) {
	if err := t.read(); err != nil {
		return store.Client{}, err
	}
	v, err := t.c.one(sGetClientByID, 6, id)
	if err != nil {
		return store.Client{}, fail("get client by id", err)
	}
	return scanClient(v), nil
}

func (t *tx) ListClients(poolID, afterID string, limit int) ([]store.Client, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	var out []store.Client
	err := t.c.each(sListClients, 6, func(v []driver.Value) { out = append(out, scanClient(v)) }, poolID, afterID, limitArg(limit))
	if err != nil {
		return nil, fail("list clients", err)
	}
	return out, nil
}

func (t *tx) CreateClient(c store.Client) error {
	return t.insert("create client", sInsertClient, c.PoolID, c.ID, c.Name, toMicros(c.Created), toMicros(c.Modified), c.Data)
}

func (t *tx) PutClient(c store.Client) error {
	return t.change("put client", sUpdateClient, c.Name, toMicros(c.Created), toMicros(c.Modified), c.Data, c.PoolID, c.ID)
}

func (t *tx) DeleteClient(poolID, id string) error {
	return t.change("delete client", sDeleteClient, poolID, id)
}

// Users.

func scanUser(v []driver.Value) store.User {
	return store.User{PoolID: str(v[0]), Key: str(v[1]), Username: str(v[2]), Sub: str(v[3]),
		Created: tm(v[4]), Modified: tm(v[5]), Data: blob(v[6])}
}

func (t *tx) GetUser(poolID, key string) (store.User, error) {
	if err := t.read(); err != nil {
		return store.User{}, err
	}
	v, err := t.c.one(sGetUser, 7, poolID, key)
	if err != nil {
		return store.User{}, fail("get user", err)
	}
	return scanUser(v), nil
}

func (t *tx) GetUserBySub(poolID, sub string) (store.User, error) {
	if err := t.read(); err != nil {
		return store.User{}, err
	}
	v, err := t.c.one(sGetUserBySub, 7, poolID, sub)
	if err != nil {
		return store.User{}, fail("get user by sub", err)
	}
	return scanUser(v), nil
}

func (t *tx) ListUsers(poolID, afterKey string, limit int) ([]store.User, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	var out []store.User
	err := t.c.each(sListUsers, 7, func(v []driver.Value) { out = append(out, scanUser(v)) }, poolID, afterKey, limitArg(limit))
	if err != nil {
		return nil, fail("list users", err)
	}
	return out, nil
}

func (t *tx) CountUsers(poolID string) (int64, error) {
	if err := t.read(); err != nil {
		return 0, err
	}
	v, err := t.c.one(sCountUsers, 1, poolID)
	if err != nil {
		return 0, fail("count users", err)
	}
	return i64(v[0]), nil
}

func (t *tx) CreateUser(u store.User) error {
	return t.insert("create user", sInsertUser, u.PoolID, u.Key, u.Username, u.Sub,
		toMicros(u.Created), toMicros(u.Modified), u.Data)
}

func (t *tx) PutUser(u store.User) error {
	if err := t.write(); err != nil {
		return err
	}
	// The sub almost never changes: try the update that keeps it first.
	n, err := t.c.exec(sUpdateUserSameSub, u.Username, toMicros(u.Created), toMicros(u.Modified), u.Data,
		u.PoolID, u.Key, u.Sub)
	if err != nil {
		return fail("put user", err)
	}
	if n == 1 {
		return nil
	}
	return t.change("put user", sUpdateUser, u.Username, u.Sub, toMicros(u.Created), toMicros(u.Modified), u.Data,
		u.PoolID, u.Key)
}

func (t *tx) DeleteUser(poolID, key string) error {
	if err := t.change("delete user", sDeleteUser, poolID, key); err != nil {
		return err
	}
	if _, err := t.c.exec(sDeleteUserAliases, poolID, key); err != nil {
		return fail("delete user", err)
	}
	if _, err := t.c.exec(sDeleteUserTokens, poolID, key); err != nil {
		return fail("delete user", err)
	}
	return nil
}

// Aliases.

func (t *tx) GetAlias(poolID, alias string) (string, error) {
	if err := t.read(); err != nil {
		return "", err
	}
	v, err := t.c.one(sGetAlias, 1, poolID, alias)
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
	if err := t.read(); err != nil {
		return nil, err
	}
	var out []store.Key
	err := t.c.each(sListKeys, 5, func(v []driver.Value) {
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
	if err := t.read(); err != nil {
		return store.RefreshToken{}, err
	}
	v, err := t.c.one(sGetToken, 8, id)
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
	if err := t.read(); err != nil {
		return store.Message{}, err
	}
	v, err := t.c.one(sGetMessage, 13, id)
	if err != nil {
		return store.Message{}, fail("get message", err)
	}
	return scanMessage(v), nil
}

func (t *tx) ListMessages(f store.MessageFilter) ([]store.Message, error) {
	if err := t.read(); err != nil {
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
	err := t.c.each(id, 13, func(v []driver.Value) { out = append(out, scanMessage(v)) }, args...)
	if err != nil {
		return nil, fail("list messages", err)
	}
	return out, nil
}

// Settings.

func (t *tx) GetSetting(name string) ([]byte, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	v, err := t.c.one(sGetSetting, 1, name)
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
