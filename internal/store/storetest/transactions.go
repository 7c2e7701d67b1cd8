package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// fill creates, in pool poolName, a client, two users with an alias each,
// a key, a refresh token per user and a message per user.
func (e *env) fill(poolName string) {
	e.t.Helper()
	pool := e.id(poolName)
	e.update(func(tx store.Tx) error {
		p := e.pool(poolName)
		steps := []func() error{
			func() error { return tx.CreatePool(p) },
			func() error { return tx.CreateClient(client(pool, pool+"-client")) },
			func() error {
				return tx.CreateKey(store.Key{PoolID: pool, Kid: pool + "-kid", Use: "id", Created: at(0)})
			},
		}
		for _, u := range []string{"jane", "bob"} {
			steps = append(steps,
				func() error { return tx.CreateUser(user(pool, u)) },
				func() error { return tx.PutAlias(pool, "email:"+u, u) },
				func() error { return tx.CreateRefreshToken(token(pool+"-rt-"+u, pool, u)) },
				func() error { return tx.CreateMessage(message(pool+"-msg-"+u, pool, u, "email", at(0))) },
			)
		}
		for _, s := range steps {
			if err := s(); err != nil {
				return err
			}
		}
		return nil
	})
}

// probe is one read of a record that fill creates.
type probe struct {
	name string
	fn   func(tx store.Tx) error // ErrNotFound when the record is gone
}

func (e *env) probes(poolName string) []probe {
	pool := e.id(poolName)
	present := func(n int, err error) error {
		if err == nil && n == 0 {
			return store.ErrNotFound
		}
		return err
	}
	var ps []probe
	ps = append(ps,
		probe{"pool", func(tx store.Tx) error { _, err := tx.GetPool(pool); return err }},
		probe{"client", func(tx store.Tx) error { _, err := tx.GetClient(pool, pool+"-client"); return err }},
		probe{"client by id", func(tx store.Tx) error { _, err := tx.GetClientByID(pool + "-client"); return err }},
		probe{"clients", func(tx store.Tx) error { l, err := tx.ListClients(pool, "", 0); return present(len(l), err) }},
		probe{"keys", func(tx store.Tx) error { l, err := tx.ListKeys(pool); return present(len(l), err) }},
		probe{"users", func(tx store.Tx) error { l, err := tx.ListUsers(pool, "", 0); return present(len(l), err) }},
		probe{"user count", func(tx store.Tx) error { n, err := tx.CountUsers(pool); return present(int(n), err) }},
		probe{"messages", func(tx store.Tx) error {
			l, err := tx.ListMessages(store.MessageFilter{PoolID: pool})
			return present(len(l), err)
		}},
	)
	for _, u := range []string{"jane", "bob"} {
		ps = append(ps, e.userProbes(poolName, u)...)
		ps = append(ps, probe{"message of " + u, func(tx store.Tx) error { _, err := tx.GetMessage(pool + "-msg-" + u); return err }})
	}
	return ps
}

// userProbes are the reads of one user's records that DeleteUser removes.
func (e *env) userProbes(poolName, u string) []probe {
	pool := e.id(poolName)
	return []probe{
		{"user " + u, func(tx store.Tx) error { _, err := tx.GetUser(pool, u); return err }},
		{"user by sub " + u, func(tx store.Tx) error { _, err := tx.GetUserBySub(pool, "sub-"+u); return err }},
		{"alias of " + u, func(tx store.Tx) error { _, err := tx.GetAlias(pool, "email:"+u); return err }},
		{"refresh token of " + u, func(tx store.Tx) error { _, err := tx.GetRefreshToken(pool + "-rt-" + u); return err }},
	}
}

// expectProbes checks that every probe finds its record (want nil) or
// that none does (want store.ErrNotFound).
func (e *env) expectProbes(ps []probe, want error) {
	e.t.Helper()
	for _, p := range ps {
		wantErr(e.t, p.name, e.s.View(e.ctx, p.fn), want)
	}
}

func testDeletePoolCascade(t *testing.T, e *env) {
	e.fill("a")
	e.fill("b")
	e.expectProbes(e.probes("a"), nil)
	e.update(func(tx store.Tx) error { return tx.DeletePool(e.id("a")) })
	e.expectProbes(e.probes("a"), store.ErrNotFound)
	e.expectProbes(e.probes("b"), nil)
	// Everything of the deleted pool is free to be created again.
	e.fill("a")
	e.expectProbes(e.probes("a"), nil)
}

func testDeleteUserCascade(t *testing.T, e *env) {
	e.fill("a")
	e.fill("b")
	e.update(func(tx store.Tx) error { return tx.DeleteUser(e.id("a"), "jane") })
	e.expectProbes(e.userProbes("a", "jane"), store.ErrNotFound)
	e.expectProbes(e.userProbes("a", "bob"), nil)
	e.expectProbes(e.userProbes("b", "jane"), nil)
	// The message outbox is not the user's to delete.
	pool := e.id("a")
	e.expectProbes([]probe{{"message of jane", func(tx store.Tx) error { _, err := tx.GetMessage(pool + "-msg-jane"); return err }}}, nil)
	e.update(func(tx store.Tx) error { return tx.PutAlias(pool, "email:jane", "bob") })
}

// errBoom is the error the atomicity tests return from their functions.
var errBoom = errors.New("storetest: boom")

func testUpdateAtomicity(t *testing.T, e *env) {
	pool := e.id("p")
	e.update(func(tx store.Tx) error { return tx.CreateUser(user(pool, "existing")) })
	writeAll := func(tx store.Tx) error {
		steps := []func() error{
			func() error { return tx.CreatePool(e.pool("p")) },
			func() error { return tx.CreateClient(client(pool, pool+"-client")) },
			func() error { return tx.CreateUser(user(pool, "jane")) },
			func() error { return tx.PutAlias(pool, "email:jane", "jane") },
			func() error { return tx.CreateGroup(group(pool, "admins")) },
			func() error { return tx.AddMember(pool, "admins", "existing") },
			func() error {
				return tx.CreateKey(store.Key{PoolID: pool, Kid: pool + "-kid", Use: "id", Created: at(0)})
			},
			func() error { return tx.CreateRefreshToken(token(pool+"-rt", pool, "jane")) },
			func() error { return tx.CreateMessage(message(pool+"-msg", pool, "jane", "email", at(0))) },
			func() error { return tx.PutSetting(pool+"-setting", []byte("x")) },
			func() error {
				u := user(pool, "existing")
				u.Data = []byte(`{"changed":true}`)
				return tx.PutUser(u)
			},
		}
		for _, s := range steps {
			if err := s(); err != nil {
				return err
			}
		}
		return nil
	}
	wrapped := fmt.Errorf("storetest: wrapped: %w", errBoom)
	tests := []struct {
		name string
		fn   func(tx store.Tx) error
		want error
	}{
		{"plain error", func(tx store.Tx) error {
			if err := writeAll(tx); err != nil {
				return err
			}
			return errBoom
		}, errBoom},
		{"wrapped error", func(tx store.Tx) error {
			if err := writeAll(tx); err != nil {
				return err
			}
			return wrapped
		}, wrapped},
		{"store error after writes", func(tx store.Tx) error {
			if err := writeAll(tx); err != nil {
				return err
			}
			return tx.CreateUser(user(pool, "jane")) // ErrConflict
		}, store.ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := e.s.Update(e.ctx, tc.fn)
			switch {
			case tc.want == store.ErrConflict:
				if !errors.Is(err, store.ErrConflict) {
					t.Errorf("Update returned %v, want ErrConflict", err)
				}
			case err != tc.want: // the function's own error comes back unchanged
				t.Errorf("Update returned %v, want exactly %v", err, tc.want)
			case !errors.Is(err, errBoom):
				t.Errorf("errors.Is(%v, errBoom) = false", err)
			}
			reads := []probe{
				{"pool", func(tx store.Tx) error { _, err := tx.GetPool(pool); return err }},
				{"client", func(tx store.Tx) error { _, err := tx.GetClientByID(pool + "-client"); return err }},
				{"user", func(tx store.Tx) error { _, err := tx.GetUser(pool, "jane"); return err }},
				{"alias", func(tx store.Tx) error { _, err := tx.GetAlias(pool, "email:jane"); return err }},
				{"group", func(tx store.Tx) error { _, err := tx.GetGroup(pool, "admins"); return err }},
				{"membership", func(tx store.Tx) error {
					gs, err := tx.ListUserGroups(pool, "existing", "", 0)
					if err == nil && len(gs) == 0 {
						return store.ErrNotFound
					}
					return err
				}},
				{"key", func(tx store.Tx) error {
					ks, err := tx.ListKeys(pool)
					if err == nil && len(ks) == 0 {
						return store.ErrNotFound
					}
					return err
				}},
				{"refresh token", func(tx store.Tx) error { _, err := tx.GetRefreshToken(pool + "-rt"); return err }},
				{"message", func(tx store.Tx) error { _, err := tx.GetMessage(pool + "-msg"); return err }},
				{"setting", func(tx store.Tx) error { _, err := tx.GetSetting(pool + "-setting"); return err }},
			}
			e.expectProbes(reads, store.ErrNotFound)
			e.view(func(tx store.Tx) error {
				u, err := tx.GetUser(pool, "existing")
				if err == nil {
					check(t, "existing user", u, user(pool, "existing"))
				}
				return err
			})
		})
	}
	t.Run("success keeps everything", func(t *testing.T) {
		e.update(writeAll)
		e.view(func(tx store.Tx) error { _, err := tx.GetRefreshToken(pool + "-rt"); return err })
	})
}

func testViewReadOnly(t *testing.T, e *env) {
	pool := e.id("p")
	e.fill("p")
	writes := []struct {
		name string
		fn   func(tx store.Tx) error
	}{
		{"CreatePool", func(tx store.Tx) error { return tx.CreatePool(e.pool("new")) }},
		{"PutPool", func(tx store.Tx) error { return tx.PutPool(e.pool("p")) }},
		{"DeletePool", func(tx store.Tx) error { return tx.DeletePool(pool) }},
		{"CreateClient", func(tx store.Tx) error { return tx.CreateClient(client(pool, e.id("new"))) }},
		{"PutClient", func(tx store.Tx) error { return tx.PutClient(client(pool, pool+"-client")) }},
		{"DeleteClient", func(tx store.Tx) error { return tx.DeleteClient(pool, pool+"-client") }},
		{"CreateUser", func(tx store.Tx) error { return tx.CreateUser(user(pool, "new")) }},
		{"PutUser", func(tx store.Tx) error { return tx.PutUser(user(pool, "jane")) }},
		{"DeleteUser", func(tx store.Tx) error { return tx.DeleteUser(pool, "jane") }},
		{"PutAlias", func(tx store.Tx) error { return tx.PutAlias(pool, "email:new", "jane") }},
		{"DeleteAlias", func(tx store.Tx) error { return tx.DeleteAlias(pool, "email:jane") }},
		{"CreateKey", func(tx store.Tx) error { return tx.CreateKey(store.Key{PoolID: pool, Kid: e.id("new")}) }},
		{"CreateRefreshToken", func(tx store.Tx) error { return tx.CreateRefreshToken(token(e.id("new"), pool, "jane")) }},
		{"PutRefreshToken", func(tx store.Tx) error { return tx.PutRefreshToken(token(pool+"-rt-jane", pool, "jane")) }},
		{"CreateMessage", func(tx store.Tx) error { return tx.CreateMessage(message(e.id("new"), pool, "jane", "email", at(0))) }},
		{"PutMessage", func(tx store.Tx) error { return tx.PutMessage(message(pool+"-msg-jane", pool, "jane", "email", at(0))) }},
		{"PutSetting", func(tx store.Tx) error { return tx.PutSetting(e.id("setting"), []byte("x")) }},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			var inner error
			err := e.s.View(e.ctx, func(tx store.Tx) error {
				inner = w.fn(tx)
				return inner
			})
			if !errors.Is(inner, store.ErrReadOnly) {
				t.Errorf("%s in View: %v, want ErrReadOnly", w.name, inner)
			}
			if !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("View returned %v, want ErrReadOnly", err)
			}
		})
	}
	e.expectProbes(e.probes("p"), nil)
	e.expectProbes([]probe{{"new user", func(tx store.Tx) error { _, err := tx.GetUser(pool, "new"); return err }}}, store.ErrNotFound)
}

func testCancelledContext(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	tests := []struct {
		name string
		call func(fn func(store.Tx) error) error
	}{
		{"Update", func(fn func(store.Tx) error) error { return e.s.Update(ctx, fn) }},
		{"View", func(fn func(store.Tx) error) error { return e.s.View(ctx, fn) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ran := false
			err := tc.call(func(tx store.Tx) error {
				ran = true
				return nil
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context: %v, want context.Canceled", tc.name, err)
			}
			if ran {
				t.Errorf("%s ran its function with a cancelled context", tc.name)
			}
		})
	}
}
