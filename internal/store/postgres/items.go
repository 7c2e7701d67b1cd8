package postgres

import (
	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

const itemCols = "pool_id, kind, id, created, modified, data"

func scanItem(r pgx.Row) (store.Item, error) {
	var it store.Item
	err := r.Scan(&it.PoolID, &it.Kind, &it.ID, &it.Created, &it.Modified, &it.Data)
	it.Created, it.Modified = utc(it.Created), utc(it.Modified)
	return it, err
}

// GetItem inside Update locks the row until commit, so that concurrent
// read-modify-writes of one item (an import job's counters) take turns.
func (t *tx) GetItem(poolID, kind, id string) (store.Item, error) {
	if err := t.read(); err != nil {
		return store.Item{}, err
	}
	it, err := scanItem(t.queryRow("SELECT "+itemCols+" FROM items WHERE pool_id = $1 AND kind = $2 AND id = $3"+t.lock, poolID, kind, id))
	if err != nil {
		return store.Item{}, fail("get item", err)
	}
	return it, nil
}

func (t *tx) ListItems(poolID, kind, afterID string, limit int) ([]store.Item, error) {
	return collect(t, "list items", scanItem, "SELECT "+itemCols+" FROM items WHERE pool_id = $1 AND kind = $2 AND id > $3 ORDER BY id LIMIT $4",
		poolID, kind, afterID, limitArg(limit))
}

func (t *tx) CreateItem(it store.Item) error {
	return t.insert("create item", "INSERT INTO items ("+itemCols+") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
		it.PoolID, it.Kind, it.ID, it.Created, it.Modified, it.Data)
}

func (t *tx) PutItem(it store.Item) error {
	return t.change("put item", "UPDATE items SET created = $1, modified = $2, data = $3 WHERE pool_id = $4 AND kind = $5 AND id = $6",
		it.Created, it.Modified, it.Data, it.PoolID, it.Kind, it.ID)
}

func (t *tx) DeleteItem(poolID, kind, id string) error {
	return t.change("delete item", "DELETE FROM items WHERE pool_id = $1 AND kind = $2 AND id = $3", poolID, kind, id)
}
