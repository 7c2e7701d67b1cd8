-- The searchable values of users (store.User.Index), for ListUsers
-- filters: one row per user and attribute, found by (attr, value) in
-- order, and removed by user. DeletePool and DeleteUser remove them
-- explicitly, as for the other tables. Users written before this table
-- existed are indexed by the server at its next start.
CREATE TABLE user_index (
	pool_id  TEXT NOT NULL,
	attr     TEXT NOT NULL,
	value    TEXT NOT NULL,
	user_key TEXT NOT NULL,
	PRIMARY KEY (pool_id, attr, value, user_key)
) WITHOUT ROWID;
CREATE INDEX user_index_by_user ON user_index (pool_id, user_key, attr);
