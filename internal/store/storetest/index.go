package storetest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// indexed is user(poolID, key) with index entries given as attr=value.
func indexed(poolID, key string, entries ...string) store.User {
	u := user(poolID, key)
	u.Index = []store.IndexEntry{}
	for _, e := range entries {
		a, v, _ := strings.Cut(e, "=")
		u.Index = append(u.Index, store.IndexEntry{Attr: a, Value: v})
	}
	return u
}

// found returns a step that runs q and compares the matches, as
// "key:value" in order, with want.
func found(t *testing.T, q store.UserQuery, want string) func(store.Tx) error {
	return func(tx store.Tx) error {
		fs, err := tx.FindUsers(q)
		if err != nil {
			return err
		}
		got := []string{}
		for _, f := range fs {
			got = append(got, f.User.Key+":"+f.Value)
			check(t, "found user", f.User, user(q.PoolID, f.User.Key))
		}
		if fmt.Sprint(got) != want {
			t.Errorf("find %+v = %v, want %s", q, got, want)
		}
		return nil
	}
}

func testUserIndex(t *testing.T, e *env) {
	pool, other := e.id("p"), e.id("other")
	q := func(attr, value string, prefix bool) store.UserQuery {
		return store.UserQuery{PoolID: pool, Attr: attr, Value: value, Prefix: prefix}
	}
	jane := indexed(pool, "jane", "email=jane@example.com", "given_name=Jane", "status=Enabled")
	e.run([]step{
		{"create", func(tx store.Tx) error {
			for _, u := range []store.User{jane,
				indexed(pool, "bob", "email=bob@example.com", "given_name=Bob", "status=Enabled"),
				indexed(pool, "jim", "email=ja@example.com", "given_name=Jim", "status=Disabled"),
				indexed(pool, "zoe", "given_name=Jane", "status=Enabled"),
				indexed(pool, "ann", "given_name=Änne"),
				indexed(other, "jane", "email=jane@example.com", "given_name=Jane")} {
				if err := tx.CreateUser(u); err != nil {
					return err
				}
			}
			return nil
		}, nil},
		{"equal", found(t, q("email", "jane@example.com", false), "[jane:jane@example.com]"), nil},
		{"equal, several, by key", found(t, q("given_name", "Jane", false), "[jane:Jane zoe:Jane]"), nil},
		{"equal is exact", found(t, q("given_name", "jane", false), "[]"), nil},
		{"prefix", found(t, q("email", "ja", true), "[jim:ja@example.com jane:jane@example.com]"), nil},
		{"prefix J", found(t, q("given_name", "J", true), "[jane:Jane zoe:Jane jim:Jim]"), nil},
		{"prefix is exact", found(t, q("given_name", "Ja", true), "[jane:Jane zoe:Jane]"), nil},
		{"prefix of many bytes", found(t, q("given_name", "Ä", true), "[ann:Änne]"), nil},
		{"empty prefix: every entry, in byte order", found(t, q("given_name", "", true),
			"[bob:Bob jane:Jane zoe:Jane jim:Jim ann:Änne]"), nil},
		{"no such attribute", found(t, q("family_name", "", true), "[]"), nil},
		{"status", found(t, q("status", "Enabled", false), "[bob:Enabled jane:Enabled zoe:Enabled]"), nil},
		{"limit", found(t, store.UserQuery{PoolID: pool, Attr: "given_name", Prefix: true, Limit: 2}, "[bob:Bob jane:Jane]"), nil},
		{"after", found(t, store.UserQuery{PoolID: pool, Attr: "given_name", Prefix: true,
			AfterValue: "Jane", AfterKey: "jane"}, "[zoe:Jane jim:Jim ann:Änne]"), nil},
		{"after, equal", found(t, store.UserQuery{PoolID: pool, Attr: "given_name", Value: "Jane",
			AfterValue: "Jane", AfterKey: "jane"}, "[zoe:Jane]"), nil},
		{"after past the value", found(t, store.UserQuery{PoolID: pool, Attr: "given_name", Value: "Jane",
			AfterValue: "Jim"}, "[]"), nil},
		{"after before the value", found(t, store.UserQuery{PoolID: pool, Attr: "given_name", Value: "Jim",
			AfterValue: "Bob", AfterKey: "bob"}, "[jim:Jim]"), nil},
		{"put, changed entries only", func(tx store.Tx) error {
			u := indexed(pool, "jane", "email=jane@example.com", "given_name=Zed", "status=Enabled")
			u.IndexWas = jane.Index
			return tx.PutUser(u)
		}, nil},
		{"old value gone", found(t, q("given_name", "Jane", false), "[zoe:Jane]"), nil},
		{"new value found", found(t, q("given_name", "Zed", false), "[jane:Zed]"), nil},
		{"unchanged entry kept", found(t, q("email", "jane", true), "[jane:jane@example.com]"), nil},
		{"put, replacing all", func(tx store.Tx) error {
			return tx.PutUser(indexed(pool, "jane", "given_name=Yan"))
		}, nil},
		{"dropped entry gone", found(t, q("email", "jane", true), "[]"), nil},
		{"replaced entry", found(t, q("given_name", "Yan", false), "[jane:Yan]"), nil},
		{"status gone", found(t, q("status", "Enabled", false), "[bob:Enabled zoe:Enabled]"), nil},
		{"put, removing an attribute", func(tx store.Tx) error {
			u := indexed(pool, "jane")
			u.IndexWas = []store.IndexEntry{{Attr: "given_name", Value: "Yan"}}
			return tx.PutUser(u)
		}, nil},
		{"removed", found(t, q("given_name", "Yan", false), "[]"), nil},
		{"other pool untouched", found(t, store.UserQuery{PoolID: other, Attr: "email", Value: "jane@example.com"},
			"[jane:jane@example.com]"), nil},
		{"delete user", func(tx store.Tx) error { return tx.DeleteUser(pool, "zoe") }, nil},
		{"deleted user's entries gone", found(t, q("given_name", "Jane", false), "[]"), nil},
		{"re-created without entries", func(tx store.Tx) error { return tx.CreateUser(indexed(pool, "zoe")) }, nil},
		{"no stale entries", found(t, q("status", "Enabled", false), "[bob:Enabled]"), nil},
	})

	// A failed update leaves no entry behind.
	errBoom := errors.New("boom")
	wantErr(t, "failed update", e.s.Update(e.ctx, func(tx store.Tx) error {
		if err := tx.CreateUser(indexed(pool, "kim", "given_name=Kim")); err != nil {
			return err
		}
		if err := tx.PutUser(indexed(pool, "bob", "given_name=Kim")); err != nil {
			return err
		}
		return errBoom
	}), errBoom)
	e.run([]step{{"rolled back", found(t, q("given_name", "Kim", false), "[]"), nil},
		{"bob kept", found(t, q("given_name", "Bob", false), "[bob:Bob]"), nil}})

	// DeletePool removes the pool's entries.
	e.run([]step{
		{"delete pool", func(tx store.Tx) error {
			if err := tx.CreatePool(e.pool("other")); err != nil {
				return err
			}
			return tx.DeletePool(other)
		}, nil},
		{"pool's entries gone", found(t, store.UserQuery{PoolID: other, Attr: "email", Prefix: true}, "[]"), nil},
		{"other pools kept", found(t, q("email", "bob", true), "[bob:bob@example.com]"), nil},
	})
}

// testUserIndexPagination pages through many users sharing values.
func testUserIndexPagination(t *testing.T, e *env) {
	pool := e.id("p")
	type entry struct{ value, key string }
	var entries []entry
	e.update(func(tx store.Tx) error {
		for i := range 25 {
			k, v := fmt.Sprintf("u%02d", 24-i), fmt.Sprintf("v%d", i%4)
			entries = append(entries, entry{v, k})
			if err := tx.CreateUser(indexed(pool, k, "name="+v)); err != nil {
				return err
			}
		}
		return nil
	})
	sort.Slice(entries, func(i, j int) bool {
		return entries[i].value < entries[j].value || (entries[i].value == entries[j].value && entries[i].key < entries[j].key)
	})
	var want []string
	for _, en := range entries {
		want = append(want, en.key+":"+en.value)
	}
	for _, size := range []int{1, 4, 7, 25, 0} {
		var got []string
		av, ak := "", ""
		for range 30 {
			var page []store.Found
			e.view(func(tx store.Tx) (err error) {
				page, err = tx.FindUsers(store.UserQuery{PoolID: pool, Attr: "name", Value: "v", Prefix: true,
					AfterValue: av, AfterKey: ak, Limit: size})
				return err
			})
			if size > 0 && len(page) > size {
				t.Fatalf("page of %d, size %d", len(page), size)
			}
			if len(page) == 0 {
				break
			}
			for _, f := range page {
				got = append(got, f.User.Key+":"+f.Value)
			}
			last := page[len(page)-1]
			av, ak = last.Value, last.User.Key
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("page size %d: %v, want %v", size, got, want)
		}
	}
}
