package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// step is one operation of a scripted sequence, run in its own Update.
type step struct {
	name string
	fn   func(tx store.Tx) error
	want error // nil: success
}

// run runs the steps in order, checking each one's error.
func (e *env) run(steps []step) {
	e.t.Helper()
	for _, s := range steps {
		wantErr(e.t, s.name, e.s.Update(e.ctx, s.fn), s.want)
	}
}

// expect returns a step function that reads a record and compares it.
func expect[R any](t *testing.T, what string, get func(tx store.Tx) (R, error), want R) func(store.Tx) error {
	return func(tx store.Tx) error {
		got, err := get(tx)
		if err != nil {
			return err
		}
		check(t, what, got, want)
		return nil
	}
}

// stamp wraps a time so check compares it like a record field.
type stamp struct{ Modified time.Time }

func testPools(t *testing.T, e *env) {
	p := e.pool("a")
	p2 := p
	p2.Name, p2.Modified, p2.Data = "renamed", at(2*time.Hour), []byte(`{"v":2}`)
	missing := e.pool("missing")
	get := func(id string) func(store.Tx) (store.Pool, error) {
		return func(tx store.Tx) (store.Pool, error) { return tx.GetPool(id) }
	}
	modified := func(id string) func(store.Tx) (stamp, error) {
		return func(tx store.Tx) (stamp, error) { m, err := tx.PoolModified(id); return stamp{m}, err }
	}
	e.run([]step{
		{"get absent", func(tx store.Tx) error { _, err := tx.GetPool(p.ID); return err }, store.ErrNotFound},
		{"modified absent", func(tx store.Tx) error { _, err := tx.PoolModified(p.ID); return err }, store.ErrNotFound},
		{"create", func(tx store.Tx) error { return tx.CreatePool(p) }, nil},
		{"get", expect(t, "pool", get(p.ID), p), nil},
		{"modified", expect(t, "pool modified", modified(p.ID), stamp{p.Modified}), nil},
		{"create again", func(tx store.Tx) error { return tx.CreatePool(p) }, store.ErrConflict},
		{"put", func(tx store.Tx) error { return tx.PutPool(p2) }, nil},
		{"get after put", expect(t, "pool", get(p.ID), p2), nil},
		{"modified after put", expect(t, "pool modified", modified(p.ID), stamp{p2.Modified}), nil},
		{"put absent", func(tx store.Tx) error { return tx.PutPool(missing) }, store.ErrNotFound},
		{"absent still absent", func(tx store.Tx) error { _, err := tx.GetPool(missing.ID); return err }, store.ErrNotFound},
		{"delete", func(tx store.Tx) error { return tx.DeletePool(p.ID) }, nil},
		{"get deleted", func(tx store.Tx) error { _, err := tx.GetPool(p.ID); return err }, store.ErrNotFound},
		{"delete absent", func(tx store.Tx) error { return tx.DeletePool(p.ID) }, store.ErrNotFound},
	})
}

func testPoolPagination(t *testing.T, e *env) {
	names := []string{"d", "b", "e", "a", "c"}
	e.update(func(tx store.Tx) error {
		for _, n := range names {
			if err := tx.CreatePool(e.pool(n)); err != nil {
				return err
			}
		}
		return nil
	})
	want := []string{e.id("a"), e.id("b"), e.id("c"), e.id("d"), e.id("e")}
	// The prefix sorts before every ID of this subtest and after none of
	// another's, so listing from it sees this subtest's pools first.
	for _, size := range []int{1, 2, 3, 5, 0} {
		t.Run(fmt.Sprintf("page size %d", size), func(t *testing.T) {
			var got []string
			after := e.prefix
			for len(got) < len(want) {
				var page []store.Pool
				e.view(func(tx store.Tx) (err error) { page, err = tx.ListPools(after, size); return err })
				if len(page) == 0 || (size > 0 && len(page) > size) {
					t.Fatalf("page after %q has %d pools (size %d)", after, len(page), size)
				}
				for _, p := range page {
					if len(got) < len(want) {
						got = append(got, p.ID)
					}
				}
				after = page[len(page)-1].ID
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("pools %v, want %v", got, want)
			}
		})
	}
	e.view(func(tx store.Tx) error {
		p, err := tx.ListPools(e.prefix, 1)
		if err == nil && len(p) == 1 {
			check(t, "first pool", p[0], e.pool("a"))
		}
		return err
	})
}

func testClients(t *testing.T, e *env) {
	p1, p2 := e.id("p1"), e.id("p2")
	c := client(p1, e.id("c1"))
	c2 := c
	c2.Name, c2.Modified, c2.Data = "renamed", at(3*time.Hour), nil
	get := func(pool, id string) func(store.Tx) (store.Client, error) {
		return func(tx store.Tx) (store.Client, error) { return tx.GetClient(pool, id) }
	}
	byID := func(id string) func(store.Tx) (store.Client, error) {
		return func(tx store.Tx) (store.Client, error) { return tx.GetClientByID(id) }
	}
	modified := func(pool, id string) func(store.Tx) (stamp, error) {
		return func(tx store.Tx) (stamp, error) { m, err := tx.ClientModified(pool, id); return stamp{m}, err }
	}
	e.run([]step{
		{"create pools", func(tx store.Tx) error {
			if err := tx.CreatePool(e.pool("p1")); err != nil {
				return err
			}
			return tx.CreatePool(e.pool("p2"))
		}, nil},
		{"get absent", func(tx store.Tx) error { _, err := tx.GetClient(p1, c.ID); return err }, store.ErrNotFound},
		{"get by id absent", func(tx store.Tx) error { _, err := tx.GetClientByID(c.ID); return err }, store.ErrNotFound},
		{"create", func(tx store.Tx) error { return tx.CreateClient(c) }, nil},
		{"get", expect(t, "client", get(p1, c.ID), c), nil},
		{"get by id", expect(t, "client by id", byID(c.ID), c), nil},
		{"modified", expect(t, "client modified", modified(p1, c.ID), stamp{c.Modified}), nil},
		{"modified in other pool", func(tx store.Tx) error { _, err := tx.ClientModified(p2, c.ID); return err }, store.ErrNotFound},
		{"get in other pool", func(tx store.Tx) error { _, err := tx.GetClient(p2, c.ID); return err }, store.ErrNotFound},
		{"create again", func(tx store.Tx) error { return tx.CreateClient(c) }, store.ErrConflict},
		{"create same id in other pool", func(tx store.Tx) error { return tx.CreateClient(client(p2, c.ID)) }, store.ErrConflict},
		{"put", func(tx store.Tx) error { return tx.PutClient(c2) }, nil},
		{"get after put", expect(t, "client", get(p1, c.ID), c2), nil},
		{"modified after put", expect(t, "client modified", modified(p1, c.ID), stamp{c2.Modified}), nil},
		{"put absent", func(tx store.Tx) error { return tx.PutClient(client(p1, e.id("nope"))) }, store.ErrNotFound},
		{"put in wrong pool", func(tx store.Tx) error { return tx.PutClient(client(p2, c.ID)) }, store.ErrNotFound},
		{"delete in wrong pool", func(tx store.Tx) error { return tx.DeleteClient(p2, c.ID) }, store.ErrNotFound},
		{"delete", func(tx store.Tx) error { return tx.DeleteClient(p1, c.ID) }, nil},
		{"get deleted", func(tx store.Tx) error { _, err := tx.GetClientByID(c.ID); return err }, store.ErrNotFound},
		{"delete absent", func(tx store.Tx) error { return tx.DeleteClient(p1, c.ID) }, store.ErrNotFound},
		{"id free again", func(tx store.Tx) error { return tx.CreateClient(client(p2, c.ID)) }, nil},
	})
}

func testClientPagination(t *testing.T, e *env) {
	p1, p2 := e.id("p1"), e.id("p2")
	ids := []string{"c3", "c1", "c5", "c2", "c4"}
	e.update(func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.CreateClient(client(p1, e.id(id))); err != nil {
				return err
			}
		}
		return tx.CreateClient(client(p2, e.id("c0"))) // must not show up in p1
	})
	want := []string{e.id("c1"), e.id("c2"), e.id("c3"), e.id("c4"), e.id("c5")}
	for _, size := range []int{1, 2, 5, 10, 0} {
		t.Run(fmt.Sprintf("page size %d", size), func(t *testing.T) {
			got := walkPages(t, e, size, len(want), func(tx store.Tx, after string, size int) ([]store.Client, error) {
				return tx.ListClients(p1, after, size)
			}, func(c store.Client) string { return c.ID })
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("clients %v, want %v", got, want)
			}
		})
	}
}

func testUsers(t *testing.T, e *env) {
	pool, other := e.id("p"), e.id("other")
	u := user(pool, "jane")
	u2 := u
	u2.Username, u2.Sub, u2.Modified, u2.Data = "Jane", "sub-new", at(5*time.Hour), []byte(`{"v":2}`)
	bob := user(pool, "bob")
	get := func(pool, key string) func(store.Tx) (store.User, error) {
		return func(tx store.Tx) (store.User, error) { return tx.GetUser(pool, key) }
	}
	bySub := func(pool, sub string) func(store.Tx) (store.User, error) {
		return func(tx store.Tx) (store.User, error) { return tx.GetUserBySub(pool, sub) }
	}
	count := func(want int64) func(store.Tx) error {
		return func(tx store.Tx) error {
			n, err := tx.CountUsers(pool)
			if err == nil && n != want {
				t.Errorf("CountUsers = %d, want %d", n, want)
			}
			return err
		}
	}
	sameSub := user(pool, "other-key")
	sameSub.Sub = u.Sub
	e.run([]step{
		{"count empty", count(0), nil},
		{"get absent", func(tx store.Tx) error { _, err := tx.GetUser(pool, u.Key); return err }, store.ErrNotFound},
		{"get by sub absent", func(tx store.Tx) error { _, err := tx.GetUserBySub(pool, u.Sub); return err }, store.ErrNotFound},
		{"create", func(tx store.Tx) error { return tx.CreateUser(u) }, nil},
		{"create bob", func(tx store.Tx) error { return tx.CreateUser(bob) }, nil},
		{"get", expect(t, "user", get(pool, u.Key), u), nil},
		{"get by sub", expect(t, "user by sub", bySub(pool, u.Sub), u), nil},
		{"get in other pool", func(tx store.Tx) error { _, err := tx.GetUser(other, u.Key); return err }, store.ErrNotFound},
		{"count", count(2), nil},
		{"create same key", func(tx store.Tx) error { return tx.CreateUser(user(pool, u.Key)) }, store.ErrConflict},
		{"create same sub", func(tx store.Tx) error { return tx.CreateUser(sameSub) }, store.ErrConflict},
		{"same key and sub in other pool", func(tx store.Tx) error { return tx.CreateUser(user(other, u.Key)) }, nil},
		{"put", func(tx store.Tx) error { return tx.PutUser(u2) }, nil},
		{"get after put", expect(t, "user", get(pool, u.Key), u2), nil},
		{"get by new sub", expect(t, "user by sub", bySub(pool, u2.Sub), u2), nil},
		{"old sub gone", func(tx store.Tx) error { _, err := tx.GetUserBySub(pool, u.Sub); return err }, store.ErrNotFound},
		{"put taking another's sub", func(tx store.Tx) error {
			b := bob
			b.Sub = u2.Sub
			return tx.PutUser(b)
		}, store.ErrConflict},
		{"bob unchanged", expect(t, "bob", get(pool, bob.Key), bob), nil},
		{"put absent", func(tx store.Tx) error { return tx.PutUser(user(pool, "nobody")) }, store.ErrNotFound},
		{"delete", func(tx store.Tx) error { return tx.DeleteUser(pool, u.Key) }, nil},
		{"get deleted", func(tx store.Tx) error { _, err := tx.GetUser(pool, u.Key); return err }, store.ErrNotFound},
		{"get deleted by sub", func(tx store.Tx) error { _, err := tx.GetUserBySub(pool, u2.Sub); return err }, store.ErrNotFound},
		{"delete absent", func(tx store.Tx) error { return tx.DeleteUser(pool, u.Key) }, store.ErrNotFound},
		{"count after delete", count(1), nil},
		{"other pool untouched", expect(t, "user", get(other, u.Key), user(other, u.Key)), nil},
		{"key reusable", func(tx store.Tx) error { return tx.CreateUser(u) }, nil},
	})
}

func testUserPagination(t *testing.T, e *env) {
	pool := e.id("p")
	keys := []string{"mallory", "alice", "trent", "bob", "carol", "dave", "eve"}
	e.update(func(tx store.Tx) error {
		for _, k := range keys {
			if err := tx.CreateUser(user(pool, k)); err != nil {
				return err
			}
		}
		return tx.CreateUser(user(e.id("other"), "aaron"))
	})
	want := "[alice bob carol dave eve mallory trent]"
	for _, size := range []int{1, 3, 7, 100, 0} {
		t.Run(fmt.Sprintf("page size %d", size), func(t *testing.T) {
			got := walkPages(t, e, size, len(keys), func(tx store.Tx, after string, size int) ([]store.User, error) {
				return tx.ListUsers(pool, after, size)
			}, func(u store.User) string { return u.Key })
			if fmt.Sprint(got) != want {
				t.Errorf("users %v, want %v", got, want)
			}
		})
	}
	e.view(func(tx store.Tx) error {
		page, err := tx.ListUsers(pool, "carol", 1)
		if err == nil && len(page) == 1 {
			check(t, "user after carol", page[0], user(pool, "dave"))
		}
		return err
	})
}

func testAliases(t *testing.T, e *env) {
	pool, other := e.id("p"), e.id("other")
	const alias = "email:jane@example.com"
	holder := func(pool, want string) func(store.Tx) error {
		return func(tx store.Tx) error {
			got, err := tx.GetAlias(pool, alias)
			if err == nil && got != want {
				t.Errorf("alias held by %q, want %q", got, want)
			}
			return err
		}
	}
	e.run([]step{
		{"get absent", func(tx store.Tx) error { _, err := tx.GetAlias(pool, alias); return err }, store.ErrNotFound},
		{"claim", func(tx store.Tx) error { return tx.PutAlias(pool, alias, "jane") }, nil},
		{"held", holder(pool, "jane"), nil},
		{"re-claim by holder", func(tx store.Tx) error { return tx.PutAlias(pool, alias, "jane") }, nil},
		{"claim by another", func(tx store.Tx) error { return tx.PutAlias(pool, alias, "bob") }, store.ErrConflict},
		{"still held", holder(pool, "jane"), nil},
		{"other pool is separate", func(tx store.Tx) error { return tx.PutAlias(other, alias, "bob") }, nil},
		{"held in other pool", holder(other, "bob"), nil},
		{"second alias for same user", func(tx store.Tx) error { return tx.PutAlias(pool, "phone:+15550100", "jane") }, nil},
		{"delete", func(tx store.Tx) error { return tx.DeleteAlias(pool, alias) }, nil},
		{"get deleted", func(tx store.Tx) error { _, err := tx.GetAlias(pool, alias); return err }, store.ErrNotFound},
		{"delete absent", func(tx store.Tx) error { return tx.DeleteAlias(pool, alias) }, nil},
		{"other alias kept", func(tx store.Tx) error { _, err := tx.GetAlias(pool, "phone:+15550100"); return err }, nil},
		{"other pool kept", holder(other, "bob"), nil},
		{"claim after delete", func(tx store.Tx) error { return tx.PutAlias(pool, alias, "bob") }, nil},
		{"held by new user", holder(pool, "bob"), nil},
	})
}

func testKeys(t *testing.T, e *env) {
	pool := e.id("p")
	key := func(kid string, created time.Time) store.Key {
		return store.Key{PoolID: pool, Kid: e.id(kid), Use: "id", Private: []byte("der-" + kid), Created: created}
	}
	k1, k2, k3 := key("k1", at(0)), key("k2", at(0)), key("k3", at(-time.Hour))
	k2.Use = "access"
	e.run([]step{
		{"empty", func(tx store.Tx) error {
			ks, err := tx.ListKeys(pool)
			if err == nil && len(ks) != 0 {
				t.Errorf("ListKeys of new pool = %d keys", len(ks))
			}
			return err
		}, nil},
		{"create k1", func(tx store.Tx) error { return tx.CreateKey(k1) }, nil},
		{"create k2 same time", func(tx store.Tx) error { return tx.CreateKey(k2) }, nil},
		{"create k3 older", func(tx store.Tx) error { return tx.CreateKey(k3) }, nil},
		{"create other pool", func(tx store.Tx) error {
			return tx.CreateKey(store.Key{PoolID: e.id("other"), Kid: e.id("k9"), Use: "id", Created: at(-2 * time.Hour)})
		}, nil},
		{"duplicate kid", func(tx store.Tx) error { return tx.CreateKey(k1) }, store.ErrConflict},
		{"list oldest first", func(tx store.Tx) error {
			ks, err := tx.ListKeys(pool)
			if err != nil {
				return err
			}
			want := []store.Key{k3, k1, k2}
			if len(ks) != len(want) {
				t.Fatalf("ListKeys = %d keys, want %d", len(ks), len(want))
			}
			for i := range want {
				check(t, fmt.Sprintf("key %d", i), ks[i], want[i])
			}
			return nil
		}, nil},
	})
}

func testRefreshTokens(t *testing.T, e *env) {
	pool := e.id("p")
	rt := token(e.id("rt"), pool, "jane")
	revoked := rt
	revoked.Revoked, revoked.Data = true, []byte(`{"replaced_by":"x"}`)
	get := func(tx store.Tx) (store.RefreshToken, error) { return tx.GetRefreshToken(rt.ID) }
	e.run([]step{
		{"get absent", func(tx store.Tx) error { _, err := get(tx); return err }, store.ErrNotFound},
		{"create", func(tx store.Tx) error { return tx.CreateRefreshToken(rt) }, nil},
		{"get", expect(t, "token", get, rt), nil},
		{"create again", func(tx store.Tx) error { return tx.CreateRefreshToken(rt) }, store.ErrConflict},
		{"revoke", func(tx store.Tx) error { return tx.PutRefreshToken(revoked) }, nil},
		{"get revoked", expect(t, "token", get, revoked), nil},
		{"put absent", func(tx store.Tx) error { return tx.PutRefreshToken(token(e.id("nope"), pool, "jane")) }, store.ErrNotFound},
	})
}

func testMessages(t *testing.T, e *env) {
	pool := e.id("p")
	m := message(e.id("m1"), pool, "jane", "email", at(0))
	sent := m
	sent.State, sent.Attempts, sent.LastError = "failed", 3, "smtp: 451 try later"
	get := func(tx store.Tx) (store.Message, error) { return tx.GetMessage(m.ID) }
	e.run([]step{
		{"get absent", func(tx store.Tx) error { _, err := get(tx); return err }, store.ErrNotFound},
		{"create", func(tx store.Tx) error { return tx.CreateMessage(m) }, nil},
		{"get", expect(t, "message", get, m), nil},
		{"create again", func(tx store.Tx) error { return tx.CreateMessage(m) }, store.ErrConflict},
		{"put", func(tx store.Tx) error { return tx.PutMessage(sent) }, nil},
		{"get after put", expect(t, "message", get, sent), nil},
		{"put absent", func(tx store.Tx) error {
			return tx.PutMessage(message(e.id("nope"), pool, "jane", "email", at(0)))
		}, store.ErrNotFound},
	})
}

func testListMessages(t *testing.T, e *env) {
	p1, p2 := e.id("p1"), e.id("p2")
	// Created out of order; m3 and m4 share a time, so insertion order
	// decides between them (the later insert is newer).
	msgs := []store.Message{
		message(e.id("m1"), p1, "jane", "email", at(1*time.Second)),
		message(e.id("m2"), p1, "jane", "phone_number", at(3*time.Second)),
		message(e.id("m3"), p1, "bob", "email", at(2*time.Second)),
		message(e.id("m4"), p1, "jane", "email", at(2*time.Second)),
		message(e.id("m5"), p2, "jane", "email", at(4*time.Second)),
	}
	e.update(func(tx store.Tx) error {
		for _, m := range msgs {
			if err := tx.CreateMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		name   string
		filter store.MessageFilter
		want   []string
	}{
		{"pool", store.MessageFilter{PoolID: p1}, []string{"m2", "m4", "m3", "m1"}},
		{"pool limit", store.MessageFilter{PoolID: p1, Limit: 2}, []string{"m2", "m4"}},
		{"pool and user", store.MessageFilter{PoolID: p1, Username: "jane"}, []string{"m2", "m4", "m1"}},
		{"pool user attribute", store.MessageFilter{PoolID: p1, Username: "jane", AttributeName: "email"}, []string{"m4", "m1"}},
		{"pool and attribute", store.MessageFilter{PoolID: p1, AttributeName: "email"}, []string{"m4", "m3", "m1"}},
		{"limit one", store.MessageFilter{PoolID: p1, Username: "jane", AttributeName: "email", Limit: 1}, []string{"m4"}},
		{"other pool", store.MessageFilter{PoolID: p2}, []string{"m5"}},
		{"no match", store.MessageFilter{PoolID: p1, Username: "nobody"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []store.Message
			e.view(func(tx store.Tx) (err error) { got, err = tx.ListMessages(tc.filter); return err })
			var ids []string
			for _, m := range got {
				ids = append(ids, m.ID[len(e.prefix):])
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
				t.Errorf("messages %v, want %v", ids, tc.want)
			}
		})
	}
	t.Run("all pools", func(t *testing.T) {
		// Without a pool filter other subtests' messages may show up; ours
		// must still come newest first.
		var got []store.Message
		e.view(func(tx store.Tx) (err error) {
			got, err = tx.ListMessages(store.MessageFilter{Username: "jane"})
			return err
		})
		var ids []string
		for _, m := range got {
			if len(m.ID) > len(e.prefix) && m.ID[:len(e.prefix)] == e.prefix {
				ids = append(ids, m.ID[len(e.prefix):])
			}
		}
		if want := "[m5 m2 m4 m1]"; fmt.Sprint(ids) != want {
			t.Errorf("messages %v, want %v", ids, want)
		}
	})
	e.view(func(tx store.Tx) error {
		got, err := tx.ListMessages(store.MessageFilter{PoolID: p2})
		if err == nil && len(got) == 1 {
			check(t, "listed message", got[0], msgs[4])
		}
		return err
	})
}

func testSettings(t *testing.T, e *env) {
	name := e.id("sealing-key")
	value := func(want string) func(store.Tx) error {
		return func(tx store.Tx) error {
			got, err := tx.GetSetting(name)
			if err == nil && string(got) != want {
				t.Errorf("setting = %q, want %q", got, want)
			}
			return err
		}
	}
	e.run([]step{
		{"get absent", func(tx store.Tx) error { _, err := tx.GetSetting(name); return err }, store.ErrNotFound},
		{"put", func(tx store.Tx) error { return tx.PutSetting(name, []byte("v1")) }, nil},
		{"get", value("v1"), nil},
		{"overwrite", func(tx store.Tx) error { return tx.PutSetting(name, []byte("v2")) }, nil},
		{"get new", value("v2"), nil},
	})
}
