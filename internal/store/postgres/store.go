package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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
// pool_max_conn_idle_time, connect_timeout), else the defaults below.
type Options struct {
	// Logger receives operational events (retries given up, overridden
	// settings, panics). It never receives record contents. Default: discard.
	Logger *slog.Logger
	// MaxConns caps the open connections. Default: pool_max_conns from the
	// DSN, else max(4, GOMAXPROCS).
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
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 10
	}
	return o
}

// Store is a store.Store in a PostgreSQL database. It is safe for use by
// many goroutines and by many processes on the same database.
type Store struct {
	pool       *connPool
	log        *slog.Logger
	maxRetries int

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
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err) // pgconn redacts the password
	}
	ps, err := takePoolSettings(cfg)
	if err != nil {
		return nil, err
	}
	if opts.MaxConns > 0 {
		ps.maxConns = opts.MaxConns
	}
	if ps.maxConns <= 0 {
		ps.maxConns = max(4, runtime.GOMAXPROCS(0))
	}
	if opts.MaxConnLifetime > 0 {
		ps.maxLifetime = opts.MaxConnLifetime
	}
	if ps.maxLifetime <= 0 {
		ps.maxLifetime = time.Hour
	}
	if opts.MaxConnIdleTime > 0 {
		ps.maxIdle = opts.MaxConnIdleTime
	}
	if ps.maxIdle <= 0 {
		ps.maxIdle = 30 * time.Minute
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = opts.ConnectTimeout
	}
	s := &Store{pool: newConnPool(cfg, opts.Logger, ps), log: opts.Logger, maxRetries: opts.MaxRetries}
	if err := s.migrate(ctx); err != nil {
		s.pool.close()
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
	pc, err := s.pool.acquire(ctx)
	if err != nil {
		return s.beginError(ctx, err)
	}
	defer s.pool.release(pc)
	ptx, err := pc.c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return s.beginError(ctx, err)
	}
	t := &tx{ctx: ctx, q: ptx}
	err = s.call(t, fn)
	s.rollback(ctx, ptx)
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
	pc, err := s.pool.acquire(ctx)
	if err != nil {
		return s.beginError(ctx, err)
	}
	defer s.pool.release(pc)
	ptx, err := pc.c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return s.beginError(ctx, err)
	}
	t := &tx{ctx: ctx, q: ptx, writable: true, lock: " FOR UPDATE"}
	if err := s.call(t, fn); err != nil {
		s.rollback(ctx, ptx)
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// call runs fn, turning a panic into an error, and retires t afterwards.
func (s *Store) call(t *tx, fn func(store.Tx) error) (err error) {
	defer func() {
		t.done = true
		if p := recover(); p != nil {
			s.log.Error("postgres: transaction function panicked", "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrPanicked, p)
		}
	}()
	return fn(t)
}

// rollback ends a transaction whose outcome is decided, even when ctx has
// ended (pgx closes the connection if the rollback cannot be sent).
func (s *Store) rollback(ctx context.Context, ptx pgx.Tx) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := ptx.Rollback(rctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		s.log.Warn("postgres: rollback failed", "err", err)
	}
}

// beginError explains a failure to start a transaction.
func (s *Store) beginError(ctx context.Context, err error) error {
	if s.closed.Load() || errors.Is(err, ErrClosed) {
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
		s.pool.close()
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
