package core

import (
	"encoding/json"
	"fmt"

	"github.com/cognate-idp/cognate/internal/store"
)

// Kinds of store items that more than one area reads or deletes.
const (
	// LogDeliveryKind holds a pool's log delivery configuration (ID "").
	LogDeliveryKind = "log-delivery"
	// RiskKind holds risk configurations: ID "" for the pool's, a client
	// ID for that client's own. DeleteUserPoolClient removes the client's.
	RiskKind = "risk"
	// UICustomizationKind holds hosted UI (classic) customizations, keyed
	// like RiskKind: "" for the pool's, a client ID for the client's own.
	UICustomizationKind = "ui-customization"
	// BrandingKind holds managed login branding styles by their
	// ManagedLoginBrandingId; BrandingByClientKind maps a client ID to
	// the ID of its one branding (the item's Data is that ID, raw).
	BrandingKind         = "managed-login-branding"
	BrandingByClientKind = "managed-login-branding-by-client"
	// TermsKind holds terms documents by TermsId; TermsByClientKind maps
	// TermsIndexKey(client, name) to the TermsId of the client's document
	// of that name (Data is the ID, raw).
	TermsKind         = "terms"
	TermsByClientKind = "terms-by-client"
)

// TermsNames are the names a terms document can have, one document of
// each per app client.
var TermsNames = []string{"terms-of-use", "privacy-policy"}

// TermsIndexKey is the TermsByClientKind item ID of a client's terms
// document called name.
func TermsIndexKey(clientID, name string) string { return clientID + "/" + name }

// DeleteClientItems removes the items that belong to one app client, for
// DeleteUserPoolClient: whatever is absent is skipped.
func DeleteClientItems(tx store.Tx, poolID, clientID string) error {
	for _, kind := range []string{RiskKind, UICustomizationKind} {
		if err := tx.DeleteItem(poolID, kind, clientID); err != nil && !IsNotFound(err) {
			return err
		}
	}
	for _, name := range TermsNames {
		if err := deleteIndexed(tx, poolID, TermsByClientKind, TermsIndexKey(clientID, name), TermsKind); err != nil {
			return err
		}
	}
	return deleteIndexed(tx, poolID, BrandingByClientKind, clientID, BrandingKind)
}

// deleteIndexed deletes the index item (poolID, indexKind, key) and the
// item of kind whose ID the index holds, when they exist.
func deleteIndexed(tx store.Tx, poolID, indexKind, key, kind string) error {
	idx, err := tx.GetItem(poolID, indexKind, key)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := tx.DeleteItem(poolID, kind, string(idx.Data)); err != nil && !IsNotFound(err) {
		return err
	}
	return tx.DeleteItem(poolID, indexKind, key)
}

// GetItemDoc reads the item (poolID, kind, id) and decodes its JSON data
// into v; found is false when the item does not exist.
func GetItemDoc(tx store.Tx, poolID, kind, id string, v any) (it store.Item, found bool, err error) {
	it, err = tx.GetItem(poolID, kind, id)
	if IsNotFound(err) {
		return store.Item{}, false, nil
	}
	if err != nil {
		return store.Item{}, false, err
	}
	if err := json.Unmarshal(it.Data, v); err != nil {
		return store.Item{}, false, fmt.Errorf("item %s/%s/%s: %w", poolID, kind, id, err)
	}
	return it, true, nil
}

// PutItemDoc creates or replaces the item (poolID, kind, id) with v as
// JSON and returns the item written: Created is kept from the item it
// replaces.
func (s *Env) PutItemDoc(tx store.Tx, poolID, kind, id string, v any) (store.Item, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return store.Item{}, err
	}
	now := s.Now().UTC()
	old, err := tx.GetItem(poolID, kind, id)
	switch {
	case IsNotFound(err):
		it := store.Item{PoolID: poolID, Kind: kind, ID: id, Created: now, Modified: now, Data: data}
		return it, tx.CreateItem(it)
	case err != nil:
		return store.Item{}, err
	}
	old.Modified, old.Data = now, data
	return old, tx.PutItem(old)
}
