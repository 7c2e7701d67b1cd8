package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// connPool is a small pool of pgx connections. (pgxpool needs the module
// github.com/jackc/puddle/v2, which go.mod does not hold.) A semaphore
// caps the connections in use; idle ones wait in a buffered channel and
// are closed when they reach their lifetime or idle limit.
type connPool struct {
	cfg         *pgx.ConnConfig
	log         *slog.Logger
	maxConns    int
	maxLifetime time.Duration
	maxIdle     time.Duration

	slots   chan struct{}  // one token per connection in use
	idle    chan *poolConn // connections not in use
	closing chan struct{}
	once    sync.Once
}

// poolConn is a connection with the times the pool's limits look at.
type poolConn struct {
	c        *pgx.Conn
	created  time.Time
	released time.Time
}

// poolSettings are the pool parameters a DSN may carry, as pgxpool names
// them. They are not PostgreSQL settings, so they are taken out of the
// connection's run-time parameters before it connects.
type poolSettings struct {
	maxConns    int
	maxLifetime time.Duration
	maxIdle     time.Duration
}

// takePoolSettings removes pool_* parameters from cfg and returns them;
// absent ones are zero. An unknown pool_* parameter is an error rather
// than a setting silently sent to the server.
func takePoolSettings(cfg *pgx.ConnConfig) (poolSettings, error) {
	var ps poolSettings
	for k, v := range cfg.RuntimeParams {
		if !strings.HasPrefix(k, "pool_") {
			continue
		}
		delete(cfg.RuntimeParams, k)
		var err error
		switch k {
		case "pool_max_conns":
			ps.maxConns, err = strconv.Atoi(v)
			if err == nil && ps.maxConns < 1 {
				err = errors.New("must be at least 1")
			}
		case "pool_max_conn_lifetime":
			ps.maxLifetime, err = time.ParseDuration(v)
		case "pool_max_conn_idle_time":
			ps.maxIdle, err = time.ParseDuration(v)
		default:
			err = errors.New("unknown pool parameter (known: pool_max_conns, pool_max_conn_lifetime, pool_max_conn_idle_time)")
		}
		if err != nil {
			return poolSettings{}, fmt.Errorf("postgres: DSN parameter %s=%q: %w", k, v, err)
		}
	}
	return ps, nil
}

func newConnPool(cfg *pgx.ConnConfig, log *slog.Logger, ps poolSettings) *connPool {
	return &connPool{
		cfg: cfg, log: log,
		maxConns: ps.maxConns, maxLifetime: ps.maxLifetime, maxIdle: ps.maxIdle,
		slots:   make(chan struct{}, ps.maxConns),
		idle:    make(chan *poolConn, ps.maxConns),
		closing: make(chan struct{}),
	}
}

// acquire returns a connection for the caller's exclusive use until
// release, waiting for a free slot until ctx ends or the pool closes.
func (p *connPool) acquire(ctx context.Context) (*poolConn, error) {
	select {
	case <-p.closing:
		return nil, ErrClosed
	default:
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.closing:
		return nil, ErrClosed
	}
	now := time.Now()
	for {
		select {
		case pc := <-p.idle:
			if p.expired(pc, now) {
				p.discard(pc)
				continue
			}
			return pc, nil
		default:
		}
		break
	}
	c, err := pgx.ConnectConfig(ctx, p.cfg)
	if err == nil {
		if err = ensureDurable(ctx, c, p.log); err != nil {
			c.Close(context.WithoutCancel(ctx))
		}
	}
	if err != nil {
		<-p.slots
		return nil, err
	}
	return &poolConn{c: c, created: now}, nil
}

// release gives a connection back. One that is not idle and outside a
// transaction (after a failed rollback or a cancelled query), or past its
// lifetime, is closed instead of kept.
func (p *connPool) release(pc *poolConn) {
	defer func() { <-p.slots }()
	now := time.Now()
	if pc.c.IsClosed() || pc.c.PgConn().IsBusy() || pc.c.PgConn().TxStatus() != 'I' || p.expired(pc, now) {
		p.discard(pc)
		return
	}
	select {
	case <-p.closing:
		p.discard(pc)
		return
	default:
	}
	pc.released = now
	p.idle <- pc // never blocks: at most maxConns connections exist
}

// expired reports whether pc has outlived the pool's limits.
func (p *connPool) expired(pc *poolConn, now time.Time) bool {
	if pc.c.IsClosed() {
		return true
	}
	if p.maxLifetime > 0 && now.Sub(pc.created) > p.maxLifetime {
		return true
	}
	return p.maxIdle > 0 && !pc.released.IsZero() && now.Sub(pc.released) > p.maxIdle
}

func (p *connPool) discard(pc *poolConn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := pc.c.Close(ctx); err != nil {
		p.log.Debug("postgres: closing connection", "err", err)
	}
}

// close refuses new acquires, waits until every connection in use is
// released, then closes the idle ones.
func (p *connPool) close() {
	p.once.Do(func() {
		close(p.closing)
		for range p.maxConns {
			p.slots <- struct{}{}
		}
		for {
			select {
			case pc := <-p.idle:
				p.discard(pc)
			default:
				return
			}
		}
	})
}
