// Package sqlite is the embedded store.Store backend: one SQLite database
// file in WAL mode through the pure-Go modernc.org/sqlite driver, with
// prepared statements per connection.
//
// Writes go to a single writer goroutine that group-commits the queued
// Update calls: one transaction and one sync of the WAL per batch, and no
// caller hears of its write, and no reader sees it, before that sync. On
// Linux the writer syncs and checkpoints by itself, waiting for the disk
// through AIO so that no thread blocks (sync_linux.go); elsewhere SQLite
// syncs inside COMMIT (synchronous=FULL). Reads run in parallel on a pool
// of read-only connections, each on a WAL snapshot. The schema is
// versioned by embedded migrations applied at Open.
//
// The package stores records and enforces uniqueness; it must not know any
// Cognito rule, and nothing above package store should import it except
// the wiring in cmd.
package sqlite
