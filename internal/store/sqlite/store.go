package sqlite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// ErrClosed is returned by View and Update once Close has been called.
var ErrClosed = errors.New("sqlite: store is closed")

// ErrPanicked wraps the value of a panic in an Update function; the panic
// is recovered and returned to that caller only.
var ErrPanicked = errors.New("sqlite: update function panicked")

// Options tunes a Store. The zero value is usable.
type Options struct {
	// Logger receives operational events (failed commits, panics). It never
	// receives record contents. Default: discard.
	Logger *slog.Logger
	// MaxBatch is the most Update calls committed in one transaction.
	// Default 256.
	MaxBatch int
	// Linger is how long the writer waits for more Updates before a commit
	// when the previous batch showed concurrent load (default 200µs;
	// negative disables). A single caller never waits.
	Linger time.Duration
	// Readers is the number of read-only connections serving View.
	// Default max(4, GOMAXPROCS).
	Readers int
	// BusyTimeout bounds the wait for a lock held by another process.
	// Default 5s.
	BusyTimeout time.Duration
	// CacheBytes bounds the record cache of pools, clients and users (see
	// recordCache). Default 64 MiB; negative disables the cache.
	CacheBytes int
	// OnCommit, when set, is told of each write transaction: how long it
	// took from BEGIN to durable COMMIT, and how many Updates it carried.
	// It runs on the writer goroutine and must be quick.
	OnCommit func(d time.Duration, updates int)
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Linger == 0 {
		o.Linger = 200 * time.Microsecond
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.Readers <= 0 {
		o.Readers = max(4, runtime.GOMAXPROCS(0))
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.CacheBytes == 0 {
		o.CacheBytes = 64 << 20
	}
	return o
}

// Store is a store.Store in one SQLite database file in WAL mode. Updates
// are serialised through one writer goroutine that group-commits what is
// queued; Views run in parallel on read-only connections, each on a
// snapshot.
type Store struct {
	log      *slog.Logger
	maxBatch int
	linger   time.Duration
	onCommit func(time.Duration, int)

	w       *conn      // owned by the writer goroutine once Open returns
	readers chan *conn // idle read-only connections
	nReader int
	lock    *os.File // exclusive lock: this process is the database's only user

	cache    *recordCache
	batch    *batchState // the open batch; owned by the writer goroutine
	batchSeq uint64      // cache seq while the open batch runs

	// Durability with ownSync (sync_linux.go): the writer syncs the WAL
	// after each commit and holds gate meanwhile, so that no read snapshot
	// starts between a commit and its sync (a View takes gate's read side
	// while it opens its snapshot). After a failed sync no write is
	// accepted (syncErr). All but gate are owned by the writer goroutine.
	syncer          *syncer
	wal, db         syncFile
	gate            sync.RWMutex
	syncErr         error
	syncHook        func() // tests: runs after a commit, before its sync
	walPages        int    // written to the WAL since the last checkpoint
	checkpointPages int    // checkpointWALPages; tests change it
	lastCheckpoint  time.Time

	reqs       chan *request // unbuffered: a send succeeds only when the writer takes it
	quit       chan struct{}
	writerDone chan struct{}
	reqPool    sync.Pool

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// request is one pending Update.
type request struct {
	ctx  context.Context
	fn   func(store.Tx) error
	err  error
	done chan error
}

// Open opens (creating if needed) the database at path, applies the
// embedded migrations and starts the writer. It fails with ErrSchemaTooNew
// when the database comes from a newer binary.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	lock, err := lockFile(abs + ".lock")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	w, err := openConn(ctx, abs, opts.BusyTimeout, false)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	s := &Store{
		log:        opts.Logger,
		maxBatch:   opts.MaxBatch,
		linger:     opts.Linger,
		w:          w,
		lock:       lock,
		wal:        syncFile{path: abs + "-wal"},
		db:         syncFile{path: abs},
		cache:      newRecordCache(max(0, opts.CacheBytes)),
		batch:      newBatchState(),
		onCommit:   opts.OnCommit,
		readers:    make(chan *conn, opts.Readers),
		reqs:       make(chan *request),
		quit:       make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	s.reqPool.New = func() any { return &request{done: make(chan error, 1)} }
	if err := s.setup(ctx, abs, opts); err != nil {
		for range s.nReader {
			(<-s.readers).close()
		}
		w.close()
		lock.Close()
		return nil, err
	}
	go s.writeLoop()
	return s, nil
}

// setup switches the database to WAL, migrates it and opens the readers.
func (s *Store) setup(ctx context.Context, path string, opts Options) error {
	mode, err := s.w.text("PRAGMA journal_mode = WAL")
	if err != nil {
		return fmt.Errorf("sqlite: open: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("sqlite: open: journal mode is %q, want wal", mode)
	}
	if err := migrate(s.w); err != nil {
		return err
	}
	if ownSync {
		// Commits and checkpoints are made durable by commitDurably and
		// maybeCheckpoint; SQLite itself no longer syncs.
		if err := s.w.script("PRAGMA synchronous = OFF; PRAGMA wal_autocheckpoint = 0"); err != nil {
			return fmt.Errorf("sqlite: open: %w", err)
		}
		s.syncer = newSyncer()
		s.checkpointPages = checkpointWALPages
		s.lastCheckpoint = time.Now()
	}
	for range opts.Readers {
		c, err := openConn(ctx, path, opts.BusyTimeout, true)
		if err != nil {
			return fmt.Errorf("sqlite: open reader: %w", err)
		}
		s.readers <- c
		s.nReader++
	}
	return nil
}

// View runs fn on a read-only snapshot. Write methods return
// store.ErrReadOnly. ctx is checked before fn runs; fn's reads are local
// and short, so they are not interrupted. Pools, clients and users come
// from the record cache when it holds them, each as of its latest commit;
// the first read that needs SQL takes a read connection and its snapshot.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-s.quit:
		return ErrClosed
	default:
	}
	t := &tx{s: s, ctx: ctx}
	defer func() {
		t.done = true
		if t.c == nil {
			return
		}
		if _, err := t.c.exec(sRollback); err != nil {
			s.log.Error("sqlite: ending read transaction failed", "err", err)
		}
		s.readers <- t.c
	}()
	return fn(t)
}

// snapshot begins a read transaction on c and fixes its snapshot, outside
// any commit that is not yet durable (see commitDurably).
func (s *Store) snapshot(c *conn) error {
	if _, err := c.exec(sBegin); err != nil {
		return err
	}
	s.gate.RLock()
	_, err := c.exec(sSnapshot)
	s.gate.RUnlock()
	if err != nil {
		if _, rerr := c.exec(sRollback); rerr != nil {
			s.log.Error("sqlite: ending read transaction failed", "err", rerr)
		}
	}
	return err
}

// SyncsWithoutBlocking reports whether the writer waits for the disk
// without holding an OS thread (and with it a Go P), so that one P
// suffices for a server on one core.
func (s *Store) SyncsWithoutBlocking() bool { return s.syncer != nil && s.syncer.async() }

// takeReader waits for an idle read connection.
func (s *Store) takeReader(ctx context.Context) (*conn, error) {
	select {
	case c := <-s.readers:
		return c, nil
	default:
	}
	select {
	case c := <-s.readers:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.quit:
		return nil, ErrClosed
	}
}

// Update queues fn for the writer, which runs it in its own savepoint of a
// shared transaction and answers once that transaction is committed and
// synced. fn must not call Update (it would wait for itself) and should
// be quick: it holds up every writer behind it. If ctx ends before fn
// runs, Update returns ctx.Err() and fn never runs.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := s.reqPool.Get().(*request)
	r.ctx, r.fn = ctx, fn
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		s.putRequest(r)
		return ctx.Err()
	case <-s.quit:
		s.putRequest(r)
		return ErrClosed
	}
	err := <-r.done
	s.putRequest(r)
	return err
}

func (s *Store) putRequest(r *request) {
	r.ctx, r.fn, r.err = nil, nil, nil
	s.reqPool.Put(r)
}

// Close stops taking updates, waits for the batch being written and for
// running Views, checkpoints the WAL into the database file and closes
// every connection. Updates still queued return ErrClosed.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.quit)
		<-s.writerDone
		var errs []error
		for range s.nReader {
			errs = append(errs, (<-s.readers).close())
		}
		if ownSync {
			// The final checkpoint empties the WAL: let SQLite sync the
			// database file before it does.
			if err := s.w.script("PRAGMA synchronous = FULL"); err != nil {
				errs = append(errs, fmt.Errorf("sqlite: close: %w", err))
			}
			s.syncer.close()
			s.wal.close()
			s.db.close()
		}
		if err := s.w.script("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			errs = append(errs, fmt.Errorf("sqlite: checkpoint: %w", err))
		}
		errs = append(errs, s.w.close(), s.lock.Close())
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// writeLoop takes the Updates queued at the moment, up to maxBatch, and
// commits them together. It never waits for more work to fill a batch.
func (s *Store) writeLoop() {
	defer close(s.writerDone)
	batch := make([]*request, 0, s.maxBatch)
	run := make([]*request, 0, s.maxBatch)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	busy := false
	for {
		select {
		case r := <-s.reqs:
			batch = append(batch[:0], r)
		case <-s.quit:
			return
		}
	fill:
		for len(batch) < s.maxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		// Under concurrent load, wait a moment for more work: one commit
		// (and its fsync) then serves more requests.
		if busy && len(batch) < s.maxBatch/4 && s.linger > 0 {
			linger.Reset(s.linger)
		wait:
			for len(batch) < s.maxBatch {
				select {
				case r := <-s.reqs:
					batch = append(batch, r)
				case <-linger.C:
					break wait
				}
			}
			linger.Stop()
		}
		busy = len(batch) > 1
		run = run[:0]
		for _, r := range batch {
			if err := r.ctx.Err(); err != nil {
				r.done <- err
				continue
			}
			run = append(run, r)
		}
		if len(run) > 0 {
			s.commit(run)
		}
		clear(batch)
		clear(run)
	}
}

// commit runs the functions of one batch in one transaction, commits once
// and answers every caller. A function that fails must leave nothing
// behind, so in general each runs in its own savepoint (none for a batch
// of one: the transaction is its scope). Savepoints cost statements and a
// copy of every page they touch, and almost no function fails after it
// wrote, so a batch first runs without them; when one does fail with a
// row changed, the transaction is rolled back and the batch runs again
// with savepoints (Update's functions may run more than once).
func (s *Store) commit(run []*request) {
	if s.onCommit != nil {
		defer func(start time.Time) { s.onCommit(time.Since(start), len(run)) }(time.Now())
	}
	if len(run) > 1 && s.commitBatch(run, false) {
		return
	}
	s.commitBatch(run, true)
}

// commitBatch is commit with or without savepoints; without them it
// reports false, having rolled back and answered no one, when a function
// failed after changing a row.
func (s *Store) commitBatch(run []*request, savepoints bool) bool {
	c := s.w
	if s.syncErr != nil {
		s.answerAll(run, s.syncErr)
		return true
	}
	if _, err := c.exec(sBeginImmediate); err != nil {
		s.answerAll(run, fmt.Errorf("sqlite: begin: %w", err))
		return true
	}
	single := len(run) == 1
	s.batch.reset()
	s.batchSeq = s.cache.currentSeq()
	var broken error // the transaction can no longer be trusted
	for _, r := range run {
		if broken != nil {
			r.err = broken
			continue
		}
		if !savepoints { // only batches of several run so
			before := c.totalChanges()
			var changes []change
			changes, r.err = s.call(c, r.fn)
			if r.err == nil {
				s.batch.changes = append(s.batch.changes, changes...)
			} else if c.totalChanges() != before || c.autocommit() {
				// Its writes cannot be undone alone (or an I/O error already
				// ended the transaction): run the batch again, carefully.
				if _, err := c.exec(sRollback); err != nil && !strings.Contains(err.Error(), "no transaction") {
					s.log.Error("sqlite: rollback failed", "err", err)
				}
				// Records read while the batch ran may be in the cache
				// from before; what the batch wrote never reached it.
				return false
			}
			continue
		}
		if !single {
			if _, err := c.exec(sSavepoint); err != nil {
				broken = fmt.Errorf("sqlite: savepoint: %w", err)
				r.err = broken
				continue
			}
		}
		var changes []change
		changes, r.err = s.call(c, r.fn)
		if single {
			if r.err == nil {
				s.batch.changes = append(s.batch.changes, changes...)
			}
			break
		}
		if r.err != nil {
			if _, err := c.exec(sRollbackTo); err != nil {
				broken = fmt.Errorf("sqlite: rollback to savepoint: %w", err)
				continue
			}
		}
		if _, err := c.exec(sRelease); err != nil {
			broken = fmt.Errorf("sqlite: release savepoint: %w", err)
		} else if r.err == nil {
			s.batch.changes = append(s.batch.changes, changes...)
		}
	}
	if broken == nil && single && run[0].err != nil {
		broken = run[0].err // nothing to keep: roll the whole transaction back
	}
	if broken == nil {
		broken = s.commitDurably(c)
	}
	if broken != nil {
		if _, err := c.exec(sRollback); err != nil && !strings.Contains(err.Error(), "no transaction") {
			s.log.Error("sqlite: rollback failed", "err", err)
		}
		if !single || run[0].err == nil {
			s.log.Error("sqlite: batch failed", "err", broken, "updates", len(run))
		}
		for _, r := range run {
			if r.err == nil {
				r.err = broken
			}
		}
	}
	// Make the batch visible in the cache before anyone hears of it.
	switch {
	case broken == nil && len(s.batch.changes) > 0:
		s.cache.apply(s.batch.changes)
	case broken != nil && s.batch.written():
		s.cache.invalidate(s.batch)
	}
	for _, r := range run {
		r.done <- r.err
	}
	if broken == nil && ownSync {
		s.maybeCheckpoint()
	}
	return true
}

// commitDurably commits the open transaction and returns once it is
// durable. With ownSync the commit only writes the WAL and the sync
// follows here, under gate so that no reader sees the commit before it
// is durable. A failed sync leaves the commit in the database but perhaps
// not on disk (the kernel may have dropped the pages it could not write),
// so the store accepts no more writes.
func (s *Store) commitDurably(c *conn) error {
	s.gate.Lock()
	defer s.gate.Unlock()
	if _, err := c.exec(sCommit); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	if !ownSync {
		return nil
	}
	if s.syncHook != nil {
		s.syncHook()
	}
	if err := s.syncer.sync(&s.wal); err != nil {
		return s.syncFailed(err)
	}
	s.walPages += c.pagesWritten()
	return nil
}

func (s *Store) syncFailed(err error) error {
	s.syncErr = fmt.Errorf("sqlite: a sync failed, so the last commit may not be durable; "+
		"no more writes are accepted until a restart: %w", err)
	s.log.Error("sqlite: sync failed", "err", err)
	return s.syncErr
}

// Checkpoints copy the WAL into the database file so that the WAL can be
// reused. The writer runs one once checkpointWALPages pages (32 MiB of
// 4 KiB pages) were written to the WAL since the last, or at the first
// commit after checkpointInterval. Like PostgreSQL's checkpoint spacing,
// the size saves work: a page written many times between two checkpoints
// is copied and synced once, and a busy pool's hot pages are written
// often. Recovery after a crash reads at most that much WAL.
const (
	checkpointWALPages = 8192
	checkpointInterval = 10 * time.Second
)

// maybeCheckpoint checkpoints when it is time. SQLite reuses the WAL from
// its start at the first commit after a complete checkpoint, so the
// database file is synced before the writer commits again: until then the
// checkpointed pages are still in the (synced) WAL.
func (s *Store) maybeCheckpoint() {
	if s.walPages < s.checkpointPages &&
		(s.walPages == 0 || time.Since(s.lastCheckpoint) < checkpointInterval) {
		return
	}
	s.walPages, s.lastCheckpoint = 0, time.Now()
	if err := s.w.script("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		s.log.Error("sqlite: checkpoint failed", "err", err)
		return
	}
	if err := s.syncer.sync(&s.db); err != nil {
		s.syncFailed(err)
	}
}

// call runs fn with a fresh Tx, turning a panic into an error, and
// returns fn's writes to cached records.
func (s *Store) call(c *conn, fn func(store.Tx) error) (changes []change, err error) {
	t := &tx{s: s, c: c, writable: true, seq: s.batchSeq}
	if s.cache.enabled() {
		t.batch = s.batch
	}
	defer func() {
		t.done = true
		if p := recover(); p != nil {
			s.log.Error("sqlite: update function panicked", "stack", string(debug.Stack()))
			changes, err = nil, fmt.Errorf("%w: %v", ErrPanicked, p)
		}
	}()
	err = fn(t)
	return t.changes, err
}

// answerAll fails every request of a batch with err.
func (s *Store) answerAll(run []*request, err error) {
	s.log.Error("sqlite: batch failed", "err", err, "updates", len(run))
	for _, r := range run {
		r.done <- err
	}
}
