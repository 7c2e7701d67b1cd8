package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// BenchPool is the pool ID the benchmarks seed their users into.
const BenchPool = "us-east-1_bench"

// benchUsers is how many users each benchmark seeds and cycles through.
const benchUsers = 1000

// benchCtx is the context of one benchmark run, cancelled when it ends.
func benchCtx(b *testing.B) context.Context {
	c, cancel := context.WithTimeout(b.Context(), 10*time.Minute)
	b.Cleanup(cancel)
	return c
}

// seedUsers creates n users u0000... in BenchPool with a realistic Data
// document, in one Update, and returns their keys.
func seedUsers(b *testing.B, c context.Context, s store.Store, n int) []string {
	b.Helper()
	data := []byte(`{"attributes":{"email":"jane@example.com","email_verified":"true","name":"Jane Doe",` +
		`"phone_number":"+15550100"},"status":"CONFIRMED","enabled":true,"password":"` +
		strings.Repeat("x", 96) + `","srp_salt":"` + strings.Repeat("y", 32) + `"}`)
	now := time.Now()
	keys := make([]string, n)
	err := s.Update(c, func(tx store.Tx) error {
		for i := range n {
			keys[i] = fmt.Sprintf("u%04d", i)
			u := store.User{PoolID: BenchPool, Key: keys[i], Username: keys[i],
				Sub: fmt.Sprintf("sub-%04d", i), Created: now, Modified: now, Data: data}
			if err := tx.CreateUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seeding users: %v", err)
	}
	return keys
}

// BenchUpdateUser seeds users into s, which must hold none in BenchPool,
// then runs GetUser+PutUser Updates from 16×GOMAXPROCS goroutines, each
// one transaction and one durable commit. It reports allocations and
// cpu-ns/op, the whole test process's user+system CPU time per Update
// (on platforms without getrusage, 0).
func BenchUpdateUser(b *testing.B, s store.Store) {
	c := benchCtx(b)
	keys := seedUsers(b, c, s, benchUsers)
	b.SetParallelism(16)
	b.ReportAllocs()
	start := cpuTime()
	b.ResetTimer()
	var next sync.Mutex
	seq := 0
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			next.Lock()
			key := keys[seq%len(keys)]
			seq++
			next.Unlock()
			err := s.Update(c, func(tx store.Tx) error {
				u, err := tx.GetUser(BenchPool, key)
				if err != nil {
					return err
				}
				u.Modified = time.Now()
				return tx.PutUser(u)
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// BenchGetUser seeds users into s, which must hold none in BenchPool, then
// runs one-read Views from parallel goroutines. It reports allocations and
// cpu-ns/op as BenchUpdateUser does.
func BenchGetUser(b *testing.B, s store.Store) {
	c := benchCtx(b)
	keys := seedUsers(b, c, s, benchUsers)
	b.ReportAllocs()
	start := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			err := s.View(c, func(tx store.Tx) error {
				_, err := tx.GetUser(BenchPool, keys[i%len(keys)])
				return err
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// BenchGetPutUserInTx seeds users into s, which must hold none in
// BenchPool, then measures the statement cost alone: GetUser and PutUser
// pairs, a thousand per Update, so commits are negligible. It reports
// allocations.
func BenchGetPutUserInTx(b *testing.B, s store.Store) {
	c := benchCtx(b)
	keys := seedUsers(b, c, s, benchUsers)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(b.N-done, 1000)
		err := s.Update(c, func(tx store.Tx) error {
			for i := range n {
				u, err := tx.GetUser(BenchPool, keys[(done+i)%len(keys)])
				if err != nil {
					return err
				}
				u.Modified = time.Now()
				if err := tx.PutUser(u); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += n
	}
}
