package postgres_test

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store/storetest"
)

// The benchmarks are those of storetest (and so mirror the SQLite
// backend's), each on a schema of its own. cpu-ns/op counts this process
// only, not the database server.

// BenchmarkUpdateUser runs GetUser+PutUser Updates from parallel
// goroutines, each one transaction and one synchronous commit.
func BenchmarkUpdateUser(b *testing.B) {
	storetest.BenchUpdateUser(b, open(b, freshSchema(b)))
}

// BenchmarkGetUser runs one-read Views from parallel goroutines.
func BenchmarkGetUser(b *testing.B) {
	storetest.BenchGetUser(b, open(b, freshSchema(b)))
}

// BenchmarkGetPutUserInTx measures the statement cost alone: GetUser and
// PutUser pairs, a thousand per Update, so commits are negligible.
func BenchmarkGetPutUserInTx(b *testing.B) {
	storetest.BenchGetPutUserInTx(b, open(b, freshSchema(b)))
}
