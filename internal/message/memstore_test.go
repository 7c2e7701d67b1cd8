package message

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cognate-idp/cognate/internal/store"
)

// memStore is a tiny in-memory store.Store for these tests: only the
// message methods work. Update is
// atomic: fn works on a copy that replaces the data only when fn succeeds.
type memStore struct {
	mu   sync.Mutex
	inTx atomic.Bool // true while View or Update runs fn
	msgs map[string]store.Message
	seq  map[string]int // insertion order, to break Created ties
	next int
}

func newMemStore() *memStore {
	return &memStore{msgs: map[string]store.Message{}, seq: map[string]int{}}
}

func (s *memStore) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inTx.Store(true)
	defer s.inTx.Store(false)
	return fn(&memTx{s: s, msgs: s.msgs, seq: s.seq, readOnly: true})
}

func (s *memStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inTx.Store(true)
	defer s.inTx.Store(false)
	tx := &memTx{s: s, msgs: maps.Clone(s.msgs), seq: maps.Clone(s.seq), next: s.next}
	if err := fn(tx); err != nil {
		return err
	}
	s.msgs, s.seq, s.next = tx.msgs, tx.seq, tx.next
	return nil
}

func (s *memStore) Close() error { return nil }

// get returns the stored record id (test helper).
func (s *memStore) get(id string) store.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.msgs[id]
}

type memTx struct {
	// Tx is nil: methods other than the message ones are not implemented
	// and panic if called, which keeps this fake compiling while the
	// store interface grows.
	store.Tx
	s        *memStore
	msgs     map[string]store.Message
	seq      map[string]int
	next     int
	readOnly bool
}

func (t *memTx) CreateMessage(m store.Message) error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	if _, ok := t.msgs[m.ID]; ok {
		return store.ErrConflict
	}
	t.next++
	t.msgs[m.ID], t.seq[m.ID] = m, t.next
	return nil
}

func (t *memTx) PutMessage(m store.Message) error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	if _, ok := t.msgs[m.ID]; !ok {
		return store.ErrNotFound
	}
	t.msgs[m.ID] = m
	return nil
}

func (t *memTx) GetMessage(id string) (store.Message, error) {
	m, ok := t.msgs[id]
	if !ok {
		return store.Message{}, store.ErrNotFound
	}
	return m, nil
}

func (t *memTx) ListMessages(f store.MessageFilter) ([]store.Message, error) {
	var out []store.Message
	for _, m := range t.msgs {
		if (f.PoolID == "" || m.PoolID == f.PoolID) &&
			(f.Username == "" || m.Username == f.Username) &&
			(f.AttributeName == "" || m.AttributeName == f.AttributeName) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b store.Message) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		if c := t.seq[b.ID] - t.seq[a.ID]; c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

var _ store.Store = (*memStore)(nil)
