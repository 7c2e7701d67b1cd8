package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // database/sql driver, to tamper with a database in tests

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
	"github.com/cognate-idp/cognate/internal/store/storetest"
)

// openAt opens the store at path and closes it when the test ends.
func openAt(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return openAt(t, filepath.Join(t.TempDir(), "cognate.db"))
	})
}

// TestConformanceCacheSizes runs the suite with a record cache that can hold
// only a record or two (so that evictions happen all the time) and with no
// cache at all.
func TestConformanceCacheSizes(t *testing.T) {
	for _, size := range []int{600, -1} {
		t.Run(fmt.Sprintf("CacheBytes=%d", size), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				path := filepath.Join(t.TempDir(), "cognate.db")
				s, err := sqlite.Open(ctx(t), path, sqlite.Options{CacheBytes: size})
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				t.Cleanup(func() {
					if err := s.Close(); err != nil {
						t.Errorf("Close: %v", err)
					}
				})
				return s
			})
		})
	}
}

// TestOpenRefusesSecondUser checks that a database open in one store cannot
// be opened again until that store is closed: the record cache is exact
// only for the database's only user.
func TestOpenRefusesSecondUser(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cognate.db")
	first, err := sqlite.Open(ctx(t), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := sqlite.Open(ctx(t), path, sqlite.Options{}); err == nil {
		s.Close()
		t.Fatal("second Open of an open database succeeded")
	} else if !strings.Contains(err.Error(), "in use by another process") {
		t.Errorf("second Open: %v, want an in-use error", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := sqlite.Open(ctx(t), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestReopenKeepsCommittedUpdates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cognate.db")
	created := time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	want := store.User{PoolID: "p", Key: "jane", Username: "Jane", Sub: "s-1", Created: created,
		Modified: created, Data: []byte(`{"a":1}`)}

	s, err := sqlite.Open(ctx(t), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx(t), func(tx store.Tx) error { return tx.CreateUser(want) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	s = openAt(t, path)
	err = s.View(ctx(t), func(tx store.Tx) error {
		got, err := tx.GetUser("p", "jane")
		if err != nil {
			return err
		}
		if !got.Created.Equal(want.Created) || string(got.Data) != string(want.Data) || got.Sub != want.Sub {
			t.Errorf("after reopen got %+v, want %+v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cognate.db")
	s, err := sqlite.Open(ctx(t), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE schema_version SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err = sqlite.Open(ctx(t), path, sqlite.Options{})
	if !errors.Is(err, sqlite.ErrSchemaTooNew) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

func TestClosedStoreRefusesWork(t *testing.T) {
	s, err := sqlite.Open(ctx(t), filepath.Join(t.TempDir(), "cognate.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"Update", func() error { return s.Update(ctx(t), func(store.Tx) error { return nil }) }},
		{"View", func() error { return s.View(ctx(t), func(store.Tx) error { return nil }) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, sqlite.ErrClosed) {
				t.Errorf("%s after Close: %v, want ErrClosed", tc.name, err)
			}
		})
	}
}

func TestTxUnusableAfterReturn(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "cognate.db"))
	var kept store.Tx
	if err := s.Update(ctx(t), func(tx store.Tx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := kept.PutSetting("late", []byte("x")); err == nil {
		t.Error("PutSetting on a finished Tx succeeded")
	}
	if _, err := kept.GetSetting("late"); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSetting on a finished Tx: %v, want a usage error", err)
	}
}

// TestBatchIsolation runs many concurrent Updates, some failing and some
// panicking, so that they share group-commit batches: each caller gets its
// own outcome and only the successful ones are written.
// TestBatchIsolation runs many concurrent Updates, so that they share
// batches, where some fail: after writing (undone by running the batch
// again with savepoints), by panicking after writing, or before writing
// (no savepoint needed). Only the successful ones may leave their setting.
func TestBatchIsolation(t *testing.T) {
	errBad := errors.New("bad update")
	const (
		ok = iota
		failAfterWrite
		panicAfterWrite
		failBeforeWrite
	)
	for name, kinds := range map[string][]int{
		"all kinds":         {ok, failAfterWrite, panicAfterWrite, failBeforeWrite},
		"fail before write": {ok, failBeforeWrite},
	} {
		t.Run(name, func(t *testing.T) {
			s := openAt(t, filepath.Join(t.TempDir(), "cognate.db"))
			const n = 300
			kind := func(i int) int { return kinds[i%len(kinds)] }
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					errs[i] = s.Update(ctx(t), func(tx store.Tx) error {
						if kind(i) == failBeforeWrite {
							if _, err := tx.GetSetting("nothing"); !errors.Is(err, store.ErrNotFound) {
								return err
							}
							return fmt.Errorf("update %d: %w", i, errBad)
						}
						if err := tx.PutSetting(fmt.Sprintf("k%03d", i), []byte("v")); err != nil {
							return err
						}
						switch kind(i) {
						case failAfterWrite:
							return fmt.Errorf("update %d: %w", i, errBad)
						case panicAfterWrite:
							panic(fmt.Sprintf("update %d panics", i))
						}
						return nil
					})
				})
			}
			wg.Wait()
			for i, err := range errs {
				var want error
				switch kind(i) {
				case failAfterWrite, failBeforeWrite:
					want = errBad
				case panicAfterWrite:
					want = sqlite.ErrPanicked
				}
				if want == nil && err != nil || want != nil && !errors.Is(err, want) {
					t.Errorf("update %d: %v, want %v", i, err, want)
				}
			}
			err := s.View(ctx(t), func(tx store.Tx) error {
				for i := range n {
					_, err := tx.GetSetting(fmt.Sprintf("k%03d", i))
					if kind(i) == ok && err != nil {
						t.Errorf("setting of successful update %d: %v", i, err)
					}
					if kind(i) != ok && !errors.Is(err, store.ErrNotFound) {
						t.Errorf("setting of failed update %d: %v, want ErrNotFound", i, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestUpdateCancelledWhileQueued cancels the context of Updates waiting
// behind a slow one: none of them may run.
func TestUpdateCancelledWhileQueued(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "cognate.db"))
	release := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s.Update(ctx(t), func(tx store.Tx) error {
			close(started)
			<-release
			return nil
		})
	})
	<-started
	c, cancel := context.WithCancel(ctx(t))
	ran := make([]bool, 10)
	errs := make([]error, len(ran))
	for i := range ran {
		wg.Go(func() {
			errs[i] = s.Update(c, func(tx store.Tx) error { ran[i] = true; return nil })
		})
	}
	cancel()
	close(release)
	wg.Wait()
	for i := range ran {
		if ran[i] {
			t.Errorf("update %d ran after its context was cancelled", i)
		}
		if !errors.Is(errs[i], context.Canceled) {
			t.Errorf("update %d: %v, want context.Canceled", i, errs[i])
		}
	}
}

// The benchmarks are those of storetest, each on a fresh database.

// BenchmarkUpdateUser runs GetUser+PutUser Updates from parallel
// goroutines; cpu-ns/op is the whole process's CPU time per Update.
func BenchmarkUpdateUser(b *testing.B) {
	storetest.BenchUpdateUser(b, openAt(b, filepath.Join(b.TempDir(), "cognate.db")))
}

// BenchmarkGetUser runs one-read Views from parallel goroutines.
func BenchmarkGetUser(b *testing.B) {
	storetest.BenchGetUser(b, openAt(b, filepath.Join(b.TempDir(), "cognate.db")))
}

// BenchmarkGetUserUncached is BenchmarkGetUser without the record cache:
// every View takes a read connection and runs the query.
func BenchmarkGetUserUncached(b *testing.B) {
	s, err := sqlite.Open(ctx(b), filepath.Join(b.TempDir(), "cognate.db"), sqlite.Options{CacheBytes: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchGetUser(b, s)
}

// BenchmarkGetPutUserInTx measures the statement cost alone: GetUser and
// PutUser pairs, a thousand per Update, so commits are negligible.
func BenchmarkGetPutUserInTx(b *testing.B) {
	storetest.BenchGetPutUserInTx(b, openAt(b, filepath.Join(b.TempDir(), "cognate.db")))
}
