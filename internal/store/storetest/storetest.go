package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// Run runs the conformance suite. open returns a ready store for one
// subtest and arranges its Close with t.Cleanup. It may return a fresh
// store or one shared with other subtests: every subtest uses IDs of its
// own, so the suite never depends on the store being empty. The subtests
// run in parallel, so they may still run after Run returns; release shared
// resources with t.Cleanup on the t passed to Run.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"Pools", testPools},
		{"PoolPagination", testPoolPagination},
		{"Clients", testClients},
		{"ClientPagination", testClientPagination},
		{"Users", testUsers},
		{"UserPagination", testUserPagination},
		{"Aliases", testAliases},
		{"Groups", testGroups},
		{"GroupPagination", testGroupPagination},
		{"Memberships", testMemberships},
		{"UserIndex", testUserIndex},
		{"UserIndexPagination", testUserIndexPagination},
		{"Keys", testKeys},
		{"RefreshTokens", testRefreshTokens},
		{"Messages", testMessages},
		{"ListMessages", testListMessages},
		{"Settings", testSettings},
		{"Items", testItems},
		{"DeletePoolCascade", testDeletePoolCascade},
		{"DeleteUserCascade", testDeleteUserCascade},
		{"UpdateAtomicity", testUpdateAtomicity},
		{"ViewIsReadOnly", testViewReadOnly},
		{"CancelledContext", testCancelledContext},
		{"ConcurrentNoLostUpdate", testNoLostUpdate},
		{"ConcurrentAliasClaim", testAliasRace},
		{"ConcurrentRefreshTokenUse", testRefreshTokenRace},
		{"ReadsFollowWrites", testReadsFollowWrites},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newEnv(t, open(t)))
		})
	}
}

// env is one subtest's store with helpers that fail the test on error.
type env struct {
	t      *testing.T
	s      store.Store
	ctx    context.Context
	prefix string // unique per subtest; every ID starts with it
}

func newEnv(t *testing.T, s store.Store) *env {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, s: s, ctx: ctx, prefix: "t" + hex.EncodeToString(b[:]) + "-"}
}

// id returns a name unique to this subtest.
func (e *env) id(name string) string { return e.prefix + name }

// update runs fn in an Update and fails the test if it returns an error.
func (e *env) update(fn func(tx store.Tx) error) {
	e.t.Helper()
	if err := e.s.Update(e.ctx, fn); err != nil {
		e.t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a View and fails the test if it returns an error.
func (e *env) view(fn func(tx store.Tx) error) {
	e.t.Helper()
	if err := e.s.View(e.ctx, fn); err != nil {
		e.t.Fatalf("View: %v", err)
	}
}

// at returns a fixed instant shifted by d. The instant has sub-millisecond
// digits and a non-UTC zone: backends must keep at least milliseconds and
// return UTC.
func at(d time.Duration) time.Time {
	return time.Date(2024, 3, 9, 10, 11, 12, 345678912, time.FixedZone("X", 5*3600+1800)).Add(d)
}

func (e *env) pool(name string) store.Pool {
	return store.Pool{ID: e.id(name), Name: "pool " + name, Created: at(0), Modified: at(time.Second),
		Data: []byte(`{"pool":"` + name + `"}`)}
}

func client(poolID, id string) store.Client {
	return store.Client{PoolID: poolID, ID: id, Name: "client " + id, Created: at(0), Modified: at(time.Minute),
		Data: []byte(`{"client":"` + id + `"}`)}
}

func user(poolID, key string) store.User {
	return store.User{PoolID: poolID, Key: key, Username: strings.ToUpper(key), Sub: "sub-" + key,
		Created: at(0), Modified: at(time.Hour), Data: []byte(`{"user":"` + key + `"}`)}
}

func token(id, poolID, userKey string) store.RefreshToken {
	return store.RefreshToken{ID: id, PoolID: poolID, ClientID: "c1", UserKey: userKey, Created: at(0),
		Expires: at(30 * 24 * time.Hour), Data: []byte(`{"scope":"openid"}`)}
}

func message(id, poolID, username, attr string, created time.Time) store.Message {
	return store.Message{ID: id, PoolID: poolID, Username: username, AttributeName: attr,
		DeliveryMedium: "EMAIL", Destination: username + "@example.com", Subject: "Your code",
		Body: "Your code is 123456", Code: "123456", Created: created, State: "pending"}
}

// diff compares two records of the same struct type field by field: times
// must be in UTC and equal to the millisecond, byte slices equal by content
// (nil and empty are the same), everything else equal. It returns "" when
// they match.
func diff(got, want any) string {
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	if gv.Type() != wv.Type() {
		return fmt.Sprintf("type %v, want %v", gv.Type(), wv.Type())
	}
	var out []string
	for i := range gv.NumField() {
		name := gv.Type().Field(i).Name
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		switch w := w.(type) {
		case time.Time:
			g := g.(time.Time)
			if g.Location() != time.UTC {
				out = append(out, fmt.Sprintf("%s in %v, want UTC", name, g.Location()))
			}
			if d := g.Sub(w); d >= time.Millisecond || d <= -time.Millisecond {
				out = append(out, fmt.Sprintf("%s = %v, want %v", name, g, w))
			}
		case []store.IndexEntry:
			// Reads never return index entries.
			if g.([]store.IndexEntry) != nil {
				out = append(out, fmt.Sprintf("%s = %v, want nil", name, g))
			}
		case []byte:
			if !bytes.Equal(g.([]byte), w) {
				out = append(out, fmt.Sprintf("%s = %q, want %q", name, g, w))
			}
		default:
			if g != w {
				out = append(out, fmt.Sprintf("%s = %v, want %v", name, g, w))
			}
		}
	}
	return strings.Join(out, "; ")
}

// check fails the test when got and want differ.
func check(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := diff(got, want); d != "" {
		t.Errorf("%s: %s", what, d)
	}
}

// wantErr fails the test unless errors.Is(err, want); want nil means no error.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("%s: unexpected error %v", what, err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

// walkPages lists every record through list, size at a time (0: the
// backend's default), starting after "" and going on after the last ID
// of each page, and returns the IDs in the order listed. A page larger
// than size fails the test; at most max+1 pages are read, so a backend
// that never ends a listing cannot hang it.
func walkPages[T any](t *testing.T, e *env, size, max int, list func(tx store.Tx, after string, size int) ([]T, error), id func(T) string) []string {
	t.Helper()
	var got []string
	after := ""
	for range max + 1 {
		var page []T
		e.view(func(tx store.Tx) (err error) { page, err = list(tx, after, size); return err })
		if size > 0 && len(page) > size {
			t.Fatalf("page of %d records, size %d", len(page), size)
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			got = append(got, id(r))
		}
		after = id(page[len(page)-1])
	}
	return got
}
