-- Initial schema. Times are INTEGER microseconds since the Unix epoch (UTC).
-- There are no foreign keys: the store deletes dependants explicitly
-- (DeletePool, DeleteUser), so every pool_id column is the leading column of
-- an index to keep those deletes cheap.

CREATE TABLE pools (
	id       TEXT    NOT NULL PRIMARY KEY,
	name     TEXT    NOT NULL,
	created  INTEGER NOT NULL,
	modified INTEGER NOT NULL,
	data     BLOB
);

CREATE TABLE clients (
	pool_id  TEXT    NOT NULL,
	id       TEXT    NOT NULL,
	name     TEXT    NOT NULL,
	created  INTEGER NOT NULL,
	modified INTEGER NOT NULL,
	data     BLOB,
	PRIMARY KEY (pool_id, id)
);
-- Client IDs are unique across pools (GetClientByID).
CREATE UNIQUE INDEX clients_by_id ON clients (id);

CREATE TABLE users (
	pool_id  TEXT    NOT NULL,
	key      TEXT    NOT NULL,
	username TEXT    NOT NULL,
	sub      TEXT    NOT NULL,
	created  INTEGER NOT NULL,
	modified INTEGER NOT NULL,
	data     BLOB,
	UNIQUE (pool_id, key),
	UNIQUE (pool_id, sub)
);

CREATE TABLE aliases (
	pool_id  TEXT NOT NULL,
	alias    TEXT NOT NULL,
	user_key TEXT NOT NULL,
	PRIMARY KEY (pool_id, alias)
) WITHOUT ROWID;
CREATE INDEX aliases_by_user ON aliases (pool_id, user_key);

-- seq keeps insertion order for keys created in the same microsecond.
CREATE TABLE keys (
	seq     INTEGER PRIMARY KEY,
	kid     TEXT    NOT NULL UNIQUE,
	pool_id TEXT    NOT NULL,
	use     TEXT    NOT NULL,
	private BLOB,
	created INTEGER NOT NULL
);
CREATE INDEX keys_by_pool ON keys (pool_id, created);

CREATE TABLE refresh_tokens (
	id        TEXT    NOT NULL PRIMARY KEY,
	pool_id   TEXT    NOT NULL,
	client_id TEXT    NOT NULL,
	user_key  TEXT    NOT NULL,
	created   INTEGER NOT NULL,
	expires   INTEGER NOT NULL,
	revoked   INTEGER NOT NULL,
	data      BLOB
);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (pool_id, user_key);

-- seq is the insertion order that breaks ties between equal created times.
CREATE TABLE messages (
	seq             INTEGER PRIMARY KEY,
	id              TEXT    NOT NULL UNIQUE,
	pool_id         TEXT    NOT NULL,
	username        TEXT    NOT NULL,
	attribute_name  TEXT    NOT NULL,
	delivery_medium TEXT    NOT NULL,
	destination     TEXT    NOT NULL,
	subject         TEXT    NOT NULL,
	body            TEXT    NOT NULL,
	code            TEXT    NOT NULL,
	created         INTEGER NOT NULL,
	state           TEXT    NOT NULL,
	attempts        INTEGER NOT NULL,
	last_error      TEXT    NOT NULL
);
CREATE INDEX messages_by_pool ON messages (pool_id, created);
CREATE INDEX messages_by_user ON messages (pool_id, username, attribute_name, created);
CREATE INDEX messages_by_created ON messages (created);

CREATE TABLE settings (
	name  TEXT NOT NULL PRIMARY KEY,
	value BLOB
);
