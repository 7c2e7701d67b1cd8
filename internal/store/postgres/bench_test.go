package postgres_test

import (
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/postgres"
)

// The benchmarks mirror those of the SQLite backend, each on a schema of
// its own. cpu-ns/op counts this process only, not the database server.

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const benchPool = "us-east-1_bench"

// seedUsers creates n users u0000... with a realistic Data document.
func seedUsers(b *testing.B, s *postgres.Store, n int) []string {
	b.Helper()
	data := []byte(`{"attributes":{"email":"jane@example.com","email_verified":"true","name":"Jane Doe",` +
		`"phone_number":"+15550100"},"status":"CONFIRMED","enabled":true,"password":"` +
		strings.Repeat("x", 96) + `","srp_salt":"` + strings.Repeat("y", 32) + `"}`)
	now := time.Now()
	keys := make([]string, n)
	err := s.Update(ctx(b), func(tx store.Tx) error {
		for i := range n {
			keys[i] = fmt.Sprintf("u%04d", i)
			u := store.User{PoolID: benchPool, Key: keys[i], Username: keys[i],
				Sub: fmt.Sprintf("sub-%04d", i), Created: now, Modified: now, Data: data}
			if err := tx.CreateUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return keys
}

// BenchmarkUpdateUser runs GetUser+PutUser Updates from parallel
// goroutines, each one transaction and one synchronous commit.
func BenchmarkUpdateUser(b *testing.B) {
	s := open(b, freshSchema(b))
	const users = 1000
	keys := seedUsers(b, s, users)
	c := ctx(b)
	b.SetParallelism(16)
	b.ReportAllocs()
	start := cpuTime()
	b.ResetTimer()
	var next sync.Mutex
	seq := 0
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			next.Lock()
			key := keys[seq%users]
			seq++
			next.Unlock()
			err := s.Update(c, func(tx store.Tx) error {
				u, err := tx.GetUser(benchPool, key)
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

// BenchmarkGetUser runs one-read Views from parallel goroutines.
func BenchmarkGetUser(b *testing.B) {
	s := open(b, freshSchema(b))
	const users = 1000
	keys := seedUsers(b, s, users)
	c := ctx(b)
	b.ReportAllocs()
	start := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			err := s.View(c, func(tx store.Tx) error {
				_, err := tx.GetUser(benchPool, keys[i%users])
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

// BenchmarkGetPutUserInTx measures the statement cost alone: GetUser and
// PutUser pairs, a thousand per Update, so commits are negligible.
func BenchmarkGetPutUserInTx(b *testing.B) {
	s := open(b, freshSchema(b))
	const users = 1000
	keys := seedUsers(b, s, users)
	c := ctx(b)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(b.N-done, 1000)
		err := s.Update(c, func(tx store.Tx) error {
			for i := range n {
				u, err := tx.GetUser(benchPool, keys[(done+i)%users])
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
