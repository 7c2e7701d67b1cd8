package postgres

import "context"

// SessionSetting returns the value of a run-time setting on a connection
// of the store's pool, for tests.
func SessionSetting(ctx context.Context, s *Store, name string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v)
	return v, err
}
