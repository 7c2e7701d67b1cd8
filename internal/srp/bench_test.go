package srp

import (
	"crypto/rand"
	"testing"
	"time"
)

func BenchmarkNewVerifier(b *testing.B) {
	for b.Loop() {
		if _, _, err := NewVerifier(rand.Reader, testPool, testUser, testPassword); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBegin(b *testing.B) {
	u := newUser(b, testPool, testUser, testPassword)
	s := newTestServer(b, &clock{time.Now()})
	c, err := NewClient(rand.Reader, testPool)
	if err != nil {
		b.Fatal(err)
	}
	a := c.SrpAHex()
	for b.Loop() {
		if _, err := s.Begin(testPool, testUser, u.salt, u.verifier, a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	u := newUser(b, testPool, testUser, testPassword)
	clk := &clock{time.Now()}
	s := newTestServer(b, clk)
	c, err := NewClient(rand.Reader, testPool)
	if err != nil {
		b.Fatal(err)
	}
	ch, err := s.Begin(testPool, testUser, u.salt, u.verifier, c.SrpAHex())
	if err != nil {
		b.Fatal(err)
	}
	ts, sig, err := c.Respond(testUser, testPassword, ch.SaltHex, ch.SrpBHex, ch.SecretBlock, clk.t)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.Verify(testPool, testUser, u.salt, u.verifier, ch.SecretBlock, ts, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClient(b *testing.B) {
	u := newUser(b, testPool, testUser, testPassword)
	s := newTestServer(b, &clock{time.Now()})
	c, err := NewClient(rand.Reader, testPool)
	if err != nil {
		b.Fatal(err)
	}
	ch, err := s.Begin(testPool, testUser, u.salt, u.verifier, c.SrpAHex())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for b.Loop() {
		c, err := NewClient(rand.Reader, testPool)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.Respond(testUser, testPassword, ch.SaltHex, ch.SrpBHex, ch.SecretBlock, now); err != nil {
			b.Fatal(err)
		}
	}
}
