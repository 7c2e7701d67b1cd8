package sqlite

import (
	"embed"
	"errors"
	"fmt"
	"strconv"

	"github.com/cognate-idp/cognate/internal/store"
)

// migrationFiles holds the numbered schema migrations, NNNN_name.sql.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew is returned by Open when the database was written by a
// newer binary whose schema this one does not know.
var ErrSchemaTooNew = errors.New("sqlite: database schema is newer than this binary")

// migrations returns the embedded migrations in version order.
func migrations() ([]store.Migration, error) {
	ms, err := store.Migrations(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return ms, nil
}

// migrate brings the database on c to the newest schema in one
// transaction, or fails with ErrSchemaTooNew.
func migrate(c *conn) (err error) {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := c.exec(sBeginImmediate); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer func() {
		if err != nil {
			c.exec(sRollback)
		}
	}()
	if err := c.script("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	v, err := c.one(sSchemaVersion, 1)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	current := int(i64(v[0]))
	if current > len(ms) {
		return fmt.Errorf("%w: database has version %d, binary knows %d", ErrSchemaTooNew, current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := c.script(m.SQL); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
	}
	if current < len(ms) {
		if err := c.script("DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (" +
			strconv.Itoa(len(ms)) + ")"); err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
	}
	if _, err := c.exec(sCommit); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}
