package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

func openTest(t *testing.T, o Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cognate.db")
	s, err := Open(context.Background(), path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func testUser(pool, data string) store.User {
	now := time.Now()
	return store.User{PoolID: pool, Key: "k", Username: "k", Sub: "sub-k", Created: now, Modified: now, Data: []byte(data)}
}

// TestReadersWaitForDurableCommit checks that a read snapshot cannot start
// between a commit and its sync: a View that needs SQL while the writer is
// between the two sees the write only after the sync.
func TestReadersWaitForDurableCommit(t *testing.T) {
	if !ownSync {
		t.Skip("SQLite syncs inside COMMIT on this platform")
	}
	c := context.Background()
	s, _ := openTest(t, Options{CacheBytes: -1}) // every read goes to SQL
	const pool = "us-east-1_sync"
	u := testUser(pool, "v0")
	if err := s.Update(c, func(tx store.Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	type seen struct {
		data   string
		synced bool // the hook had returned when the read finished
		err    error
	}
	var hookDone atomic.Bool
	result := make(chan seen, 1)
	s.syncHook = func() {
		s.syncHook = nil // once
		go func() {
			var r seen
			r.err = s.View(c, func(tx store.Tx) error {
				got, err := tx.GetUser(pool, "k")
				r.data = string(got.Data)
				return err
			})
			r.synced = hookDone.Load()
			result <- r
		}()
		// Give a read that is not held back every chance to finish first.
		time.Sleep(100 * time.Millisecond)
		hookDone.Store(true)
	}
	u.Data = []byte("v1")
	if err := s.Update(c, func(tx store.Tx) error { return tx.PutUser(u) }); err != nil {
		t.Fatal(err)
	}
	r := <-result
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !r.synced {
		t.Errorf("a read started before the commit was synced, and saw %q", r.data)
	}
	if r.data != "v1" {
		t.Errorf("read after the sync saw %q, want v1", r.data)
	}
}

// TestSnapshotFixedAtBegin checks that a View's snapshot is fixed when its
// first SQL read begins (under the gate), not at its next statement.
func TestSnapshotFixedAtBegin(t *testing.T) {
	c := context.Background()
	s, _ := openTest(t, Options{CacheBytes: -1})
	const pool = "us-east-1_snap"
	u := testUser(pool, "v0")
	if err := s.Update(c, func(tx store.Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	err := s.View(c, func(v store.Tx) error {
		if _, err := v.(*tx).conn(); err != nil { // the snapshot begins here
			return err
		}
		u.Data = []byte("v1")
		if err := s.Update(c, func(w store.Tx) error { return w.PutUser(u) }); err != nil {
			return err
		}
		got, err := v.GetUser(pool, "k")
		if err == nil && string(got.Data) != "v0" {
			t.Errorf("snapshot saw %q, a commit made after it began", got.Data)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFailedSyncStopsWrites checks that after a failed sync the batch is
// reported failed, no later write is accepted, and reads still work.
func TestFailedSyncStopsWrites(t *testing.T) {
	if !ownSync {
		t.Skip("no own sync on this platform")
	}
	c := context.Background()
	s, _ := openTest(t, Options{})
	const pool = "us-east-1_fail"
	u := testUser(pool, "v0")
	if err := s.Update(c, func(tx store.Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	// Update functions run on the writer goroutine: make this commit's
	// sync fail.
	missing := filepath.Join(t.TempDir(), "missing", "cognate.db-wal")
	u.Data = []byte("v1")
	err := s.Update(c, func(tx store.Tx) error {
		s.wal.close()
		s.wal.path = missing
		return tx.PutUser(u)
	})
	if err == nil {
		t.Fatal("an update whose sync failed was acknowledged")
	}
	ran := false
	err = s.Update(c, func(tx store.Tx) error { ran = true; return nil })
	if err == nil || ran {
		t.Fatalf("after a failed sync an update ran=%v err=%v, want refused", ran, err)
	}
	err = s.View(c, func(tx store.Tx) error { _, err := tx.GetUser(pool, "k"); return err })
	if err != nil {
		t.Errorf("read after a failed sync: %v", err)
	}
}

// TestCheckpointReachesDatabaseFile checks the writer's own checkpoints:
// none before the WAL holds checkpointPages pages, and then one that copies
// the commits into the database file, so that a copy of the file alone,
// without its WAL, holds them.
func TestCheckpointReachesDatabaseFile(t *testing.T) {
	if !ownSync {
		t.Skip("SQLite checkpoints by itself on this platform")
	}
	c := context.Background()
	s, path := openTest(t, Options{})
	// Update functions run on the writer goroutine, which owns these.
	setLimit := func(pages int) {
		t.Helper()
		err := s.Update(c, func(store.Tx) error {
			s.checkpointPages = pages
			s.lastCheckpoint = time.Now().Add(time.Hour) // no checkpoint for time
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	const pool = "us-east-1_ckpt"
	u := testUser(pool, "v0")
	put := func(data string) {
		t.Helper()
		u.Data = []byte(data)
		if err := s.Update(c, func(tx store.Tx) error { return tx.PutUser(u) }); err != nil {
			t.Fatal(err)
		}
	}
	// fileAlone reads the user from a copy of the database file without
	// its WAL ("" when it is not there).
	fileAlone := func() string {
		t.Helper()
		// An empty Update: the writer has finished whatever followed the
		// last commit (a checkpoint runs after the answers).
		if err := s.Update(c, func(store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		copyPath := filepath.Join(t.TempDir(), "copy.db")
		if err := os.WriteFile(copyPath, b, 0o600); err != nil {
			t.Fatal(err)
		}
		cp, err := Open(c, copyPath, Options{CacheBytes: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer cp.Close()
		var got store.User
		err = cp.View(c, func(tx store.Tx) error { var err error; got, err = tx.GetUser(pool, "k"); return err })
		if errors.Is(err, store.ErrNotFound) {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(got.Data)
	}

	setLimit(1 << 30)
	if err := s.Update(c, func(tx store.Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	put("v1")
	put("v2")
	if got := fileAlone(); got != "" {
		t.Fatalf("checkpointed before the WAL reached its limit: the file holds %q", got)
	}
	setLimit(1)
	put("v3")
	if got := fileAlone(); got != "v3" {
		t.Fatalf("after the WAL passed its limit the file holds %q, want v3", got)
	}
}
