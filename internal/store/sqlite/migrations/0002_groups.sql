-- Groups of users and their memberships. DeletePool, DeleteUser and
-- DeleteGroup remove memberships explicitly, as for the other tables.
CREATE TABLE user_groups (
	pool_id  TEXT    NOT NULL,
	name     TEXT    NOT NULL,
	created  INTEGER NOT NULL,
	modified INTEGER NOT NULL,
	data     BLOB,
	PRIMARY KEY (pool_id, name)
) WITHOUT ROWID;

CREATE TABLE group_members (
	pool_id    TEXT NOT NULL,
	group_name TEXT NOT NULL,
	user_key   TEXT NOT NULL,
	PRIMARY KEY (pool_id, group_name, user_key)
) WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members (pool_id, user_key, group_name);
