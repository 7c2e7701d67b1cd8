package sqlite

import (
	"database/sql/driver"

	"github.com/cognate-idp/cognate/internal/store"
)

// Groups and memberships are not cached: they are read when tokens are
// issued and by the group operations, not on the hot attribute paths.

func scanGroup(v []driver.Value) store.Group {
	return store.Group{PoolID: str(v[0]), Name: str(v[1]), Created: tm(v[2]), Modified: tm(v[3]), Data: blob(v[4])}
}

func (t *tx) GetGroup(poolID, name string) (store.Group, error) {
	c, err := t.conn()
	if err != nil {
		return store.Group{}, err
	}
	v, err := c.one(sGetGroup, 5, poolID, name)
	if err != nil {
		return store.Group{}, fail("get group", err)
	}
	return scanGroup(v), nil
}

func (t *tx) ListGroups(poolID, afterName string, limit int) ([]store.Group, error) {
	return t.groups("list groups", sListGroups, poolID, afterName, limitArg(limit))
}

func (t *tx) CountGroups(poolID string) (int64, error) {
	c, err := t.conn()
	if err != nil {
		return 0, err
	}
	v, err := c.one(sCountGroups, 1, poolID)
	if err != nil {
		return 0, fail("count groups", err)
	}
	return i64(v[0]), nil
}

func (t *tx) ListUserGroups(poolID, userKey, afterName string, limit int) ([]store.Group, error) {
	return t.groups("list user groups", sListUserGroups, poolID, userKey, afterName, limitArg(limit))
}

func (t *tx) groups(op string, stmt stmtID, args ...any) ([]store.Group, error) {
	c, err := t.conn()
	if err != nil {
		return nil, err
	}
	var out []store.Group
	if err := c.each(stmt, 5, func(v []driver.Value) { out = append(out, scanGroup(v)) }, args...); err != nil {
		return nil, fail(op, err)
	}
	return out, nil
}

func (t *tx) CreateGroup(g store.Group) error {
	return t.insert("create group", sInsertGroup, g.PoolID, g.Name, toMicros(g.Created), toMicros(g.Modified), g.Data)
}

func (t *tx) PutGroup(g store.Group) error {
	return t.change("put group", sUpdateGroup, toMicros(g.Created), toMicros(g.Modified), g.Data, g.PoolID, g.Name)
}

func (t *tx) DeleteGroup(poolID, name string) error {
	if err := t.change("delete group", sDeleteGroup, poolID, name); err != nil {
		return err
	}
	if _, err := t.c.exec(sDeleteGroupMembers, poolID, name); err != nil {
		return fail("delete group", err)
	}
	return nil
}

func (t *tx) AddMember(poolID, group, userKey string) error {
	if err := t.write(); err != nil {
		return err
	}
	if _, err := t.c.exec(sAddMember, poolID, group, userKey); err != nil {
		return fail("add member", err)
	}
	return nil
}

func (t *tx) RemoveMember(poolID, group, userKey string) error {
	if err := t.write(); err != nil {
		return err
	}
	if _, err := t.c.exec(sRemoveMember, poolID, group, userKey); err != nil {
		return fail("remove member", err)
	}
	return nil
}

func (t *tx) ListMembers(poolID, group, afterKey string, limit int) ([]store.User, error) {
	c, err := t.conn()
	if err != nil {
		return nil, err
	}
	var out []store.User
	err = c.each(sListMembers, 7, func(v []driver.Value) { out = append(out, scanUser(v)) }, poolID, group, afterKey, limitArg(limit))
	if err != nil {
		return nil, fail("list members", err)
	}
	return out, nil
}
