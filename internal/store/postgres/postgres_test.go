package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/postgres"
	"github.com/cognate-idp/cognate/internal/store/storetest"
)

// dsn returns the test database's DSN, or skips the test when none is set.
func dsn(t testing.TB) string {
	t.Helper()
	d := os.Getenv("COGNATE_TEST_POSTGRES")
	if d == "" {
		t.Skip("COGNATE_TEST_POSTGRES not set")
	}
	return d
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// open opens the store at d and closes it when the test ends.
func open(t testing.TB, d string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(ctx(t), d, postgres.Options{})
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

// freshSchema creates a schema of its own in the test database, drops it
// when the test ends and returns a DSN whose search_path points at it.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := dsn(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "cognate_t" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx(t), base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx(t), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("COGNATE_TEST_POSTGRES must be a URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestConformance(t *testing.T) {
	d := dsn(t)
	shared := open(t, d)
	storetest.Run(t, func(t *testing.T) store.Store { return shared })
}

// TestConformanceTwoStores runs the suite with every subtest on a store of
// its own over one database, as separate nodes would be.
func TestConformanceTwoStores(t *testing.T) {
	d := dsn(t)
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, d) })
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	d := freshSchema(t)
	open(t, d)
	conn, err := pgx.Connect(ctx(t), d)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx(t), "UPDATE schema_version SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	s2, err := postgres.Open(ctx(t), d, postgres.Options{})
	if !errors.Is(err, postgres.ErrSchemaTooNew) {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("Open of a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

// TestConcurrentOpenMigratesOnce starts several stores at once on an empty
// schema: the advisory lock lets one migrate and the others find it done.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	d := freshSchema(t)
	const n = 8
	errs := make([]error, n)
	stores := make([]*postgres.Store, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(ctx(t), d, postgres.Options{MaxConns: 2}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		stores[i].Close()
	}
	conn, err := pgx.Connect(ctx(t), d)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rows, version int
	if err := conn.QueryRow(ctx(t), "SELECT count(*), max(version) FROM schema_version").Scan(&rows, &version); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v, %d files", err, len(files))
	}
	if rows != 1 || version != len(files) {
		t.Errorf("schema_version has %d rows, version %d; want 1 row, version %d", rows, version, len(files))
	}
}

func TestOpenOptions(t *testing.T) {
	base := dsn(t)
	// Failing cases carry a password that appears nowhere else in the DSN.
	secret := withPassword(t, base, "s3cr3t-pw")
	tests := []struct {
		name string
		dsn  string
		opts postgres.Options
		ok   bool
	}{
		{"defaults", base, postgres.Options{}, true},
		{"pool_max_conns in the DSN", withParam(t, base, "pool_max_conns", "3"), postgres.Options{}, true},
		{"synchronous_commit off is overridden", withParam(t, base, "synchronous_commit", "off"), postgres.Options{MaxConns: 2}, true},
		{"bad pool_max_conns", withParam(t, secret, "pool_max_conns", "many"), postgres.Options{}, false},
		{"unknown pool parameter", withParam(t, secret, "pool_max_connz", "3"), postgres.Options{}, false},
		{"unreachable server", "postgres://postgres:secret@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", postgres.Options{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := postgres.Open(ctx(t), tc.dsn, tc.opts)
			if !tc.ok {
				if err == nil {
					s.Close()
					t.Fatal("Open succeeded")
				}
				if pw := password(t, tc.dsn); strings.Contains(err.Error(), pw) {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			// Every session must commit synchronously.
			for range 3 {
				err := s.View(ctx(t), func(tx store.Tx) error { _, err := tx.GetSetting("none"); return err })
				if !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("View: %v", err)
				}
			}
			if strings.Contains(tc.dsn, "synchronous_commit=off") {
				if mode := syncCommit(t, tc.dsn); mode != "off" {
					t.Fatalf("test DSN does not turn synchronous_commit off (%q)", mode)
				}
			}
			checkStoreSyncCommit(t, s)
		})
	}
}

// withParam adds a query parameter to a URL DSN.
func withParam(t *testing.T, d, k, v string) string {
	u, err := url.Parse(d)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// withPassword replaces the password of a URL DSN.
func withPassword(t *testing.T, d, pw string) string {
	u, err := url.Parse(d)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String()
}

// password returns the password of a URL DSN.
func password(t *testing.T, d string) string {
	u, err := url.Parse(d)
	if err != nil {
		t.Fatal(err)
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" {
		t.Fatalf("DSN %s has no password to look for", u.Redacted())
	}
	return pw
}

// syncCommit returns synchronous_commit on a plain connection to d.
func syncCommit(t *testing.T, d string) string {
	conn, err := pgx.Connect(ctx(t), d)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var mode string
	if err := conn.QueryRow(ctx(t), "SHOW synchronous_commit").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	return mode
}

// checkStoreSyncCommit fails the test unless the store's sessions commit
// synchronously.
func checkStoreSyncCommit(t *testing.T, s *postgres.Store) {
	t.Helper()
	mode, err := postgres.SessionSetting(ctx(t), s, "synchronous_commit")
	if err != nil {
		t.Fatal(err)
	}
	if mode == "off" {
		t.Errorf("store session has synchronous_commit %q", mode)
	}
}

func TestClosedStoreRefusesWork(t *testing.T) {
	s, err := postgres.Open(ctx(t), dsn(t), postgres.Options{})
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
			if err := tc.call(); !errors.Is(err, postgres.ErrClosed) {
				t.Errorf("%s after Close: %v, want ErrClosed", tc.name, err)
			}
		})
	}
}

// TestNoStatement checks View and Update whose function issues no
// statement, so that no transaction ever begins.
func TestNoStatement(t *testing.T) {
	s := open(t, dsn(t))
	errFn := errors.New("fn failed")
	tests := []struct {
		name string
		call func(context.Context, func(store.Tx) error) error
		fn   func(store.Tx) error
		want error
	}{
		{"View nil", s.View, func(store.Tx) error { return nil }, nil},
		{"View error", s.View, func(store.Tx) error { return errFn }, errFn},
		{"Update nil", s.Update, func(store.Tx) error { return nil }, nil},
		{"Update error", s.Update, func(store.Tx) error { return errFn }, errFn},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(ctx(t), tc.fn); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	// The pool must still serve statements afterwards.
	if err := s.View(ctx(t), func(tx store.Tx) error { _, err := tx.GetSetting("none"); return err }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("View after: %v", err)
	}
}

func TestTxUnusableAfterReturn(t *testing.T) {
	s := open(t, dsn(t))
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

// TestConflictKeepsTransactionUsable checks that a uniqueness error leaves
// the caller's transaction usable, as on SQLite: the domain may go on
// after ErrConflict.
func TestConflictKeepsTransactionUsable(t *testing.T) {
	s := open(t, dsn(t))
	pool := uniq(t, "pool")
	u := store.User{PoolID: pool, Key: "jane", Username: "jane", Sub: "sub-jane", Created: time.Now(), Modified: time.Now()}
	b := u
	b.Key, b.Username, b.Sub = "bob", "bob", "sub-bob"
	err := s.Update(ctx(t), func(tx store.Tx) error {
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		return tx.CreateUser(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		fn   func(tx store.Tx) error
	}{
		{"CreateUser same key", func(tx store.Tx) error { return tx.CreateUser(u) }},
		{"CreatePool", func(tx store.Tx) error {
			return tx.CreatePool(store.Pool{ID: pool + "x", Name: "x", Created: time.Now(), Modified: time.Now()})
		}},
		{"PutUser taking bob's sub", func(tx store.Tx) error { v := u; v.Sub = "sub-bob"; return tx.PutUser(v) }},
		{"PutAlias held by bob", func(tx store.Tx) error { return tx.PutAlias(pool, "email:x", "jane") }},
	}
	err = s.Update(ctx(t), func(tx store.Tx) error {
		if err := tx.PutAlias(pool, "email:x", "bob"); err != nil {
			return err
		}
		if err := tx.CreatePool(store.Pool{ID: pool + "x", Name: "x", Created: time.Now(), Modified: time.Now()}); err != nil {
			return err
		}
		for _, st := range steps {
			if err := st.fn(tx); !errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("%s: %v, want ErrConflict", st.name, err)
			}
		}
		return tx.PutSetting(pool, []byte("after conflicts"))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx(t), func(tx store.Tx) error {
		v, err := tx.GetSetting(pool)
		if err == nil && string(v) != "after conflicts" {
			return fmt.Errorf("setting %q", v)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentPoolUpdates has Updates on two stores read a pool, append
// to its Data and write it back: the compare-and-swap of PutPool must keep
// every append.
func TestConcurrentPoolUpdates(t *testing.T) {
	d := dsn(t)
	a, b := open(t, d), open(t, d)
	pool := uniq(t, "pool")
	now := time.Now()
	if err := a.Update(ctx(t), func(tx store.Tx) error {
		return tx.CreatePool(store.Pool{ID: pool, Name: "p", Created: now, Modified: now, Data: []byte("")})
	}); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			errs[i] = s.Update(ctx(t), func(tx store.Tx) error {
				p, err := tx.GetPool(pool)
				if err != nil {
					return err
				}
				p.Data = append(p.Data, fmt.Sprintf("[%02d]", i)...)
				return tx.PutPool(p)
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("update %d: %v", i, err)
		}
	}
	err := a.View(ctx(t), func(tx store.Tx) error {
		p, err := tx.GetPool(pool)
		if err != nil {
			return err
		}
		for i := range n {
			if !strings.Contains(string(p.Data), fmt.Sprintf("[%02d]", i)) {
				t.Errorf("append %d lost: %q", i, p.Data)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// uniq returns a name no other test run uses.
func uniq(t testing.TB, name string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "t" + hex.EncodeToString(b[:]) + "-" + name
}
