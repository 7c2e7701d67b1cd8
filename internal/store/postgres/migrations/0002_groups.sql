-- Groups of users and their memberships. DeletePool, DeleteUser and
-- DeleteGroup remove memberships explicitly, as for the other tables.
CREATE TABLE user_groups (
	pool_id  text COLLATE "C" NOT NULL,
	name     text COLLATE "C" NOT NULL,
	created  timestamptz NOT NULL,
	modified timestamptz NOT NULL,
	data     bytea,
	PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
	pool_id    text COLLATE "C" NOT NULL,
	group_name text COLLATE "C" NOT NULL,
	user_key   text COLLATE "C" NOT NULL,
	PRIMARY KEY (pool_id, group_name, user_key)
);
CREATE INDEX group_members_by_user ON group_members (pool_id, user_key, group_name);
