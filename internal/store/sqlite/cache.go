package sqlite

import (
	"bytes"
	"sync"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// recordCache keeps recently read or written pools, clients and users in
// memory so that the hot paths (every token check reads the user, its pool
// and its client) need no SQL at all.
//
// It is exact, not a time-bounded guess, because this process is the only
// writer of the database (Open holds an exclusive lock on it) and every
// write goes through the writer goroutine:
//   - the writer applies the changes of a batch after its commit is durable
//     and before it answers the callers, so a read that starts after an
//     Update returned sees that write;
//   - a View fills a missing entry from its SQL snapshot only if no batch
//     was applied since just before that snapshot began (seq unchanged): a
//     snapshot taken later than seq says already holds every applied batch,
//     and a batch committed but not yet applied will overwrite the entry
//     when it is applied;
//   - the writer fills entries only for records its open batch has not
//     written (see batchState), which it reads in their committed form.
//
// Each cached read returns the record as of the latest applied commit, so a
// View that reads several records may see them at different commits; the
// records the cache holds are each read on their own by the callers.
type recordCache struct {
	limit int // bytes of records kept; 0 disables the cache

	mu      sync.Mutex
	seq     uint64 // batches applied
	size    int
	pools   map[string]*store.Pool
	clients map[string]*store.Client // by client ID, unique across pools
	users   map[userRef]*cachedUser  // by (pool, key)
	subs    map[userRef]string       // (pool, sub) → key, for the cached users only
}

// cachedUser is a cached user with the rowid of its row when known (0 if
// not), so that the writer can update the row without searching the
// (pool, key) index. A rowid is only a hint: the update still requires
// pool, key and sub to match, and falls back to the index when it does not.
type cachedUser struct {
	store.User
	rowid int64
}

// userRef names a user (or a sub) within a pool.
type userRef struct{ pool, k string }

// Per-record overhead counted towards the limit: map entries, struct and
// string headers.
const entryOverhead = 160

func newRecordCache(limit int) *recordCache {
	return &recordCache{
		limit:   limit,
		pools:   make(map[string]*store.Pool),
		clients: make(map[string]*store.Client),
		users:   make(map[userRef]*cachedUser),
		subs:    make(map[userRef]string),
	}
}

func (c *recordCache) enabled() bool { return c.limit > 0 }

func poolSize(p *store.Pool) int { return entryOverhead + len(p.ID) + len(p.Name) + len(p.Data) }
func clientSize(cl *store.Client) int {
	return entryOverhead + len(cl.PoolID) + len(cl.ID) + len(cl.Name) + len(cl.Data)
}
func userSize(u *store.User) int {
	return 2*entryOverhead + 2*len(u.PoolID) + 2*len(u.Key) + len(u.Username) + len(u.Sub) + len(u.Data)
}

// Copies: the cache never keeps a caller's slice. What it returns shares
// Data with the cache, which store.Tx allows (callers never modify Data in
// place).

func clonePool(p store.Pool) store.Pool        { p.Data = bytes.Clone(p.Data); return p }
func cloneClient(cl store.Client) store.Client { cl.Data = bytes.Clone(cl.Data); return cl }
func cloneUser(u store.User) store.User        { u.Data = bytes.Clone(u.Data); return u }

// storedPool, storedClient and storedUser return a record as a read of it
// after its write returns it: a copy, times in UTC to the microsecond.
func storedPool(p store.Pool) store.Pool {
	p.Created, p.Modified = storedTime(p.Created), storedTime(p.Modified)
	return clonePool(p)
}

func storedClient(cl store.Client) store.Client {
	cl.Created, cl.Modified = storedTime(cl.Created), storedTime(cl.Modified)
	return cloneClient(cl)
}

func storedUser(u store.User) store.User {
	u.Created, u.Modified = storedTime(u.Created), storedTime(u.Modified)
	u.Index, u.IndexWas = nil, nil
	return cloneUser(u)
}

func storedTime(t time.Time) time.Time { return time.UnixMicro(t.UnixMicro()).UTC() }

// currentSeq returns the number of batches applied so far.
func (c *recordCache) currentSeq() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seq
}

func (c *recordCache) pool(id string) (store.Pool, bool) {
	c.mu.Lock()
	p, ok := c.pools[id]
	c.mu.Unlock()
	if !ok {
		return store.Pool{}, false
	}
	return *p, true
}

func (c *recordCache) client(id string) (store.Client, bool) {
	c.mu.Lock()
	cl, ok := c.clients[id]
	c.mu.Unlock()
	if !ok {
		return store.Client{}, false
	}
	return *cl, true
}

func (c *recordCache) user(poolID, key string) (store.User, bool) {
	c.mu.Lock()
	u, ok := c.users[userRef{poolID, key}]
	c.mu.Unlock()
	if !ok {
		return store.User{}, false
	}
	return u.User, true
}

// userRowid returns the rowid hint of a cached user, or 0.
func (c *recordCache) userRowid(poolID, key string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.users[userRef{poolID, key}]; ok {
		return u.rowid
	}
	return 0
}

func (c *recordCache) userBySub(poolID, sub string) (store.User, bool) {
	c.mu.Lock()
	var u *cachedUser
	key, ok := c.subs[userRef{poolID, sub}]
	if ok {
		u, ok = c.users[userRef{poolID, key}]
	}
	c.mu.Unlock()
	if !ok {
		return store.User{}, false
	}
	return u.User, true
}

// fillPool adds p, read from a snapshot taken when seq was seq0, unless
// a batch was applied since or the pool is already cached.
func (c *recordCache) fillPool(seq0 uint64, p store.Pool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq != seq0 || c.pools[p.ID] != nil {
		return
	}
	c.setPool(clonePool(p))
	c.trim()
}

func (c *recordCache) fillClient(seq0 uint64, cl store.Client) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq != seq0 || c.clients[cl.ID] != nil {
		return
	}
	c.setClient(cloneClient(cl))
	c.trim()
}

func (c *recordCache) fillUser(seq0 uint64, u store.User, rowid int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq != seq0 || c.users[userRef{u.PoolID, u.Key}] != nil {
		return
	}
	c.setUser(cloneUser(u), rowid)
	c.trim()
}

// Setters and removers; c.mu is held. The records are owned by the cache.

func (c *recordCache) setPool(p store.Pool) {
	c.dropPool(p.ID)
	c.pools[p.ID] = &p
	c.size += poolSize(&p)
}

func (c *recordCache) dropPool(id string) {
	if old, ok := c.pools[id]; ok {
		c.size -= poolSize(old)
		delete(c.pools, id)
	}
}

func (c *recordCache) setClient(cl store.Client) {
	c.dropClient(cl.ID)
	c.clients[cl.ID] = &cl
	c.size += clientSize(&cl)
}

func (c *recordCache) dropClient(id string) {
	if old, ok := c.clients[id]; ok {
		c.size -= clientSize(old)
		delete(c.clients, id)
	}
}

// setUser caches u; a zero rowid keeps the hint of the entry it replaces.
func (c *recordCache) setUser(u store.User, rowid int64) {
	ref := userRef{u.PoolID, u.Key}
	if old, ok := c.users[ref]; ok && rowid == 0 {
		rowid = old.rowid
	}
	c.dropUser(u.PoolID, u.Key)
	c.users[ref] = &cachedUser{User: u, rowid: rowid}
	c.subs[userRef{u.PoolID, u.Sub}] = u.Key
	c.size += userSize(&u)
}

func (c *recordCache) dropUser(poolID, key string) {
	ref := userRef{poolID, key}
	if old, ok := c.users[ref]; ok {
		c.size -= userSize(&old.User)
		delete(c.users, ref)
		if c.subs[userRef{poolID, old.Sub}] == key {
			delete(c.subs, userRef{poolID, old.Sub})
		}
	}
}

// dropPoolRecords forgets a deleted pool and everything in it.
func (c *recordCache) dropPoolRecords(poolID string) {
	c.dropPool(poolID)
	for id, cl := range c.clients {
		if cl.PoolID == poolID {
			c.dropClient(id)
		}
	}
	for ref := range c.users {
		if ref.pool == poolID {
			c.dropUser(ref.pool, ref.k)
		}
	}
}

// trim evicts arbitrary entries (Go's map order) until the cache is back
// under three quarters of its limit; users go first, as they are the many.
func (c *recordCache) trim() {
	if c.size <= c.limit {
		return
	}
	target := c.limit / 4 * 3
	for ref := range c.users {
		if c.size <= target {
			return
		}
		c.dropUser(ref.pool, ref.k)
	}
	for id := range c.clients {
		if c.size <= target {
			return
		}
		c.dropClient(id)
	}
	for id := range c.pools {
		if c.size <= target {
			return
		}
		c.dropPool(id)
	}
}

// change is one committed write to a cached kind of record.
type change struct {
	op     changeOp
	pool   store.Pool
	client store.Client
	user   store.User
	rowid  int64 // of a created user's row; 0 keeps the cached hint
	poolID string
	id     string // client ID or user key of a deletion
}

type changeOp uint8

const (
	setPool changeOp = iota + 1
	setClient
	setUser
	delPool
	delClient
	delUser
)

// apply makes the changes of one committed batch visible, in order.
func (c *recordCache) apply(changes []change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	for i := range changes {
		ch := &changes[i]
		switch ch.op {
		case setPool:
			c.setPool(ch.pool)
		case setClient:
			c.setClient(ch.client)
		case setUser:
			c.setUser(ch.user, ch.rowid)
		case delPool:
			c.dropPoolRecords(ch.poolID)
		case delClient:
			c.dropClient(ch.id)
		case delUser:
			c.dropUser(ch.poolID, ch.id)
		}
	}
	c.trim()
}

// invalidate counts a batch whose outcome is unknown (its commit failed)
// and forgets every record it may have written.
func (c *recordCache) invalidate(b *batchState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	for id := range b.pools {
		c.dropPoolRecords(id)
	}
	for id := range b.clients {
		c.dropClient(id)
	}
	for ref := range b.users {
		c.dropUser(ref.pool, ref.k)
	}
}

// batchState is what the writer's open batch has written to the cached
// kinds of record. The writer's connection sees those writes before they
// commit, so records named here are read with SQL and never cached from
// inside the batch. A user is named by its key and by its new sub; a
// cached user found by an old sub is checked by its key, which covers a
// sub that changed or a user that was deleted. Owned by the writer
// goroutine.
type batchState struct {
	pools   map[string]bool  // pool ID → written or deleted (deleting covers all it holds)
	clients map[string]bool  // client ID
	users   map[userRef]bool // (pool, key)
	subs    map[userRef]bool // (pool, sub) of created and written users
	changes []change         // of the functions that succeeded, in order
}

func newBatchState() *batchState {
	return &batchState{
		pools:   make(map[string]bool),
		clients: make(map[string]bool),
		users:   make(map[userRef]bool),
		subs:    make(map[userRef]bool),
	}
}

func (b *batchState) reset() {
	clear(b.pools)
	clear(b.clients)
	clear(b.users)
	clear(b.subs)
	clear(b.changes)
	b.changes = b.changes[:0]
}

func (b *batchState) written() bool {
	return len(b.pools)+len(b.clients)+len(b.users)+len(b.subs) > 0
}

// poolTouched reports whether the batch wrote or deleted pool poolID.
func (b *batchState) poolTouched(poolID string) bool { return b.pools[poolID] }

func (b *batchState) clientTouched(poolID, id string) bool { return b.pools[poolID] || b.clients[id] }

func (b *batchState) userTouched(poolID, key string) bool {
	return b.pools[poolID] || b.users[userRef{poolID, key}]
}

func (b *batchState) subTouched(poolID, sub string) bool {
	return b.pools[poolID] || b.subs[userRef{poolID, sub}]
}
