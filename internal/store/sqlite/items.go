package sqlite

import (
	"database/sql/driver"

	"github.com/cognate-idp/cognate/internal/store"
)

// Items are not cached: they are read by their own operations, not on the
// hot attribute paths.

func scanItem(v []driver.Value) store.Item {
	return store.Item{PoolID: str(v[0]), Kind: str(v[1]), ID: str(v[2]), Created: tm(v[3]), Modified: tm(v[4]), Data: blob(v[5])}
}

func (t *tx) GetItem(poolID, kind, id string) (store.Item, error) {
	c, err := t.conn()
	if err != nil {
		return store.Item{}, err
	}
	v, err := c.one(sGetItem, 6, poolID, kind, id)
	if err != nil {
		return store.Item{}, fail("get item", err)
	}
	return scanItem(v), nil
}

func (t *tx) ListItems(poolID, kind, afterID string, limit int) ([]store.Item, error) {
	c, err := t.conn()
	if err != nil {
		return nil, err
	}
	var out []store.Item
	if err := c.each(sListItems, 6, func(v []driver.Value) { out = append(out, scanItem(v)) }, poolID, kind, afterID, limitArg(limit)); err != nil {
		return nil, fail("list items", err)
	}
	return out, nil
}

func (t *tx) CreateItem(it store.Item) error {
	return t.insert("create item", sInsertItem, it.PoolID, it.Kind, it.ID, toMicros(it.Created), toMicros(it.Modified), it.Data)
}

func (t *tx) PutItem(it store.Item) error {
	return t.change("put item", sUpdateItem, toMicros(it.Created), toMicros(it.Modified), it.Data, it.PoolID, it.Kind, it.ID)
}

func (t *tx) DeleteItem(poolID, kind, id string) error {
	return t.change("delete item", sDeleteItem, poolID, kind, id)
}
