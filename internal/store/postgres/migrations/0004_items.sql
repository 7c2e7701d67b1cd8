-- A pool's other records (domains, resource servers, identity providers,
-- import jobs, terms, brandings), by kind. DeletePool removes them.
CREATE TABLE items (
	pool_id  text COLLATE "C" NOT NULL,
	kind     text COLLATE "C" NOT NULL,
	id       text COLLATE "C" NOT NULL,
	created  timestamptz NOT NULL,
	modified timestamptz NOT NULL,
	data     bytea,
	PRIMARY KEY (pool_id, kind, id)
);
