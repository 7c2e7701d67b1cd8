package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cognate-idp/cognate/internal/store"
)

// ErrClosed is returned by View and Update once Close has been called.
var ErrClosed = errors.New("postgres: store is closed")

// ErrPanicked wraps the value of a panic in a View or Update function; the
// panic is recovered, the transaction rolled back and the error returned
// to that caller only.
var ErrPanicked = errors.New("postgres: function panicked")

// errStale is returned by PutPool and PutClient when the row changed since
// this Update read it: Update rolls back and runs fn again.
var errStale = errors.New("postgres: record changed by a concurrent update")

// Options tunes a Store. The zero value is usable. Pool settings left zero
// keep what the DSN says (pool_max_conns, pool_max_conn_lifetime,
// pool_max_conn_idle_time, connect_timeout and the other pool_* parameters
// of pgxpool.ParseConfig), else the defaults below.
type Options struct {
	// Logger receives operational events (retries given up, overridden
	// settings, panics). It never receives record contents. Default: discard.
	Logger *slog.Logger
	// MaxConns caps the open connections. Default: pool_max_conns from the
	// DSN, else max(4, runtime.NumCPU()).
	MaxConns int
	// MaxConnLifetime closes connections older than this. Default: DSN,
	// else one hour.
	MaxConnLifetime time.Duration
	// MaxConnIdleTime closes connections idle for this long. Default: DSN,
	// else 30 minutes.
	MaxConnIdleTime time.Duration
	// ConnectTimeout bounds establishing one connection. Default: the
	// DSN's connect_timeout, else 10s.
	ConnectTimeout time.Duration
	// MaxRetries is how many times Update runs fn again after a
	// serialisation failure, deadlock or lost compare-and-swap. Default 10.
	MaxRetries int
	// OnCommit, when set, is told of each committed write transaction:
	// its duration from the first statement to COMMIT, and 1 (PostgreSQL
	// commits every Update on its own).
	OnCommit func(d time.Duration, updates int)
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 10
	}
	return o
}

// Store is a store.Store in a PostgreSQL database. It is safe for use by
// many goroutines and by many processes on the same database.
type Store struct {
	pool       *pgxpool.Pool
	log        *slog.Logger
	maxRetries int
	onCommit   func(time.Duration, int)

	closed    atomic.Bool
	closeOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string as libpq accepts), applies the embedded migrations and
// returns the store. It fails with ErrSchemaTooNew when the database was
// migrated by a newer binary.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err) // pgconn redacts the password
	}
	for k := range cfg.ConnConfig.RuntimeParams {
		// pgxpool took the pool_* parameters it knows; any other is a
		// typo that would otherwise reach the server as a setting.
		if strings.HasPrefix(k, "pool_") {
			return nil, fmt.Errorf("postgres: unknown DSN parameter %s", k)
		}
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = int32(min(opts.MaxConns, 1<<31-1))
	}
	if opts.MaxConnLifetime > 0 {
		cfg.MaxConnLifetime = opts.MaxConnLifetime
	}
	if opts.MaxConnIdleTime > 0 {
		cfg.MaxConnIdleTime = opts.MaxConnIdleTime
	}
	switch {
	case opts.ConnectTimeout > 0:
		cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	case cfg.ConnConfig.ConnectTimeout <= 0:
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	log := opts.Logger
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error { return ensureDurable(ctx, c, log) }
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, log: log, maxRetries: opts.MaxRetries, onCommit: opts.OnCommit}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// ensureDurable makes sure a new connection commits synchronously: a
// commit acknowledged with synchronous_commit off can be lost in a crash,
// which the store.Store contract forbids.
func ensureDurable(ctx context.Context, c *pgx.Conn, log *slog.Logger) error {
	var mode string
	if err := c.QueryRow(ctx, "SHOW synchronous_commit").Scan(&mode); err != nil {
		return fmt.Errorf("postgres: read synchronous_commit: %w", err)
	}
	if mode != "off" {
		return nil
	}
	log.Warn("postgres: synchronous_commit is off for this role or database; turning it on for the store's sessions")
	if _, err := c.Exec(ctx, "SET synchronous_commit TO on"); err != nil {
		return fmt.Errorf("postgres: set synchronous_commit: %w", err)
	}
	return nil
}

// View runs fn in a read-only REPEATABLE READ transaction: every read of
// fn sees the same snapshot. Write methods return store.ErrReadOnly.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	t := &tx{ctx: ctx, pool: s.pool, opts: pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}}
	err := s.call(t, fn)
	s.rollback(ctx, t)
	return err
}

// Update runs fn in a READ COMMITTED transaction and commits it. It runs
// fn again, at most MaxRetries times, after a serialisation failure, a
// deadlock or a lost compare-and-swap on a pool or client; any other error
// of fn is returned unchanged after rolling back.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		if s.closed.Load() {
			return ErrClosed
		}
		err := s.updateOnce(ctx, fn)
		if err == nil || !retryable(err) {
			return err
		}
		if attempt >= s.maxRetries {
			s.log.Warn("postgres: update gave up after retries", "attempts", attempt+1, "err", err)
			return fmt.Errorf("postgres: update failed after %d attempts: %w", attempt+1, err)
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// updateOnce is one attempt of Update.
func (s *Store) updateOnce(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	t := &tx{ctx: ctx, pool: s.pool, opts: pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, writable: true, lock: " FOR UPDATE"}
	if err := s.call(t, fn); err != nil {
		s.rollback(ctx, t)
		return err
	}
	if t.q == nil {
		return nil // fn issued no statement
	}
	if err := t.q.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	if s.onCommit != nil {
		s.onCommit(time.Since(start), 1)
	}
	return nil
}

// call runs fn, turning a panic into an error, and retires t afterwards.
// When the transaction could not begin, that is fn's error.
func (s *Store) call(t *tx, fn func(store.Tx) error) (err error) {
	defer func() {
		t.done = true
		if p := recover(); p != nil {
			s.log.Error("postgres: transaction function panicked", "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrPanicked, p)
		} else if err != nil && t.beginErr != nil {
			err = s.beginError(t.ctx, t.beginErr)
		}
	}()
	return fn(t)
}

// rollback ends a transaction whose outcome is decided, even when ctx has
// ended, and returns its connection to the pool (which closes it instead
// if the rollback could not be sent).
func (s *Store) rollback(ctx context.Context, t *tx) {
	ptx := t.q
	if ptx == nil {
		return // no statement, no transaction
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := ptx.Rollback(rctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		s.log.Warn("postgres: rollback failed", "err", err)
	}
}

// beginError explains a failure to start a transaction.
func (s *Store) beginError(ctx context.Context, err error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return fmt.Errorf("postgres: begin: %w", err)
}

// Close stops taking work and closes the pool once the connections in use
// by running Views and Updates are returned.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.pool.Close()
	})
	return nil
}

// retryable reports whether err means "run the transaction again".
func retryable(err error) bool {
	if errors.Is(err, errStale) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01" // serialization_failure, deadlock_detected
	}
	return false
}

// backoff waits before retry attempt+1: exponential from 1ms, capped at
// 100ms, with full jitter so that colliding nodes spread out.
func backoff(ctx context.Context, attempt int) error {
	limit := min(time.Millisecond<<min(attempt, 7), 100*time.Millisecond)
	d := time.Duration(rand.Int64N(int64(limit)) + 1)
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
