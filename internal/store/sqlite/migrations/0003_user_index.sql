-- The searchable values of users (store.User.Index), for ListUsers
-- filters: one row per user and attribute, found by (attr, value) in
-- order through user_index_by_value. Rows are addressed by user and
-- attribute, so a changed value is one row update that touches only the
-- by-value index. DeletePool and DeleteUser remove them explicitly, as
-- for the other tables. Users written before this table existed are
-- indexed by the server at its next start.
CREATE TABLE user_index (
	pool_id  TEXT NOT NULL,
	user_key TEXT NOT NULL,
	attr     TEXT NOT NULL,
	value    TEXT NOT NULL,
	PRIMARY KEY (pool_id, user_key, attr)
) WITHOUT ROWID;
CREATE INDEX user_index_by_value ON user_index (pool_id, attr, value, user_key);
