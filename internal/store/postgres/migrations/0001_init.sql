-- Initial schema. Times are timestamptz (microseconds). Text keys use the
-- "C" collation so that ORDER BY and the "> afterKey" pagination compare
-- bytes, as the SQLite backend does, whatever the database's locale.
-- There are no foreign keys: the store deletes dependants explicitly
-- (DeletePool, DeleteUser), so every pool_id column leads an index to keep
-- those deletes cheap.

CREATE TABLE pools (
	id       text COLLATE "C" NOT NULL PRIMARY KEY,
	name     text NOT NULL,
	created  timestamptz NOT NULL,
	modified timestamptz NOT NULL,
	data     bytea
);

CREATE TABLE clients (
	pool_id  text COLLATE "C" NOT NULL,
	id       text COLLATE "C" NOT NULL,
	name     text NOT NULL,
	created  timestamptz NOT NULL,
	modified timestamptz NOT NULL,
	data     bytea,
	PRIMARY KEY (pool_id, id)
);
-- Client IDs are unique across pools (GetClientByID).
CREATE UNIQUE INDEX clients_by_id ON clients (id);

CREATE TABLE users (
	pool_id  text COLLATE "C" NOT NULL,
	key      text COLLATE "C" NOT NULL,
	username text NOT NULL,
	sub      text COLLATE "C" NOT NULL,
	created  timestamptz NOT NULL,
	modified timestamptz NOT NULL,
	data     bytea,
	PRIMARY KEY (pool_id, key),
	UNIQUE (pool_id, sub)
);

CREATE TABLE aliases (
	pool_id  text COLLATE "C" NOT NULL,
	alias    text COLLATE "C" NOT NULL,
	user_key text COLLATE "C" NOT NULL,
	PRIMARY KEY (pool_id, alias)
);
CREATE INDEX aliases_by_user ON aliases (pool_id, user_key);

-- seq keeps insertion order for keys created in the same microsecond.
CREATE TABLE keys (
	seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kid     text COLLATE "C" NOT NULL UNIQUE,
	pool_id text COLLATE "C" NOT NULL,
	use     text NOT NULL,
	private bytea,
	created timestamptz NOT NULL
);
CREATE INDEX keys_by_pool ON keys (pool_id, created, seq);

CREATE TABLE refresh_tokens (
	id        text COLLATE "C" NOT NULL PRIMARY KEY,
	pool_id   text COLLATE "C" NOT NULL,
	client_id text NOT NULL,
	user_key  text COLLATE "C" NOT NULL,
	created   timestamptz NOT NULL,
	expires   timestamptz NOT NULL,
	revoked   boolean NOT NULL,
	data      bytea
);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (pool_id, user_key);

-- seq is the insertion order that breaks ties between equal created times.
CREATE TABLE messages (
	seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id              text COLLATE "C" NOT NULL UNIQUE,
	pool_id         text COLLATE "C" NOT NULL,
	username        text COLLATE "C" NOT NULL,
	attribute_name  text NOT NULL,
	delivery_medium text NOT NULL,
	destination     text NOT NULL,
	subject         text NOT NULL,
	body            text NOT NULL,
	code            text NOT NULL,
	created         timestamptz NOT NULL,
	state           text NOT NULL,
	attempts        integer NOT NULL,
	last_error      text NOT NULL
);
CREATE INDEX messages_by_pool ON messages (pool_id, created, seq);
CREATE INDEX messages_by_user ON messages (pool_id, username, attribute_name, created, seq);
CREATE INDEX messages_by_created ON messages (created, seq);

CREATE TABLE settings (
	name  text COLLATE "C" NOT NULL PRIMARY KEY,
	value bytea
);
