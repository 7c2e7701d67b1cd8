// Package sqlite is the embedded store.Store backend: one SQLite database
// file (WAL mode, synchronous=FULL) through the pure-Go modernc.org/sqlite
// driver, used below database/sql with prepared statements per connection.
//
// Writes go to a single writer goroutine that group-commits the queued
// Update calls: one transaction, one savepoint per call, one fsync per
// batch. Reads run in parallel on a pool of read-only connections, each on
// a WAL snapshot. The schema is versioned by embedded migrations applied at
// Open.
//
// The package stores records and enforces uniqueness; it must not know any
// Cognito rule, and nothing above package store should import it except
// the wiring in cmd.
package sqlite
