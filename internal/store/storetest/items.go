package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

func item(poolID, kind, id string) store.Item {
	return store.Item{PoolID: poolID, Kind: kind, ID: id, Created: at(0), Modified: at(time.Hour),
		Data: []byte(`{"item":"` + kind + "/" + id + `"}`)}
}

func testItems(t *testing.T, e *env) {
	pool, other := e.id("p"), e.id("other")
	global := item("", "domain", e.id("auth")) // IDs across pools are the subtest's own too
	it := item(pool, "domain", "auth")
	it2 := it
	it2.Modified, it2.Data = at(3*time.Hour), []byte(`{"v":2}`)
	get := func(pool, kind, id string) func(store.Tx) (store.Item, error) {
		return func(tx store.Tx) (store.Item, error) { return tx.GetItem(pool, kind, id) }
	}
	absent := func(pool, kind, id string) func(store.Tx) error {
		return func(tx store.Tx) error { _, err := tx.GetItem(pool, kind, id); return err }
	}
	e.run([]step{
		{"get absent", absent(pool, "domain", "auth"), store.ErrNotFound},
		{"create", func(tx store.Tx) error { return tx.CreateItem(it) }, nil},
		{"get", expect(t, "item", get(pool, "domain", "auth"), it), nil},
		{"ids are case-sensitive", absent(pool, "domain", "Auth"), store.ErrNotFound},
		{"kinds are apart", absent(pool, "terms", "auth"), store.ErrNotFound},
		{"create same", func(tx store.Tx) error { return tx.CreateItem(item(pool, "domain", "auth")) }, store.ErrConflict},
		{"same id of another kind", func(tx store.Tx) error { return tx.CreateItem(item(pool, "terms", "auth")) }, nil},
		{"same id in other pool", func(tx store.Tx) error { return tx.CreateItem(item(other, "domain", "auth")) }, nil},
		{"same id across pools", func(tx store.Tx) error { return tx.CreateItem(global) }, nil},
		{"put", func(tx store.Tx) error { return tx.PutItem(it2) }, nil},
		{"get after put", expect(t, "item", get(pool, "domain", "auth"), it2), nil},
		{"put absent", func(tx store.Tx) error { return tx.PutItem(item(pool, "domain", "nothing")) }, store.ErrNotFound},
		{"delete", func(tx store.Tx) error { return tx.DeleteItem(pool, "domain", "auth") }, nil},
		{"get deleted", absent(pool, "domain", "auth"), store.ErrNotFound},
		{"delete absent", func(tx store.Tx) error { return tx.DeleteItem(pool, "domain", "auth") }, store.ErrNotFound},
		{"other kind untouched", expect(t, "item", get(pool, "terms", "auth"), item(pool, "terms", "auth")), nil},
		{"other pool untouched", expect(t, "item", get(other, "domain", "auth"), item(other, "domain", "auth")), nil},
		{"id reusable", func(tx store.Tx) error { return tx.CreateItem(it) }, nil},
	})

	// Pages in byte order, only of the kind and pool asked for.
	ids := []string{"mallory", "Alice", "trent", "bob", "carol"}
	e.update(func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.CreateItem(item(pool, "job", id)); err != nil {
				return err
			}
		}
		if err := tx.CreateItem(item(pool, "jobs", "aaron")); err != nil {
			return err
		}
		return tx.CreateItem(item(other, "job", "aaron"))
	})
	for _, size := range []int{1, 2, 5, 0} {
		got := walkPages(t, e, size, len(ids), func(tx store.Tx, after string, size int) ([]store.Item, error) {
			return tx.ListItems(pool, "job", after, size)
		}, func(it store.Item) string { return it.ID })
		if want := "[Alice bob carol mallory trent]"; fmt.Sprint(got) != want {
			t.Errorf("page size %d: items %v, want %v", size, got, want)
		}
	}
	e.view(func(tx store.Tx) error {
		page, err := tx.ListItems(pool, "job", "bob", 1)
		if err == nil && len(page) == 1 {
			check(t, "item after bob", page[0], item(pool, "job", "carol"))
		}
		return err
	})

	// DeletePool removes the pool's items, not those of other pools or
	// those unique across pools.
	e.fill("q")
	q := e.id("q")
	e.update(func(tx store.Tx) error { return tx.CreateItem(item(q, "job", "j1")) })
	e.update(func(tx store.Tx) error { return tx.DeletePool(q) })
	e.view(func(tx store.Tx) error {
		if _, err := tx.GetItem(q, "job", "j1"); err != store.ErrNotFound {
			t.Errorf("item of a deleted pool: %v, want ErrNotFound", err)
		}
		if _, err := tx.GetItem("", "domain", global.ID); err != nil {
			t.Errorf("item unique across pools after DeletePool: %v", err)
		}
		return nil
	})
}
