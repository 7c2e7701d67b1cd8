package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
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

// migration is one schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order. Versions
// must be unique and start at 1 without gaps.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("postgres: migration %q is not named NNNN_name.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("postgres: migration %q: %w", name, err)
		}
		text, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(text)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("postgres: migration %q: want version %d", m.name, i+1)
		}
	}
	return out, nil
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
			if _, err := tx.Exec(ctx, m.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", m.name, err)
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
