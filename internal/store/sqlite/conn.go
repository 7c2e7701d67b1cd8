package sqlite

import (
	"context"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"modernc.org/libc"
	_ "modernc.org/sqlite" // initialises the library as the driver does
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/cognate-idp/cognate/internal/store"
)

// stmtID names one of the fixed statements of the store. Each connection
// prepares a statement the first time it is used and keeps it for its life.
type stmtID int

const (
	sBegin stmtID = iota
	sBeginImmediate
	sCommit
	sRollback
	sSavepoint
	sRelease
	sRollbackTo
	sSchemaVersion
	sSnapshot

	sGetPool
	sPoolModified
	sListPools
	sInsertPool
	sUpdatePool
	sDeletePool
	sDeletePoolClients
	sDeletePoolUsers
	sDeletePoolAliases
	sDeletePoolKeys
	sDeletePoolTokens
	sDeletePoolMessages
	sDeletePoolGroups
	sDeletePoolMembers
	sDeletePoolIndex
	sDeletePoolItems

	sGetClient
	sClientModified
	sGetClientByID
	sListClients
	sInsertClient
	sUpdateClient
	sDeleteClient

	sGetUser
	sGetUserBySub
	sListUsers
	sCountUsers
	sInsertUser
	sUpdateUser
	sUpdateUserSameSub
	sUpdateUserAtRowid
	sDeleteUser
	sDeleteUserAliases
	sDeleteUserTokens
	sDeleteUserMemberships
	sDeleteUserIndex
	sDeleteUserIndexAttr
	sInsertIndex
	sMoveIndex
	sFindUsers

	sGetGroup
	sListGroups
	sCountGroups
	sInsertGroup
	sUpdateGroup
	sDeleteGroup
	sDeleteGroupMembers
	sAddMember
	sRemoveMember
	sListUserGroups
	sListMembers

	sGetAlias
	sPutAlias
	sDeleteAlias

	sListKeys
	sInsertKey

	sGetToken
	sInsertToken
	sUpdateToken

	sInsertMessage
	sUpdateMessage
	sGetMessage
	// sListMessages is the first of eight variants, one per combination of
	// the filter fields (bit 0 pool, bit 1 username, bit 2 attribute name).
	sListMessages
	_
	_
	_
	_
	_
	_
	_
	sGetSetting
	sPutSetting

	sGetItem
	sListItems
	sInsertItem
	sUpdateItem
	sDeleteItem

	numStmts
)

const (
	userCols    = "pool_id, key, username, sub, created, modified, data"
	clientCols  = "pool_id, id, name, created, modified, data"
	poolCols    = "id, name, created, modified, data"
	tokenCols   = "id, pool_id, client_id, user_key, created, expires, revoked, data"
	groupCols   = "pool_id, name, created, modified, data"
	itemCols    = "pool_id, kind, id, created, modified, data"
	messageCols = "id, pool_id, username, attribute_name, delivery_medium, destination, subject, body, code, created, state, attempts, last_error"
)

// queryText returns the SQL of a statement. Parameters are anonymous and
// bound in order, which is the cheapest way for the driver to bind them.
func queryText(id stmtID) string {
	switch id {
	case sBegin:
		return "BEGIN"
	case sBeginImmediate:
		return "BEGIN IMMEDIATE"
	case sCommit:
		return "COMMIT"
	case sRollback:
		return "ROLLBACK"
	case sSavepoint:
		return "SAVEPOINT fn"
	case sRelease:
		return "RELEASE fn"
	case sRollbackTo:
		return "ROLLBACK TO fn"
	case sSnapshot:
		// Any read of the file starts a WAL read transaction; this one reads
		// only the header.
		return "PRAGMA schema_version"
	case sSchemaVersion:
		return "SELECT coalesce(max(version), 0) FROM schema_version"

	case sGetPool:
		return "SELECT " + poolCols + " FROM pools WHERE id = ?"
	case sPoolModified:
		return "SELECT modified FROM pools WHERE id = ?"
	case sListPools:
		return "SELECT " + poolCols + " FROM pools WHERE id > ? ORDER BY id LIMIT ?"
	case sInsertPool:
		return "INSERT INTO pools (" + poolCols + ") VALUES (?, ?, ?, ?, ?)"
	case sUpdatePool:
		return "UPDATE pools SET name = ?, created = ?, modified = ?, data = ? WHERE id = ?"
	case sDeletePool:
		return "DELETE FROM pools WHERE id = ?"
	case sDeletePoolClients:
		return "DELETE FROM clients WHERE pool_id = ?"
	case sDeletePoolUsers:
		return "DELETE FROM users WHERE pool_id = ?"
	case sDeletePoolAliases:
		return "DELETE FROM aliases WHERE pool_id = ?"
	case sDeletePoolKeys:
		return "DELETE FROM keys WHERE pool_id = ?"
	case sDeletePoolTokens:
		return "DELETE FROM refresh_tokens WHERE pool_id = ?"
	case sDeletePoolMessages:
		return "DELETE FROM messages WHERE pool_id = ?"
	case sDeletePoolGroups:
		return "DELETE FROM user_groups WHERE pool_id = ?"
	case sDeletePoolMembers:
		return "DELETE FROM group_members WHERE pool_id = ?"
	case sDeletePoolIndex:
		return "DELETE FROM user_index WHERE pool_id = ?"
	case sDeletePoolItems:
		return "DELETE FROM items WHERE pool_id = ?"

	case sGetClient:
		return "SELECT " + clientCols + " FROM clients WHERE pool_id = ? AND id = ?"
	case sClientModified:
		return "SELECT modified FROM clients WHERE pool_id = ? AND id = ?"
	case sGetClientByID:
		return "SELECT " + clientCols + " FROM clients WHERE id = ?"
	case sListClients:
		return "SELECT " + clientCols + " FROM clients WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?"
	case sInsertClient:
		return "INSERT INTO clients (" + clientCols + ") VALUES (?, ?, ?, ?, ?, ?)"
	case sUpdateClient:
		return "UPDATE clients SET name = ?, created = ?, modified = ?, data = ? WHERE pool_id = ? AND id = ?"
	case sDeleteClient:
		return "DELETE FROM clients WHERE pool_id = ? AND id = ?"

	case sGetUser:
		return "SELECT " + userCols + ", rowid FROM users WHERE pool_id = ? AND key = ?"
	case sGetUserBySub:
		return "SELECT " + userCols + ", rowid FROM users WHERE pool_id = ? AND sub = ?"
	case sListUsers:
		return "SELECT " + userCols + " FROM users WHERE pool_id = ? AND key > ? ORDER BY key LIMIT ?"
	case sCountUsers:
		return "SELECT count(*) FROM users WHERE pool_id = ?"
	case sInsertUser:
		return "INSERT INTO users (" + userCols + ") VALUES (?, ?, ?, ?, ?, ?, ?)"
	case sUpdateUser:
		return "UPDATE users SET username = ?, sub = ?, created = ?, modified = ?, data = ? WHERE pool_id = ? AND key = ?"
	case sUpdateUserAtRowid:
		return "UPDATE users SET username = ?, created = ?, modified = ?, data = ? WHERE rowid = ? AND pool_id = ? AND key = ? AND sub = ?"
	case sUpdateUserSameSub:
		// Leaving sub out of SET spares SQLite rewriting the sub index
		// entry (one more dirty page to journal and write) on every update.
		return "UPDATE users SET username = ?, created = ?, modified = ?, data = ? WHERE pool_id = ? AND key = ? AND sub = ?"
	case sDeleteUser:
		return "DELETE FROM users WHERE pool_id = ? AND key = ?"
	case sDeleteUserAliases:
		return "DELETE FROM aliases WHERE pool_id = ? AND user_key = ?"
	case sDeleteUserTokens:
		return "DELETE FROM refresh_tokens WHERE pool_id = ? AND user_key = ?"
	case sDeleteUserMemberships:
		return "DELETE FROM group_members WHERE pool_id = ? AND user_key = ?"
	case sDeleteUserIndex:
		return "DELETE FROM user_index WHERE pool_id = ? AND user_key = ?"
	case sDeleteUserIndexAttr:
		return "DELETE FROM user_index WHERE pool_id = ? AND user_key = ? AND attr = ?"
	case sInsertIndex:
		// A row left from a stale view of the entries is replaced.
		return "INSERT OR REPLACE INTO user_index (pool_id, attr, value, user_key) VALUES (?, ?, ?, ?)"
	case sMoveIndex:
		return "UPDATE user_index SET value = ? WHERE pool_id = ? AND user_key = ? AND attr = ?"
	case sFindUsers:
		return "SELECT i.value, u.pool_id, u.key, u.username, u.sub, u.created, u.modified, u.data FROM user_index i " +
			"JOIN users u ON u.pool_id = i.pool_id AND u.key = i.user_key " +
			"WHERE i.pool_id = ? AND i.attr = ? AND (i.value, i.user_key) > (?, ?) AND i.value <= ? " +
			"ORDER BY i.value, i.user_key LIMIT ?"

	case sGetItem:
		return "SELECT " + itemCols + " FROM items WHERE pool_id = ? AND kind = ? AND id = ?"
	case sListItems:
		return "SELECT " + itemCols + " FROM items WHERE pool_id = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?"
	case sInsertItem:
		return "INSERT INTO items (" + itemCols + ") VALUES (?, ?, ?, ?, ?, ?)"
	case sUpdateItem:
		return "UPDATE items SET created = ?, modified = ?, data = ? WHERE pool_id = ? AND kind = ? AND id = ?"
	case sDeleteItem:
		return "DELETE FROM items WHERE pool_id = ? AND kind = ? AND id = ?"

	case sGetGroup:
		return "SELECT " + groupCols + " FROM user_groups WHERE pool_id = ? AND name = ?"
	case sListGroups:
		return "SELECT " + groupCols + " FROM user_groups WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?"
	case sCountGroups:
		return "SELECT count(*) FROM user_groups WHERE pool_id = ?"
	case sInsertGroup:
		return "INSERT INTO user_groups (" + groupCols + ") VALUES (?, ?, ?, ?, ?)"
	case sUpdateGroup:
		return "UPDATE user_groups SET created = ?, modified = ?, data = ? WHERE pool_id = ? AND name = ?"
	case sDeleteGroup:
		return "DELETE FROM user_groups WHERE pool_id = ? AND name = ?"
	case sDeleteGroupMembers:
		return "DELETE FROM group_members WHERE pool_id = ? AND group_name = ?"
	case sAddMember:
		return "INSERT INTO group_members (pool_id, group_name, user_key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
	case sRemoveMember:
		return "DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND user_key = ?"
	case sListUserGroups:
		return "SELECT g.pool_id, g.name, g.created, g.modified, g.data FROM group_members m " +
			"JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name " +
			"WHERE m.pool_id = ? AND m.user_key = ? AND m.group_name > ? ORDER BY m.group_name LIMIT ?"
	case sListMembers:
		return "SELECT u.pool_id, u.key, u.username, u.sub, u.created, u.modified, u.data FROM group_members m " +
			"JOIN users u ON u.pool_id = m.pool_id AND u.key = m.user_key " +
			"WHERE m.pool_id = ? AND m.group_name = ? AND m.user_key > ? ORDER BY m.user_key LIMIT ?"

	case sGetAlias:
		return "SELECT user_key FROM aliases WHERE pool_id = ? AND alias = ?"
	case sPutAlias:
		// A row is changed when the alias is new or already held by
		// user_key; another holder leaves the statement without effect.
		return "INSERT INTO aliases (pool_id, alias, user_key) VALUES (?, ?, ?) " +
			"ON CONFLICT (pool_id, alias) DO UPDATE SET user_key = excluded.user_key " +
			"WHERE aliases.user_key = excluded.user_key"
	case sDeleteAlias:
		return "DELETE FROM aliases WHERE pool_id = ? AND alias = ?"

	case sListKeys:
		return "SELECT pool_id, kid, use, private, created FROM keys WHERE pool_id = ? ORDER BY created, seq"
	case sInsertKey:
		return "INSERT INTO keys (pool_id, kid, use, private, created) VALUES (?, ?, ?, ?, ?)"

	case sGetToken:
		return "SELECT " + tokenCols + " FROM refresh_tokens WHERE id = ?"
	case sInsertToken:
		return "INSERT INTO refresh_tokens (" + tokenCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
	case sUpdateToken:
		return "UPDATE refresh_tokens SET pool_id = ?, client_id = ?, user_key = ?, created = ?, expires = ?, revoked = ?, data = ? WHERE id = ?"

	case sInsertMessage:
		return "INSERT INTO messages (" + messageCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	case sUpdateMessage:
		return "UPDATE messages SET pool_id = ?, username = ?, attribute_name = ?, delivery_medium = ?, " +
			"destination = ?, subject = ?, body = ?, code = ?, created = ?, state = ?, attempts = ?, last_error = ? WHERE id = ?"
	case sGetMessage:
		return "SELECT " + messageCols + " FROM messages WHERE id = ?"

	case sGetSetting:
		return "SELECT value FROM settings WHERE name = ?"
	case sPutSetting:
		return "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value"
	}
	if id >= sListMessages && id < sListMessages+8 {
		mask := id - sListMessages
		q := "SELECT " + messageCols + " FROM messages WHERE 1"
		if mask&1 != 0 {
			q += " AND pool_id = ?"
		}
		if mask&2 != 0 {
			q += " AND username = ?"
		}
		if mask&4 != 0 {
			q += " AND attribute_name = ?"
		}
		return q + " ORDER BY created DESC, seq DESC LIMIT ?"
	}
	panic(fmt.Sprintf("sqlite: no statement %d", id))
}

// maxCols is the largest number of result columns of any statement.
const maxCols = 16

// conn is one SQLite connection, used by one goroutine at a time, with its
// prepared statements and a reusable row buffer. It calls the SQLite C API
// (as transpiled to Go by modernc.org/sqlite) directly: the database/sql
// driver layer costs more per statement than a point query itself, and the
// store's read+update budget is a few microseconds. The connection is
// opened without SQLite's own mutex because the store never shares it.
type conn struct {
	tls   *libc.TLS
	db    uintptr
	stmts [numStmts]uintptr
	dest  [maxCols]driver.Value
}

// dbError is an error reported by SQLite.
type dbError struct {
	code int32 // extended result code
	msg  string
}

func (e *dbError) Error() string { return fmt.Sprintf("%s (%d)", e.msg, e.code) }

// dsn builds the SQLite URI of the database file at path (absolute), with
// characters that are special in a URI escaped.
//
// The unix-excl VFS locks the database file for this process alone; the
// connections of the process then coordinate in memory, with the WAL index
// on the heap instead of a shared-memory file. That removes the fcntl
// system calls every transaction would otherwise make, and keeps a second
// process (a second server on the same file) out.
func dsn(path string) string {
	u := url.URL{Scheme: "file", Path: path, RawQuery: "vfs=unix-excl"}
	return u.String()
}

// openConn opens a connection and applies the per-connection pragmas.
func openConn(ctx context.Context, path string, busy time.Duration, readOnly bool) (*conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tls := libc.NewTLS()
	name, err := libc.CString(dsn(path))
	if err != nil {
		tls.Close()
		return nil, err
	}
	defer libc.Xfree(tls, name)
	pdb := tls.Alloc(8)
	defer tls.Free(8)
	flags := int32(sqlite3.SQLITE_OPEN_READWRITE | sqlite3.SQLITE_OPEN_CREATE | sqlite3.SQLITE_OPEN_URI |
		sqlite3.SQLITE_OPEN_NOMUTEX)
	rc := sqlite3.Xsqlite3_open_v2(tls, name, pdb, flags, 0)
	c := &conn{tls: tls, db: readPtr(pdb)}
	if rc != sqlite3.SQLITE_OK {
		err := c.errorf(rc)
		c.close()
		return nil, err
	}
	sqlite3.Xsqlite3_extended_result_codes(tls, c.db, 1)
	pragmas := fmt.Sprintf("PRAGMA busy_timeout = %d; PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF; "+
		"PRAGMA temp_store = MEMORY;", busy.Milliseconds())
	if readOnly {
		pragmas += " PRAGMA query_only = ON;"
	} else {
		// The writer's page cache holds the B-tree pages of the records
		// being changed, so a write to a large pool does not read its
		// pages from the file each time.
		pragmas += " PRAGMA cache_size = -16384;"
	}
	if err := c.script(pragmas); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// readPtr reads the C pointer stored at p (a pointer-sized output
// parameter allocated with at least 8 bytes).
func readPtr(p uintptr) uintptr {
	if strconv.IntSize == 32 {
		return uintptr(binary.NativeEndian.Uint32(libc.GoBytes(p, 4)))
	}
	return uintptr(binary.NativeEndian.Uint64(libc.GoBytes(p, 8)))
}

// errorf returns the connection's current error for result code rc.
func (c *conn) errorf(rc int32) error {
	if c.db == 0 {
		return &dbError{code: rc, msg: "sqlite: out of memory"}
	}
	return &dbError{code: sqlite3.Xsqlite3_extended_errcode(c.tls, c.db),
		msg: libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))}
}

// script runs SQL text that may hold several statements, without arguments.
func (c *conn) script(text string) error {
	z, err := libc.CString(text)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, z)
	if rc := sqlite3.Xsqlite3_exec(c.tls, c.db, z, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return c.errorf(rc)
	}
	return nil
}

// close finalises the statements and closes the connection.
func (c *conn) close() error {
	for i, s := range c.stmts {
		if s != 0 {
			sqlite3.Xsqlite3_finalize(c.tls, s)
			c.stmts[i] = 0
		}
	}
	var err error
	if c.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.errorf(rc)
		}
		c.db = 0
	}
	c.tls.Close()
	return err
}

// prepare compiles one statement.
func (c *conn) prepare(text string) (uintptr, error) {
	z, err := libc.CString(text)
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(c.tls, z)
	pp := c.tls.Alloc(8)
	defer c.tls.Free(8)
	if rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, z, -1, sqlite3.SQLITE_PREPARE_PERSISTENT, pp, 0); rc != sqlite3.SQLITE_OK {
		return 0, c.errorf(rc)
	}
	return readPtr(pp), nil
}

// stmt returns the prepared statement id, preparing it on first use.
func (c *conn) stmt(id stmtID) (uintptr, error) {
	if s := c.stmts[id]; s != 0 {
		return s, nil
	}
	s, err := c.prepare(queryText(id))
	if err != nil {
		return 0, fmt.Errorf("prepare %q: %w", queryText(id), err)
	}
	c.stmts[id] = s
	return s, nil
}

// bind binds args to the parameters of s, in order. Text and blobs are
// copied by SQLite (SQLITE_TRANSIENT) from a scratch buffer.
func (c *conn) bind(s uintptr, args []any) error {
	for i, a := range args {
		n := int32(i + 1)
		var rc int32
		switch v := a.(type) {
		case string:
			rc = c.bindBytes(s, n, v, nil, true)
		case []byte:
			if v == nil {
				rc = sqlite3.Xsqlite3_bind_null(c.tls, s, n)
			} else {
				rc = c.bindBytes(s, n, "", v, false)
			}
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(c.tls, s, n, v)
		case nil:
			rc = sqlite3.Xsqlite3_bind_null(c.tls, s, n)
		default:
			return fmt.Errorf("sqlite: cannot bind %T", a)
		}
		if rc != sqlite3.SQLITE_OK {
			return c.errorf(rc)
		}
	}
	return nil
}

// bindBytes binds text (str, when text) or a blob (b) to parameter n.
func (c *conn) bindBytes(s uintptr, n int32, str string, b []byte, text bool) int32 {
	size := len(b)
	if text {
		size = len(str)
	}
	p := c.tls.Alloc(max(size, 1))
	defer c.tls.Free(max(size, 1))
	buf := libc.GoBytes(p, size)
	if text {
		copy(buf, str)
		return sqlite3.Xsqlite3_bind_text(c.tls, s, n, p, int32(size), sqlite3.SQLITE_TRANSIENT)
	}
	copy(buf, b)
	return sqlite3.Xsqlite3_bind_blob(c.tls, s, n, p, int32(size), sqlite3.SQLITE_TRANSIENT)
}

// start prepares (once) and binds statement id.
func (c *conn) start(id stmtID, args []any) (uintptr, error) {
	s, err := c.stmt(id)
	if err != nil {
		return 0, err
	}
	if err := c.bind(s, args); err != nil {
		sqlite3.Xsqlite3_reset(c.tls, s)
		return 0, err
	}
	return s, nil
}

// finish resets s for its next use, keeping the first error.
func (c *conn) finish(s uintptr, err error) error {
	if rc := sqlite3.Xsqlite3_reset(c.tls, s); rc != sqlite3.SQLITE_OK && err == nil {
		err = c.errorf(rc)
	}
	return err
}

// totalChanges counts the rows c's INSERT, UPDATE and DELETE statements
// have changed since it opened.
// pagesWritten returns the number of pages the connection has written to
// the WAL since the last call.
func (c *conn) pagesWritten() int {
	p := c.tls.Alloc(8)
	defer c.tls.Free(8)
	if sqlite3.Xsqlite3_db_status(c.tls, c.db, sqlite3.SQLITE_DBSTATUS_CACHE_WRITE, p, p+4, 1) != sqlite3.SQLITE_OK {
		return 0
	}
	return int(int32(binary.NativeEndian.Uint32(libc.GoBytes(p, 4))))
}

func (c *conn) totalChanges() int64 {
	return sqlite3.Xsqlite3_total_changes64(c.tls, c.db)
}

// autocommit reports whether c is outside a transaction (SQLite ends one
// by itself on some I/O errors).
func (c *conn) autocommit() bool {
	return sqlite3.Xsqlite3_get_autocommit(c.tls, c.db) != 0
}

// lastInsertRowid is the rowid of the row the last INSERT on c added.
func (c *conn) lastInsertRowid() int64 {
	return sqlite3.Xsqlite3_last_insert_rowid(c.tls, c.db)
}

// exec runs a statement to completion and reports the number of rows it
// changed.
func (c *conn) exec(id stmtID, args ...any) (int64, error) {
	s, err := c.start(id, args)
	if err != nil {
		return 0, err
	}
	for {
		rc := sqlite3.Xsqlite3_step(c.tls, s)
		if rc == sqlite3.SQLITE_ROW {
			continue
		}
		if rc != sqlite3.SQLITE_DONE {
			err := c.errorf(rc)
			return 0, c.finish(s, err)
		}
		break
	}
	n := sqlite3.Xsqlite3_changes64(c.tls, c.db)
	return n, c.finish(s, nil)
}

// row reads the current row's first ncol columns into c.dest.
func (c *conn) row(s uintptr, ncol int) []driver.Value {
	dest := c.dest[:ncol]
	for i := range dest {
		col := int32(i)
		switch sqlite3.Xsqlite3_column_type(c.tls, s, col) {
		case sqlite3.SQLITE_INTEGER:
			dest[i] = sqlite3.Xsqlite3_column_int64(c.tls, s, col)
		case sqlite3.SQLITE_TEXT:
			p := sqlite3.Xsqlite3_column_text(c.tls, s, col)
			n := sqlite3.Xsqlite3_column_bytes(c.tls, s, col)
			dest[i] = string(libc.GoBytes(p, int(n)))
		case sqlite3.SQLITE_BLOB:
			p := sqlite3.Xsqlite3_column_blob(c.tls, s, col)
			n := sqlite3.Xsqlite3_column_bytes(c.tls, s, col)
			if n == 0 {
				dest[i] = []byte{}
			} else {
				dest[i] = append([]byte(nil), libc.GoBytes(p, int(n))...)
			}
		case sqlite3.SQLITE_FLOAT:
			dest[i] = sqlite3.Xsqlite3_column_double(c.tls, s, col)
		default:
			dest[i] = nil
		}
	}
	return dest
}

// one runs a query for at most one row of ncol columns and returns its
// values, valid until the next call on c; store.ErrNotFound if no row.
func (c *conn) one(id stmtID, ncol int, args ...any) ([]driver.Value, error) {
	s, err := c.start(id, args)
	if err != nil {
		return nil, err
	}
	switch rc := sqlite3.Xsqlite3_step(c.tls, s); rc {
	case sqlite3.SQLITE_ROW:
		dest := c.row(s, ncol)
		return dest, c.finish(s, nil)
	case sqlite3.SQLITE_DONE:
		return nil, c.finish(s, store.ErrNotFound)
	default:
		return nil, c.finish(s, c.errorf(rc))
	}
}

// each runs a query and calls fn with the values of every row.
func (c *conn) each(id stmtID, ncol int, fn func([]driver.Value), args ...any) error {
	s, err := c.start(id, args)
	if err != nil {
		return err
	}
	for {
		switch rc := sqlite3.Xsqlite3_step(c.tls, s); rc {
		case sqlite3.SQLITE_ROW:
			fn(c.row(s, ncol))
		case sqlite3.SQLITE_DONE:
			clear(c.dest[:ncol])
			return c.finish(s, nil)
		default:
			clear(c.dest[:ncol])
			return c.finish(s, c.errorf(rc))
		}
	}
}

// text runs one statement without arguments and returns the first column
// of its first row as a string.
func (c *conn) text(query string) (string, error) {
	s, err := c.prepare(query)
	if err != nil {
		return "", err
	}
	defer sqlite3.Xsqlite3_finalize(c.tls, s)
	switch rc := sqlite3.Xsqlite3_step(c.tls, s); rc {
	case sqlite3.SQLITE_ROW:
		return str(c.row(s, 1)[0]), nil
	case sqlite3.SQLITE_DONE:
		return "", nil
	default:
		return "", c.errorf(rc)
	}
}

// isConstraint reports whether err is a SQLite constraint violation.
func isConstraint(err error) bool {
	var e *dbError
	return errors.As(err, &e) && e.code&0xff == sqlite3.SQLITE_CONSTRAINT
}

// Conversions between records and column values.

func toMicros(t time.Time) int64 { return t.UnixMicro() }

func str(v driver.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

func i64(v driver.Value) int64 {
	n, _ := v.(int64)
	return n
}

func blob(v driver.Value) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return nil
}

func tm(v driver.Value) time.Time { return time.UnixMicro(i64(v)).UTC() }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
