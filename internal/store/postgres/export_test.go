package postgres

import "context"

// SessionSetting returns the value of a run-time setting on a connection
// of the store's pool, for tests.
func SessionSetting(ctx context.Context, s *Store, name string) (string, error) {
	pc, err := s.pool.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer s.pool.release(pc)
	var v string
	err = pc.c.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v)
	return v, err
}
