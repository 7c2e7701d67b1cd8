-- A pool's other records (domains, resource servers, identity providers,
-- import jobs, terms, brandings), by kind. DeletePool removes them.
CREATE TABLE items (
	pool_id  TEXT    NOT NULL,
	kind     TEXT    NOT NULL,
	id       TEXT    NOT NULL,
	created  INTEGER NOT NULL,
	modified INTEGER NOT NULL,
	data     BLOB,
	PRIMARY KEY (pool_id, kind, id)
) WITHOUT ROWID;
