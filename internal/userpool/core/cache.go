package core

import (
	"sync"
	"time"
)

// docCache keeps decoded pool and client documents by key with the
// Modified time they were decoded at. A request still asks the store for
// the current Modified time (one small read, correct across nodes), but
// re-reads and decodes the document only when it changed. Cached values
// are shared between requests and must not be modified.
type docCache[K comparable, T any] struct {
	mu sync.RWMutex
	m  map[K]docEntry[T]
}

type docEntry[T any] struct {
	modified time.Time
	v        T
}

func newDocCache[K comparable, T any]() *docCache[K, T] {
	return &docCache[K, T]{m: map[K]docEntry[T]{}}
}

// clientKey names a cached client.
type clientKey struct{ pool, id string }

// load returns the value for key: the cached one when modified reports the
// same time, else decode(fetch()).
func (c *docCache[K, T]) load(key K, modified func() (time.Time, error),
	fetch func() (time.Time, T, error)) (T, error) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		m, err := modified()
		if err != nil {
			var zero T
			return zero, err
		}
		if m.Equal(e.modified) {
			return e.v, nil
		}
	}
	m, v, err := fetch()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	c.m[key] = docEntry[T]{modified: m, v: v}
	c.mu.Unlock()
	return v, nil
}

func (c *docCache[K, T]) drop(key K) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}
