-- The searchable values of users (store.User.Index), for ListUsers
-- filters: one row per user and attribute, found by (attr, value) in
-- order, and removed by user. DeletePool and DeleteUser remove them
-- explicitly, as for the other tables. Users written before this table
-- existed are indexed by the server at its next start.
CREATE TABLE user_index (
	pool_id  text COLLATE "C" NOT NULL,
	attr     text COLLATE "C" NOT NULL,
	value    text COLLATE "C" NOT NULL,
	user_key text COLLATE "C" NOT NULL,
	PRIMARY KEY (pool_id, attr, value, user_key)
);
CREATE INDEX user_index_by_user ON user_index (pool_id, user_key, attr);
