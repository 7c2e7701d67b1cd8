// Package postgres is the shared store.Store backend: a PostgreSQL database
// reached through a pgx connection pool, so that several cognate serve
// nodes behind one load balancer share users, pools, keys, codes and
// refresh tokens.
//
// Consistency model. View runs in a REPEATABLE READ READ ONLY transaction:
// one snapshot for the whole function. Update runs in a READ COMMITTED
// transaction in which the per-user records that requests read and then
// write take row locks as they are read (GetUser, GetUserBySub and
// GetRefreshToken end in FOR UPDATE), so concurrent read-modify-write of
// one user or one refresh token queues on the row instead of failing.
// Pools and clients, which every request reads but only admin calls write,
// are not locked; PutPool and PutClient instead check that the row is
// still the version GetPool or GetClient returned in the same Update
// (compare-and-swap on the row's xmin) and otherwise ask for a retry.
// Serialisation failures (40001), deadlocks (40P01) and those lost
// compare-and-swaps make Update roll back and run fn again, a bounded
// number of times with jittered backoff; the store.Store contract allows
// fn to run more than once. Uniqueness is enforced by the schema and
// reported as store.ErrConflict without aborting the caller's transaction
// (INSERT ... ON CONFLICT DO NOTHING, or a savepoint where that cannot be
// used).
//
// Durability: Update returns nil only after COMMIT has returned, and every
// connection runs with synchronous_commit on (a server or role default of
// "off" is overridden per session, with a warning), so a committed Update
// survives a crash of the database server as far as its fsync and
// replication settings promise.
//
// The schema is versioned by embedded migrations applied at Open under a
// transaction-level advisory lock, so nodes starting together do not race.
//
// The package stores records and enforces uniqueness; it must not know any
// Cognito rule, and nothing above package store should import it except
// the wiring in internal/app.
package postgres
