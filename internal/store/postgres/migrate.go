package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

// migrationFiles holds the numbered schema migrations, NNNN_name.sql.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew is returned by Open when the database was migrated by a
// newer binary whose schema this one does not know.
var ErrSchemaTooNew = errors.New("postgres: database schema is newer than this binary")

// migrationLockKey is the pg_advisory_xact_lock key that serialises
// migrations of nodes starting together ("cognate" in ASCII).
const migrationLockKey int64 = 0x636f676e617465

// migrations returns the embedded migrations in version order.
func migrations() ([]store.Migration, error) {
	ms, err := store.Migrations(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return ms, nil
}

// migrate brings the database to the newest schema in one transaction
// that first takes an advisory lock, so that of several nodes starting at
// once one migrates and the others then find the schema current. It fails
// with ErrSchemaTooNew when the database is ahead of this binary. Tables
// go to the first schema of the connection's search_path.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockKey); err != nil {
			return fmt.Errorf("postgres: migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)"); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&current); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		if current > len(ms) {
			return fmt.Errorf("%w: database has version %d, binary knows %d", ErrSchemaTooNew, current, len(ms))
		}
		for _, m := range ms[current:] {
			// The simple protocol runs a multi-statement script in one call.
			if _, err := tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
			}
		}
		if current == len(ms) {
			return nil
		}
		if _, err := tx.Exec(ctx, "DELETE FROM schema_version"); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_version (version) VALUES ($1)", len(ms)); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		return nil
	})
}
