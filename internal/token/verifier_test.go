package token

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"sync"
	"testing"
	"unsafe"
)

// cached returns the cache entry for raw, or nil.
func (v *Verifier) cached(raw string) *verifiedEntry {
	sum := v.hash(raw)
	for i := range v.shards {
		s := &v.shards[i]
		s.mu.RLock()
		e := s.get(sum)
		s.mu.RUnlock()
		if e != nil {
			return e
		}
	}
	return nil
}

func TestVerifierHit(t *testing.T) {
	key := testKey(t, "a")
	keys := newKeySet(key)
	raw := mustSign(t, key, accessClaims("u1", "admin", "ops"))
	v := NewVerifier(8)

	first, err := v.VerifyAccess(raw, keys.lookup)
	if err != nil {
		t.Fatal(err)
	}
	e := v.cached(raw)
	if e == nil {
		t.Fatal("verified token was not cached")
	}
	if e.used.Load() {
		t.Error("entry marked used before any hit")
	}
	second, err := v.VerifyAccess(raw, keys.lookup)
	if err != nil {
		t.Fatal(err)
	}
	if !e.used.Load() || v.cached(raw) != e {
		t.Error("second call did not hit the cached entry")
	}
	if !reflect.DeepEqual(first, second) || first.Sub != "u1" || len(first.Groups) != 2 {
		t.Errorf("hit returned %+v, miss returned %+v", second, first)
	}

	// The caller owns what it gets: scribbling on it must not reach the cache.
	second.Groups[0] = "root"
	third, err := v.VerifyAccess(raw, keys.lookup)
	if err != nil {
		t.Fatal(err)
	}
	if third.Groups[0] != "admin" {
		t.Errorf("cache shares Groups with callers: got %v", third.Groups)
	}

	// An equal key in a fresh object (as a store reload would give) still hits.
	kid := KeyID(&key.PublicKey)
	keys.set(kid, &rsa.PublicKey{N: new(big.Int).Set(key.N), E: key.E})
	e.used.Store(false)
	if _, err := v.VerifyAccess(raw, keys.lookup); err != nil || !e.used.Load() {
		t.Errorf("equal reloaded key: err %v, hit %v", err, e.used.Load())
	}
}

func TestVerifierKeyChange(t *testing.T) {
	a, b := testKey(t, "a"), testKey(t, "b")
	kid := KeyID(&a.PublicKey)
	raw := mustSign(t, a, accessClaims("u1"))
	for _, tc := range []struct {
		name   string
		change func(*keySet)
		want   error
	}{
		{"key removed", func(s *keySet) { s.set(kid, nil) }, ErrUnknownKey},
		{"kid now maps to another key", func(s *keySet) { s.set(kid, &b.PublicKey) }, ErrBadSignature},
		{"same modulus, other exponent", func(s *keySet) { s.set(kid, &rsa.PublicKey{N: a.N, E: 3}) }, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := newKeySet(a)
			v := NewVerifier(4)
			if _, err := v.VerifyAccess(raw, keys.lookup); err != nil {
				t.Fatal(err)
			}
			tc.change(keys)
			if c, err := v.VerifyAccess(raw, keys.lookup); !errors.Is(err, tc.want) {
				t.Fatalf("after key change: %+v, %v; want %v", c, err, tc.want)
			}
			if v.cached(raw) != nil {
				t.Error("stale entry still cached")
			}
		})
	}
}

func TestVerifierRejectsAndDoesNotCacheFailures(t *testing.T) {
	a, b := testKey(t, "a"), testKey(t, "b")
	keys := newKeySet(a)
	v := NewVerifier(4)
	for _, tc := range []struct {
		name string
		raw  string
		want error
	}{
		{"garbage", "x.y.z", ErrMalformed},
		{"unknown kid", mustSign(t, b, accessClaims("u")), ErrUnknownKey},
		{"claims of wrong type", mustSign(t, a, []Claim{{"exp", "soon"}}), ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 2 {
				if _, err := v.VerifyAccess(tc.raw, keys.lookup); !errors.Is(err, tc.want) {
					t.Fatalf("VerifyAccess error = %v, want %v", err, tc.want)
				}
			}
			if v.cached(tc.raw) != nil {
				t.Error("failure was cached")
			}
		})
	}
	if _, err := v.VerifyAccess(mustSign(t, a, accessClaims("u")), nil); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("nil lookup: %v", err)
	}
}

func TestVerifierBounded(t *testing.T) {
	key := testKey(t, "a")
	keys := newKeySet(key)
	tokens := make([]string, 40)
	for i := range tokens {
		tokens[i] = mustSign(t, key, accessClaims(fmt.Sprint("user-", i)))
	}
	for _, size := range []int{-1, 0, 1, 5, 16, 17, 100} {
		t.Run(fmt.Sprint("size ", size), func(t *testing.T) {
			v := NewVerifier(size)
			for round := range 2 {
				for i, raw := range tokens {
					c, err := v.VerifyAccess(raw, keys.lookup)
					if err != nil {
						t.Fatal(err)
					}
					if want := fmt.Sprint("user-", i); c.Sub != want {
						t.Fatalf("round %d: token %d gave sub %q", round, i, c.Sub)
					}
				}
			}
			// Shards fill unevenly, so only the bound is exact.
			got := v.len()
			switch {
			case size <= 0 && got != 0:
				t.Errorf("disabled cache holds %d entries", got)
			case size > 0 && (got < 1 || got > size):
				t.Errorf("%d entries cached, want 1..%d", got, size)
			}
		})
	}
	var nilVerifier *Verifier
	if c, err := nilVerifier.VerifyAccess(tokens[0], keys.lookup); err != nil || c.Sub != "user-0" {
		t.Errorf("nil Verifier: %+v, %v", c, err)
	}
}

func TestVerifierShardClock(t *testing.T) {
	entry := func(b byte) *verifiedEntry { return &verifiedEntry{sum: [32]byte{b}} }
	s := verifierShard{index: map[[32]byte]int{}, capacity: 3}
	x, y, z, w := entry(1), entry(2), entry(3), entry(4)
	s.put(x)
	s.put(y)
	s.put(z)
	x.used.Store(true) // x was hit since insertion: gets a second chance
	s.put(w)
	for _, tc := range []struct {
		name string
		e    *verifiedEntry
		in   bool
	}{{"hit entry kept", x, true}, {"oldest unused evicted", y, false}, {"z kept", z, true}, {"new entry present", w, true}} {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.get(tc.e.sum) == tc.e; got != tc.in {
				t.Errorf("present = %v, want %v", got, tc.in)
			}
		})
	}
	if x.used.Load() {
		t.Error("sweep did not clear the used bit")
	}
	s.remove(z)
	if s.get(z.sum) != nil || s.get(x.sum) != x || s.get(w.sum) != w || len(s.slots) != 2 {
		t.Errorf("remove broke the shard: %d slots", len(s.slots))
	}
}

func TestVerifierConcurrent(t *testing.T) {
	a, b := testKey(t, "a"), testKey(t, "b")
	keys := newKeySet(a, b)
	kidB := KeyID(&b.PublicKey)
	type tok struct {
		raw, sub string
		rotates  bool
	}
	var tokens []tok
	for i := range 12 {
		key := a
		if i%3 == 0 {
			key = b
		}
		sub := fmt.Sprint("user-", i)
		tokens = append(tokens, tok{mustSign(t, key, accessClaims(sub, "g")), sub, key == b})
	}
	v := NewVerifier(5) // smaller than the token set: evictions happen

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() { // key b comes and goes
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				keys.set(kidB, nil)
			} else {
				keys.set(kidB, &b.PublicKey)
			}
		}
	})
	var workers sync.WaitGroup
	for w := range 8 {
		workers.Go(func() {
			for i := range 300 {
				tk := tokens[(i*7+w)%len(tokens)]
				c, err := v.VerifyAccess(tk.raw, keys.lookup)
				switch {
				case err == nil && (c.Sub != tk.sub || len(c.Groups) != 1):
					t.Errorf("token %s: got claims %+v", tk.sub, c)
				case err != nil && !(tk.rotates && errors.Is(err, ErrUnknownKey)):
					t.Errorf("token %s: %v", tk.sub, err)
				}
				if err == nil {
					c.Groups[0] = "mutated" // must not leak into other callers
				}
			}
		})
	}
	workers.Wait()
	close(stop)
	wg.Wait()
	if n := v.len(); n > 5 {
		t.Errorf("cache holds %d entries, bound is 5", n)
	}
}

func TestPackClaims(t *testing.T) {
	c := AccessClaims{Sub: "sub-1", Iss: "http://x/p", ClientID: "cid", OriginJTI: "o", EventID: "ev", TokenUse: "access",
		Scope: "aws.cognito.signin.user.admin", AuthTime: 1, Exp: 3, Iat: 2, JTI: "j", Username: "alice",
		Groups: []string{"admin", "ops"}, DeviceKey: "dk"}
	p := packClaims(c)
	if !reflect.DeepEqual(p, c) {
		t.Fatalf("packClaims changed the claims:\n got %+v\nwant %+v", p, c)
	}
	// Every string, groups included, must live in the one packed block,
	// so a claim added to AccessClaims but not to packClaims fails here.
	var strs []string
	rv := reflect.ValueOf(p)
	for i := range rv.NumField() {
		switch f := rv.Field(i); f.Kind() {
		case reflect.String:
			strs = append(strs, f.String())
		case reflect.Slice:
			for j := range f.Len() {
				strs = append(strs, f.Index(j).String())
			}
		}
	}
	lo, hi := uintptr(0), uintptr(0)
	total := 0
	for _, s := range strs {
		a := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		if lo == 0 || a < lo {
			lo = a
		}
		hi = max(hi, a+uintptr(len(s)))
		total += len(s)
	}
	if int(hi-lo) != total {
		t.Errorf("claims span %d bytes for %d bytes of strings: not one block", hi-lo, total)
	}
	if packClaims(AccessClaims{Sub: "s"}).Groups != nil {
		t.Error("nil groups became non-nil")
	}
}
