package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// TestUpdateAtRowidHint checks the writer's rowid shortcut: a cached user
// is updated at its row, and a hint that names another row (stale, or
// simply wrong) changes nothing but the intended user.
func TestUpdateAtRowidHint(t *testing.T) {
	c := context.Background()
	s, err := Open(c, filepath.Join(t.TempDir(), "cognate.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const pool = "us-east-1_hint"
	now := time.Now()
	err = s.Update(c, func(tx store.Tx) error {
		for _, k := range []string{"a", "b"} {
			u := store.User{PoolID: pool, Key: k, Username: k, Sub: "sub-" + k, Created: now, Modified: now, Data: []byte(k + "0")}
			if err := tx.CreateUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(k string) string {
		t.Helper()
		var data string
		err := s.View(c, func(tx store.Tx) error {
			u, err := tx.GetUser(pool, k)
			data = string(u.Data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	put := func(k, data string) {
		t.Helper()
		err := s.Update(c, func(tx store.Tx) error {
			u, err := tx.GetUser(pool, k)
			if err != nil {
				return err
			}
			u.Data = []byte(data)
			return tx.PutUser(u)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Reads through SQL fill the cache with the rows' ids.
	get("a")
	get("b")
	ra, rb := s.cache.userRowid(pool, "a"), s.cache.userRowid(pool, "b")
	if ra == 0 || rb == 0 || ra == rb {
		t.Fatalf("rowid hints a=%d b=%d", ra, rb)
	}
	put("a", "a1")
	if got := s.cache.userRowid(pool, "a"); got != ra {
		t.Errorf("hint after an update = %d, want %d kept", got, ra)
	}
	// Point a's hint at b's row.
	s.cache.mu.Lock()
	s.cache.users[userRef{pool, "a"}].rowid = rb
	s.cache.mu.Unlock()
	put("a", "a2")
	// Read from SQL, not the cache.
	s.cache.mu.Lock()
	s.cache.dropUser(pool, "a")
	s.cache.dropUser(pool, "b")
	s.cache.mu.Unlock()
	if a, b := get("a"), get("b"); a != "a2" || b != "b0" {
		t.Errorf("after an update with a wrong hint: a=%q b=%q, want a2 b0", a, b)
	}
}
