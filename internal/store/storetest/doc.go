// Package storetest is the conformance suite every store.Store backend must
// pass: record semantics (ErrNotFound, ErrConflict, ErrReadOnly), ordering
// and pagination, cascades, Update atomicity, and the concurrency rules
// (no lost update, one winner per alias claim, single use of a refresh
// token) the domain relies on. It also holds the store benchmarks
// (BenchUpdateUser, BenchGetUser, BenchGetPutUserInTx) that every backend
// runs, so their figures compare.
//
// It knows only package store: no SQL, no backend detail. Backend-specific
// properties (durability across a restart, crash safety, batching) are
// tested in the backend's own package.
package storetest
