package postgres

import (
	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

const groupCols = "pool_id, name, created, modified, data"

func scanGroup(r pgx.Row) (store.Group, error) {
	var g store.Group
	err := r.Scan(&g.PoolID, &g.Name, &g.Created, &g.Modified, &g.Data)
	g.Created, g.Modified = utc(g.Created), utc(g.Modified)
	return g, err
}

func (t *tx) GetGroup(poolID, name string) (store.Group, error) {
	if err := t.read(); err != nil {
		return store.Group{}, err
	}
	g, err := scanGroup(t.queryRow("SELECT "+groupCols+" FROM user_groups WHERE pool_id = $1 AND name = $2", poolID, name))
	if err != nil {
		return store.Group{}, fail("get group", err)
	}
	return g, nil
}

func (t *tx) ListGroups(poolID, afterName string, limit int) ([]store.Group, error) {
	return t.groups("list groups", "SELECT "+groupCols+" FROM user_groups WHERE pool_id = $1 AND name > $2 ORDER BY name LIMIT $3",
		poolID, afterName, limitArg(limit))
}

func (t *tx) CountGroups(poolID string) (int64, error) {
	if err := t.read(); err != nil {
		return 0, err
	}
	var n int64
	if err := t.queryRow("SELECT count(*) FROM user_groups WHERE pool_id = $1", poolID).Scan(&n); err != nil {
		return 0, fail("count groups", err)
	}
	return n, nil
}

func (t *tx) ListUserGroups(poolID, userKey, afterName string, limit int) ([]store.Group, error) {
	return t.groups("list user groups", "SELECT g.pool_id, g.name, g.created, g.modified, g.data FROM group_members m "+
		"JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name "+
		"WHERE m.pool_id = $1 AND m.user_key = $2 AND m.group_name > $3 ORDER BY m.group_name LIMIT $4",
		poolID, userKey, afterName, limitArg(limit))
}

func (t *tx) groups(op, sql string, args ...any) ([]store.Group, error) {
	return collect(t, op, scanGroup, sql, args...)
}

func (t *tx) CreateGroup(g store.Group) error {
	return t.insert("create group", "INSERT INTO user_groups ("+groupCols+") VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
		g.PoolID, g.Name, g.Created, g.Modified, g.Data)
}

func (t *tx) PutGroup(g store.Group) error {
	return t.change("put group", "UPDATE user_groups SET created = $1, modified = $2, data = $3 WHERE pool_id = $4 AND name = $5",
		g.Created, g.Modified, g.Data, g.PoolID, g.Name)
}

func (t *tx) DeleteGroup(poolID, name string) error {
	if err := t.change("delete group", "DELETE FROM user_groups WHERE pool_id = $1 AND name = $2", poolID, name); err != nil {
		return err
	}
	_, err := t.exec("delete group", "DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2", poolID, name)
	return err
}

func (t *tx) AddMember(poolID, group, userKey string) error {
	_, err := t.exec("add member", "INSERT INTO group_members (pool_id, group_name, user_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		poolID, group, userKey)
	return err
}

func (t *tx) RemoveMember(poolID, group, userKey string) error {
	_, err := t.exec("remove member", "DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2 AND user_key = $3",
		poolID, group, userKey)
	return err
}

func (t *tx) ListMembers(poolID, group, afterKey string, limit int) ([]store.User, error) {
	return collect(t, "list members", scanUser, "SELECT u.pool_id, u.key, u.username, u.sub, u.created, u.modified, u.data FROM group_members m "+
		"JOIN users u ON u.pool_id = m.pool_id AND u.key = m.user_key "+
		"WHERE m.pool_id = $1 AND m.group_name = $2 AND m.user_key > $3 ORDER BY m.user_key LIMIT $4",
		poolID, group, afterKey, limitArg(limit))
}
