package token

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// maxShards bounds the number of independently locked cache shards.
const maxShards = 16

// Verifier verifies access tokens and remembers the ones that verified, so
// that a token presented again (the common case: a client calls several
// operations with one access token) costs a SHA-256 and a map lookup instead
// of an RSA verification.
//
// The cache answers one question only: "did this exact string verify, with
// which claims, under which key?". A hit is honoured only while the
// KeyLookup still returns the same public key for the kid it was verified
// with, so removing or rotating a key invalidates its entries. Expiry,
// revocation, token_use, scope, pool and user state are NOT the cache's
// business: the caller must check them on every call, hit or miss, exactly
// as after a fresh Verify. Failures are never cached.
//
// A Verifier is safe for concurrent use. Its zero value and nil are usable
// and cache nothing.
type Verifier struct {
	shards []verifierShard
	bufs   sync.Pool // *[]byte scratch for hashing, so a hit does not allocate
}

// verifierShard is one lock's worth of the cache, evicting with the CLOCK
// (second chance) policy: a hit sets used under the read lock; an insert into
// a full shard advances hand past used entries, clearing their bit, and
// replaces the first unused one. Hits therefore take only a read lock.
type verifierShard struct {
	mu       sync.RWMutex
	index    map[[sha256.Size]byte]int // token hash -> position in slots
	slots    []*verifiedEntry
	hand     int
	capacity int
}

// verifiedEntry is immutable once inserted, apart from used.
type verifiedEntry struct {
	sum    [sha256.Size]byte
	kid    string
	pub    *rsa.PublicKey // the key that verified it; keys are never changed in place
	claims AccessClaims
	used   atomic.Bool
}

// NewVerifier returns a Verifier that caches at most size verified tokens
// (size <= 0 disables caching).
func NewVerifier(size int) *Verifier {
	if size <= 0 {
		return &Verifier{}
	}
	n := min(maxShards, size)
	v := &Verifier{shards: make([]verifierShard, n)}
	for i := range v.shards {
		capacity := size / n
		if i < size%n {
			capacity++
		}
		v.shards[i] = verifierShard{index: make(map[[sha256.Size]byte]int), capacity: capacity}
	}
	return v
}

// VerifyAccess is Verify followed by ParseAccessClaims, answered from the
// cache when raw verified before under the key keys still returns for its
// kid. Errors are those of Verify and ParseAccessClaims. The caller owns the
// returned claims (Groups is a fresh copy) and must still apply every claim
// check (exp, iss, token_use, scope, revocation) itself.
func (v *Verifier) VerifyAccess(raw string, keys KeyLookup) (AccessClaims, error) {
	if v == nil || len(v.shards) == 0 {
		return verifyAccess(raw, keys)
	}
	sum := v.hash(raw)
	sh := &v.shards[binary.LittleEndian.Uint64(sum[:8])%uint64(len(v.shards))]

	sh.mu.RLock()
	e := sh.get(sum)
	if e != nil {
		e.used.Store(true) // under the read lock, so an evicting sweep ends
	}
	sh.mu.RUnlock()
	if e != nil && keys != nil {
		// The same key object needs no comparison, which spares reading
		// the modulus; an equal key in another object (a reload) compares.
		if pub, ok := keys(e.kid); ok && pub != nil && (pub == e.pub || pub.N != nil && pub.E == e.pub.E && pub.N.Cmp(e.pub.N) == 0) {
			c := e.claims
			c.Groups = slices.Clone(c.Groups)
			return c, nil
		}
	}

	payload, kid, pub, err := verify(raw, keys)
	if err != nil {
		if e != nil {
			sh.remove(e) // its key is gone: free the slot
		}
		return AccessClaims{}, err
	}
	claims, err := ParseAccessClaims(payload)
	if err != nil {
		return AccessClaims{}, err
	}
	sh.put(&verifiedEntry{sum: sum, kid: kid, pub: pub, claims: packClaims(claims)})
	return claims, nil
}

// packClaims copies c's strings into one allocation, so a cache hit reads
// a few adjacent cache lines instead of a dozen scattered strings: with
// thousands of users in use the entries do not stay in the CPU's caches.
func packClaims(c AccessClaims) AccessClaims {
	fields := []*string{&c.Sub, &c.Iss, &c.ClientID, &c.OriginJTI, &c.EventID, &c.TokenUse, &c.Scope,
		&c.JTI, &c.Username, &c.DeviceKey}
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	for _, g := range c.Groups {
		n += len(g)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(*f)
	}
	for _, g := range c.Groups {
		b.WriteString(g)
	}
	all, at := b.String(), 0
	next := func(l int) string {
		at += l
		return all[at-l : at]
	}
	for _, f := range fields {
		*f = next(len(*f))
	}
	if c.Groups != nil {
		groups := make([]string, len(c.Groups))
		for i, g := range c.Groups {
			groups[i] = next(len(g))
		}
		c.Groups = groups
	}
	return c
}

// maxPooledBuf caps the scratch buffers kept for reuse; longer tokens (not
// issued by Cognate) hash through a one-off buffer.
const maxPooledBuf = 8 << 10

// hash returns the SHA-256 of raw, the cache key. sha256.Sum256 reaches the
// digest through an interface, so the string-to-bytes conversion would
// escape and allocate on every hit; a pooled buffer avoids that.
func (v *Verifier) hash(raw string) [sha256.Size]byte {
	if len(raw) > maxPooledBuf {
		return sha256.Sum256([]byte(raw))
	}
	bp, _ := v.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	*bp = append((*bp)[:0], raw...)
	sum := sha256.Sum256(*bp)
	v.bufs.Put(bp)
	return sum
}

// verifyAccess is the uncached path.
func verifyAccess(raw string, keys KeyLookup) (AccessClaims, error) {
	payload, _, err := Verify(raw, keys)
	if err != nil {
		return AccessClaims{}, err
	}
	return ParseAccessClaims(payload)
}

// get returns the entry for sum or nil. The caller holds mu (read or write).
func (s *verifierShard) get(sum [sha256.Size]byte) *verifiedEntry {
	if i, ok := s.index[sum]; ok {
		return s.slots[i]
	}
	return nil
}

// put inserts or replaces e, evicting one entry when the shard is full.
func (s *verifierShard) put(e *verifiedEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index[e.sum]; ok {
		s.slots[i] = e
		return
	}
	if len(s.slots) < s.capacity {
		s.index[e.sum] = len(s.slots)
		s.slots = append(s.slots, e)
		return
	}
	// Hits set used only under the read lock, which this write lock
	// excludes, so at most one full turn clears every bit.
	for s.slots[s.hand].used.Swap(false) {
		s.hand = (s.hand + 1) % len(s.slots)
	}
	delete(s.index, s.slots[s.hand].sum)
	s.slots[s.hand] = e
	s.index[e.sum] = s.hand
	s.hand = (s.hand + 1) % len(s.slots)
}

// remove drops e if it is still the entry for its hash.
func (s *verifierShard) remove(e *verifiedEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.index[e.sum]
	if !ok || s.slots[i] != e {
		return
	}
	last := len(s.slots) - 1
	if i != last {
		s.slots[i] = s.slots[last]
		s.index[s.slots[i].sum] = i
	}
	s.slots[last] = nil
	s.slots = s.slots[:last]
	delete(s.index, e.sum)
	if s.hand >= len(s.slots) {
		s.hand = 0
	}
}

// len reports the number of cached tokens (for tests).
func (v *Verifier) len() int {
	total := 0
	for i := range v.shards {
		s := &v.shards[i]
		s.mu.RLock()
		total += len(s.slots)
		s.mu.RUnlock()
	}
	return total
}
