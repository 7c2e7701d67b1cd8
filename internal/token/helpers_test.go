package token

import (
	"crypto/rsa"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// testKey loads one of the fixed test keys in testdata ("a" or "b").
func testKey(tb testing.TB, name string) *rsa.PrivateKey {
	tb.Helper()
	der, err := os.ReadFile(filepath.Join("testdata", "test-key-"+name+".pk8"))
	if err != nil {
		tb.Fatal(err)
	}
	key, err := ParsePrivateKey(der)
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

// keySet is a concurrency-safe KeyLookup backed by a map, so tests can add,
// swap and remove keys while verifying.
type keySet struct {
	mu   sync.RWMutex
	keys map[string]*rsa.PublicKey
}

func newKeySet(keys ...*rsa.PrivateKey) *keySet {
	s := &keySet{keys: map[string]*rsa.PublicKey{}}
	for _, k := range keys {
		s.set(KeyID(&k.PublicKey), &k.PublicKey)
	}
	return s
}

func (s *keySet) set(kid string, pub *rsa.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pub == nil {
		delete(s.keys, kid)
		return
	}
	s.keys[kid] = pub
}

func (s *keySet) lookup(kid string) (*rsa.PublicKey, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[kid]
	return k, ok
}

// accessClaims returns claims shaped like a Cognito access token, in
// Cognito's order, for a user sub.
func accessClaims(sub string, groups ...string) []Claim {
	c := []Claim{
		{"sub", sub},
		{"iss", "http://localhost:9229/us-east-1_AbCdEf123"},
		{"client_id", "7hopjdad9ohj6n1v9h93c4eo3c"},
		{"origin_jti", "07a936d8-def9-4930-bb76-6fe9267d2de6"},
		{"event_id", "7a428e82-5ce4-4dfd-861d-1a024adc3e03"},
		{"token_use", "access"},
		{"scope", "aws.cognito.signin.user.admin"},
		{"auth_time", 1674946410},
		{"exp", 1674950010},
		{"iat", 1674946410},
		{"jti", "54c65243-8302-47c9-9605-ef494f0b5c84"},
		{"username", sub},
	}
	if len(groups) > 0 {
		c = append(c, Claim{"cognito:groups", groups})
	}
	return c
}

// mustSign signs claims with key under its KeyID.
func mustSign(tb testing.TB, key *rsa.PrivateKey, claims []Claim) string {
	tb.Helper()
	raw, err := Sign(key, KeyID(&key.PublicKey), claims)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}
