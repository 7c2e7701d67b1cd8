package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

func group(poolID, name string) store.Group {
	return store.Group{PoolID: poolID, Name: name, Created: at(0), Modified: at(2 * time.Hour),
		Data: []byte(`{"group":"` + name + `"}`)}
}

func testGroups(t *testing.T, e *env) {
	pool, other := e.id("p"), e.id("other")
	g := group(pool, "admins")
	g2 := g
	g2.Modified, g2.Data = at(3*time.Hour), []byte(`{"v":2}`)
	get := func(pool, name string) func(store.Tx) (store.Group, error) {
		return func(tx store.Tx) (store.Group, error) { return tx.GetGroup(pool, name) }
	}
	e.run([]step{
		{"get absent", func(tx store.Tx) error { _, err := tx.GetGroup(pool, g.Name); return err }, store.ErrNotFound},
		{"create", func(tx store.Tx) error { return tx.CreateGroup(g) }, nil},
		{"get", expect(t, "group", get(pool, g.Name), g), nil},
		{"names are case-sensitive", func(tx store.Tx) error { _, err := tx.GetGroup(pool, "Admins"); return err }, store.ErrNotFound},
		{"create differing in case", func(tx store.Tx) error { return tx.CreateGroup(group(pool, "Admins")) }, nil},
		{"create same name", func(tx store.Tx) error { return tx.CreateGroup(group(pool, g.Name)) }, store.ErrConflict},
		{"same name in other pool", func(tx store.Tx) error { return tx.CreateGroup(group(other, g.Name)) }, nil},
		{"put", func(tx store.Tx) error { return tx.PutGroup(g2) }, nil},
		{"get after put", expect(t, "group", get(pool, g.Name), g2), nil},
		{"put absent", func(tx store.Tx) error { return tx.PutGroup(group(pool, "nobody")) }, store.ErrNotFound},
		{"delete", func(tx store.Tx) error { return tx.DeleteGroup(pool, g.Name) }, nil},
		{"get deleted", func(tx store.Tx) error { _, err := tx.GetGroup(pool, g.Name); return err }, store.ErrNotFound},
		{"delete absent", func(tx store.Tx) error { return tx.DeleteGroup(pool, g.Name) }, store.ErrNotFound},
		{"other pool untouched", expect(t, "group", get(other, g.Name), group(other, g.Name)), nil},
		{"name reusable", func(tx store.Tx) error { return tx.CreateGroup(g) }, nil},
		{"count", func(tx store.Tx) error { return wantCount(tx.CountGroups(pool))(2) }, nil},
		{"count other pool", func(tx store.Tx) error { return wantCount(tx.CountGroups(other))(1) }, nil},
		{"count empty pool", func(tx store.Tx) error { return wantCount(tx.CountGroups(e.id("none")))(0) }, nil},
	})
}

func testGroupPagination(t *testing.T, e *env) {
	pool := e.id("p")
	names := []string{"mallory", "Alice", "trent", "bob", "carol", "dave", "eve"}
	e.update(func(tx store.Tx) error {
		for _, n := range names {
			if err := tx.CreateGroup(group(pool, n)); err != nil {
				return err
			}
		}
		return tx.CreateGroup(group(e.id("other"), "aaron"))
	})
	// Byte order: upper case first.
	want := "[Alice bob carol dave eve mallory trent]"
	for _, size := range []int{1, 3, 7, 100, 0} {
		got := walkPages(t, e, size, len(names), func(tx store.Tx, after string, size int) ([]store.Group, error) {
			return tx.ListGroups(pool, after, size)
		}, func(g store.Group) string { return g.Name })
		if fmt.Sprint(got) != want {
			t.Errorf("page size %d: groups %v, want %v", size, got, want)
		}
	}
	e.view(func(tx store.Tx) error {
		page, err := tx.ListGroups(pool, "carol", 1)
		if err == nil && len(page) == 1 {
			check(t, "group after carol", page[0], group(pool, "dave"))
		}
		return err
	})
}

func testMemberships(t *testing.T, e *env) {
	pool, other := e.id("p"), e.id("other")
	e.update(func(tx store.Tx) error {
		for _, n := range []string{"admins", "readers", "writers"} {
			if err := tx.CreateGroup(group(pool, n)); err != nil {
				return err
			}
		}
		for _, k := range []string{"jane", "bob", "carol"} {
			if err := tx.CreateUser(user(pool, k)); err != nil {
				return err
			}
		}
		if err := tx.CreateGroup(group(other, "admins")); err != nil {
			return err
		}
		return tx.CreateUser(user(other, "jane"))
	})
	groupsOf := func(key, after string, limit int, want string) func(store.Tx) error {
		return func(tx store.Tx) error {
			gs, err := tx.ListUserGroups(pool, key, after, limit)
			var names []string
			for _, g := range gs {
				names = append(names, g.Name)
			}
			if err == nil && fmt.Sprint(names) != want {
				t.Errorf("groups of %s after %q limit %d = %v, want %s", key, after, limit, names, want)
			}
			if err == nil && len(gs) > 0 {
				check(t, "listed group", gs[0], group(pool, gs[0].Name))
			}
			return err
		}
	}
	members := func(g, after string, limit int, want string) func(store.Tx) error {
		return func(tx store.Tx) error {
			us, err := tx.ListMembers(pool, g, after, limit)
			var keys []string
			for _, u := range us {
				keys = append(keys, u.Key)
			}
			if err == nil && fmt.Sprint(keys) != want {
				t.Errorf("members of %s after %q limit %d = %v, want %s", g, after, limit, keys, want)
			}
			if err == nil && len(us) > 0 {
				check(t, "listed member", us[0], user(pool, us[0].Key))
			}
			return err
		}
	}
	e.run([]step{
		{"no groups yet", groupsOf("jane", "", 0, "[]"), nil},
		{"no members yet", members("admins", "", 0, "[]"), nil},
		{"add jane to admins", func(tx store.Tx) error { return tx.AddMember(pool, "admins", "jane") }, nil},
		{"add again", func(tx store.Tx) error { return tx.AddMember(pool, "admins", "jane") }, nil},
		{"add jane to writers", func(tx store.Tx) error { return tx.AddMember(pool, "writers", "jane") }, nil},
		{"add jane to readers", func(tx store.Tx) error { return tx.AddMember(pool, "readers", "jane") }, nil},
		{"add bob to admins", func(tx store.Tx) error { return tx.AddMember(pool, "admins", "bob") }, nil},
		{"add carol to admins", func(tx store.Tx) error { return tx.AddMember(pool, "admins", "carol") }, nil},
		{"other pool", func(tx store.Tx) error { return tx.AddMember(other, "admins", "jane") }, nil},
		{"jane's groups", groupsOf("jane", "", 0, "[admins readers writers]"), nil},
		{"jane's groups paged", groupsOf("jane", "admins", 1, "[readers]"), nil},
		{"bob's groups", groupsOf("bob", "", 0, "[admins]"), nil},
		{"admins", members("admins", "", 0, "[bob carol jane]"), nil},
		{"admins paged", members("admins", "bob", 1, "[carol]"), nil},
		{"remove bob", func(tx store.Tx) error { return tx.RemoveMember(pool, "admins", "bob") }, nil},
		{"remove bob again", func(tx store.Tx) error { return tx.RemoveMember(pool, "admins", "bob") }, nil},
		{"admins without bob", members("admins", "", 0, "[carol jane]"), nil},
		{"delete user removes memberships", func(tx store.Tx) error { return tx.DeleteUser(pool, "jane") }, nil},
		{"admins without jane", members("admins", "", 0, "[carol]"), nil},
		{"jane recreated has no groups", func(tx store.Tx) error {
			if err := tx.CreateUser(user(pool, "jane")); err != nil {
				return err
			}
			return groupsOf("jane", "", 0, "[]")(tx)
		}, nil},
		{"delete group removes memberships", func(tx store.Tx) error { return tx.DeleteGroup(pool, "admins") }, nil},
		{"carol has no groups", groupsOf("carol", "", 0, "[]"), nil},
		{"recreated group is empty", func(tx store.Tx) error {
			if err := tx.CreateGroup(group(pool, "admins")); err != nil {
				return err
			}
			return members("admins", "", 0, "[]")(tx)
		}, nil},
		{"other pool kept", func(tx store.Tx) error {
			us, err := tx.ListMembers(other, "admins", "", 0)
			if err == nil && len(us) != 1 {
				t.Errorf("other pool's admins = %d members, want 1", len(us))
			}
			return err
		}, nil},
	})
	// DeletePool removes the pool's groups and memberships.
	e.fill("q")
	q := e.id("q")
	e.update(func(tx store.Tx) error {
		if err := tx.CreateGroup(group(q, "g")); err != nil {
			return err
		}
		return tx.AddMember(q, "g", "jane")
	})
	e.update(func(tx store.Tx) error { return tx.DeletePool(q) })
	e.fill("q")
	e.view(func(tx store.Tx) error {
		if _, err := tx.GetGroup(q, "g"); err != store.ErrNotFound {
			t.Errorf("group of a deleted pool: %v, want ErrNotFound", err)
		}
		gs, err := tx.ListUserGroups(q, "jane", "", 0)
		if err == nil && len(gs) != 0 {
			t.Errorf("memberships of a deleted pool survive: %v", gs)
		}
		return err
	})
}

// wantCount checks a count result against want.
func wantCount(n int64, err error) func(want int64) error {
	return func(want int64) error {
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("count %d, want %d", n, want)
		}
		return nil
	}
}
