package sqlite

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migrationFiles holds the numbered schema migrations, NNNN_name.sql.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew is returned by Open when the database was written by a
// newer binary whose schema this one does not know.
var ErrSchemaTooNew = errors.New("sqlite: database schema is newer than this binary")

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
			return nil, fmt.Errorf("sqlite: migration %q is not named NNNN_name.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("sqlite: migration %q: %w", name, err)
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
			return nil, fmt.Errorf("sqlite: migration %q: want version %d", m.name, i+1)
		}
	}
	return out, nil
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
		if err := c.script(m.sql); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
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
