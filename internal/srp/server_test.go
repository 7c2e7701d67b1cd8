package srp

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"
)

const (
	testPool     = "us-east-1_TestPool1"
	testUser     = "0a8f3c2e-1d4b-4e6f-9a7c-5b3d2e1f0a9b"
	testOther    = "7c6b5a49-3827-4165-8f4e-3d2c1b0a9f8e"
	testPassword = "Sup3r secret!"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type user struct {
	id, password   string
	salt, verifier []byte
}

func newUser(t testing.TB, pool, id, password string) user {
	t.Helper()
	salt, v, err := NewVerifier(rand.Reader, pool, id, password)
	if err != nil {
		t.Fatal(err)
	}
	return user{id: id, password: password, salt: salt, verifier: v}
}

func newTestServer(t testing.TB, clk *clock, opts ...Option) *Server {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(key, rand.Reader, clk.now, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// exchange runs Begin for u and answers as a client who knows password,
// signing at signAt, with the USER_ID_FOR_SRP clientUser.
type response struct {
	block, timestamp, signature string
}

func exchange(t *testing.T, s *Server, pool string, u user, clientUser, password string, signAt time.Time) response {
	t.Helper()
	c, err := NewClient(rand.Reader, pool)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := s.Begin(pool, u.id, u.salt, u.verifier, c.SrpAHex())
	if err != nil {
		t.Fatal(err)
	}
	ts, sig, err := c.Respond(clientUser, password, ch.SaltHex, ch.SrpBHex, ch.SecretBlock, signAt)
	if err != nil {
		t.Fatal(err)
	}
	return response{ch.SecretBlock, ts, sig}
}

func TestRoundTrip(t *testing.T) {
	start := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name     string
		pool     string
		user     string
		password string
	}{
		{"ascii", testPool, testUser, testPassword},
		{"unicode password", testPool, testUser, "pässwörd ✓ 密码"},
		{"empty password", testPool, testUser, ""},
		{"pool without region", "LocalPool", "alice", "pw"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{start}
			s := newTestServer(t, clk)
			u := newUser(t, tc.pool, tc.user, tc.password)
			r := exchange(t, s, tc.pool, u, tc.user, tc.password, clk.t)
			if err := s.Verify(tc.pool, tc.user, u.salt, u.verifier, r.block, r.timestamp, r.signature); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	start := time.Date(2024, 6, 12, 23, 59, 30, 0, time.UTC)
	alice := newUser(t, testPool, testUser, testPassword)
	bob := newUser(t, testPool, testOther, "bob's password")
	otherPoolAlice := newUser(t, "us-east-1_OtherPool", testUser, testPassword)

	tests := []struct {
		name   string
		reason string // logged reason the error must carry
		// run performs an exchange and returns the Verify error.
		run func(t *testing.T, s *Server, clk *clock) error
	}{
		{"wrong password", "signature mismatch", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, "wrong", clk.t)
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, r.block, r.timestamp, r.signature)
		}},
		{"password changed between Begin and Verify", "credentials changed", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			changed := newUser(t, testPool, testUser, testPassword)
			return s.Verify(testPool, testUser, changed.salt, changed.verifier, r.block, r.timestamp, r.signature)
		}},
		{"block replayed to another user", "another pool or user", func(t *testing.T, s *Server, clk *clock) error {
			// Bob answers a challenge issued for Alice with his own password.
			r := exchange(t, s, testPool, alice, testOther, bob.password, clk.t)
			return s.Verify(testPool, testOther, bob.salt, bob.verifier, r.block, r.timestamp, r.signature)
		}},
		{"block replayed to another pool", "another pool or user", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			return s.Verify("us-east-1_OtherPool", testUser, otherPoolAlice.salt, otherPoolAlice.verifier, r.block, r.timestamp, r.signature)
		}},
		{"block from a server with another key", "not authentic", func(t *testing.T, s *Server, clk *clock) error {
			other := newTestServer(t, clk)
			r := exchange(t, other, testPool, alice, testUser, testPassword, clk.t)
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, r.block, r.timestamp, r.signature)
		}},
		{"block with a flipped byte", "not authentic", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			raw, _ := base64.StdEncoding.DecodeString(r.block)
			raw[len(raw)/2] ^= 1
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, base64.StdEncoding.EncodeToString(raw), r.timestamp, r.signature)
		}},
		{"block truncated", "malformed", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			raw, _ := base64.StdEncoding.DecodeString(r.block)
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, base64.StdEncoding.EncodeToString(raw[:20]), r.timestamp, r.signature)
		}},
		{"block not base64", "secret block is not base64", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, "!!"+r.block, r.timestamp, r.signature)
		}},
		{"block empty", "malformed", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, "", r.timestamp, r.signature)
		}},
		{"timestamp 6 minutes ahead", "skew", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t.Add(6*time.Minute))
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, r.block, r.timestamp, r.signature)
		}},
		{"timestamp 6 minutes behind", "skew", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t.Add(-6*time.Minute))
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, r.block, r.timestamp, r.signature)
		}},
		{"timestamp unparsable", "unparsable", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, r.block, clk.t.Format(time.RFC3339), r.signature)
		}},
		{"timestamp changed after signing", "signature mismatch", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, r.block, FormatTimestamp(clk.t.Add(time.Second)), r.signature)
		}},
		{"signature with a flipped bit", "signature mismatch", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			raw, _ := base64.StdEncoding.DecodeString(r.signature)
			raw[0] ^= 0x80
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, r.block, r.timestamp, base64.StdEncoding.EncodeToString(raw))
		}},
		{"signature truncated", "signature mismatch", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			raw, _ := base64.StdEncoding.DecodeString(r.signature)
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, r.block, r.timestamp, base64.StdEncoding.EncodeToString(raw[:16]))
		}},
		{"signature not base64", "signature is not base64", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, r.block, r.timestamp, "not base64!")
		}},
		{"signature empty", "signature mismatch", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			return s.Verify(testPool, testUser, alice.salt, alice.verifier, r.block, r.timestamp, "")
		}},
		{"verifier empty", "credentials changed", func(t *testing.T, s *Server, clk *clock) error {
			r := exchange(t, s, testPool, alice, testUser, testPassword, clk.t)
			return s.Verify(testPool, testUser, alice.salt, nil, r.block, r.timestamp, r.signature)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{start}
			s := newTestServer(t, clk)
			err := tc.run(t, s, clk)
			if !errors.Is(err, ErrBadProof) {
				t.Fatalf("Verify = %v, want ErrBadProof", err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("Verify = %v, want reason %q", err, tc.reason)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("error mentions the password: %v", err)
			}
		})
	}
}

// TestVerifyWindows covers the SECRET_BLOCK lifetime and TIMESTAMP skew
// with an injected clock, on both sides of each limit.
func TestVerifyWindows(t *testing.T) {
	start := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	alice := newUser(t, testPool, testUser, testPassword)
	tests := []struct {
		name      string
		opts      []Option
		elapsed   time.Duration // between Begin and Verify
		clientOff time.Duration // client clock minus server clock
		wantErr   bool
	}{
		{"immediately", nil, 0, 0, false},
		{"block 4m59s old", nil, 4*time.Minute + 59*time.Second, 0, false},
		{"block exactly 5m old", nil, 5 * time.Minute, 0, false},
		{"block 5m1s old", nil, 5*time.Minute + time.Second, 0, true},
		{"custom TTL 1m, 61s old", []Option{SecretBlockTTL(time.Minute)}, 61 * time.Second, 0, true},
		{"custom TTL 10m, 9m old", []Option{SecretBlockTTL(10 * time.Minute)}, 9 * time.Minute, 0, false},
		{"client 4m ahead", nil, 0, 4 * time.Minute, false},
		{"client 4m behind", nil, 0, -4 * time.Minute, false},
		{"client 5m1s ahead", nil, 0, 5*time.Minute + time.Second, true},
		{"custom skew 30s, client 31s behind", []Option{TimestampSkew(30 * time.Second)}, 0, -31 * time.Second, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{start}
			s := newTestServer(t, clk, tc.opts...)
			c, err := NewClient(rand.Reader, testPool)
			if err != nil {
				t.Fatal(err)
			}
			ch, err := s.Begin(testPool, testUser, alice.salt, alice.verifier, c.SrpAHex())
			if err != nil {
				t.Fatal(err)
			}
			clk.t = clk.t.Add(tc.elapsed)
			ts, sig, err := c.Respond(testUser, testPassword, ch.SaltHex, ch.SrpBHex, ch.SecretBlock, clk.t.Add(tc.clientOff))
			if err != nil {
				t.Fatal(err)
			}
			err = s.Verify(testPool, testUser, alice.salt, alice.verifier, ch.SecretBlock, ts, sig)
			if tc.wantErr != (err != nil) {
				t.Fatalf("Verify = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ErrBadProof) {
				t.Fatalf("Verify = %v, want ErrBadProof", err)
			}
		})
	}
}

func TestBeginRejectsA(t *testing.T) {
	gr := newGroup()
	alice := newUser(t, testPool, testUser, testPassword)
	n := gr.n.Text(16)
	tests := []struct{ name, a string }{
		{"zero", "0"},
		{"zero padded", "0000"},
		{"N", n},
		{"2N", new(big.Int).Lsh(gr.n, 1).Text(16)},
		{"empty", ""},
		{"not hex", "xyz"},
		{"negative", "-5"},
		{"too long", strings.Repeat("1", maxAHexLen+1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, &clock{time.Now()})
			_, err := s.Begin(testPool, testUser, alice.salt, alice.verifier, tc.a)
			if !errors.Is(err, ErrInvalidA) {
				t.Fatalf("Begin(%.20q) = %v, want ErrInvalidA", tc.a, err)
			}
		})
	}
	t.Run("N+1 is accepted", func(t *testing.T) {
		s := newTestServer(t, &clock{time.Now()})
		a := new(big.Int).Add(gr.n, big.NewInt(1)).Text(16)
		if _, err := s.Begin(testPool, testUser, alice.salt, alice.verifier, a); err != nil {
			t.Fatalf("Begin = %v", err)
		}
	})
}

func TestBeginRejectsBadVerifier(t *testing.T) {
	gr := newGroup()
	alice := newUser(t, testPool, testUser, testPassword)
	c, err := NewClient(rand.Reader, testPool)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		verifier []byte
	}{
		{"empty", nil},
		{"zero", []byte{0, 0}},
		{"N", gr.n.Bytes()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, &clock{time.Now()})
			if _, err := s.Begin(testPool, testUser, alice.salt, tc.verifier, c.SrpAHex()); err == nil {
				t.Fatal("Begin accepted an out-of-range verifier")
			}
		})
	}
}

func TestNewServerRejects(t *testing.T) {
	tests := []struct {
		name   string
		key    []byte
		random io.Reader
		now    func() time.Time
	}{
		{"short key", make([]byte, 31), rand.Reader, time.Now},
		{"nil key", nil, rand.Reader, time.Now},
		{"nil random", make([]byte, 32), nil, time.Now},
		{"nil clock", make([]byte, 32), rand.Reader, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewServer(tc.key, tc.random, tc.now); err == nil {
				t.Fatal("NewServer accepted bad arguments")
			}
		})
	}
}

func TestClientRejectsB(t *testing.T) {
	gr := newGroup()
	tests := []struct{ name, b string }{
		{"zero", "0"},
		{"N", gr.n.Text(16)},
		{"not hex", "zz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(rand.Reader, testPool)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.Respond(testUser, testPassword, "0a", tc.b, "AAAA", time.Now()); err == nil {
				t.Fatal("Respond accepted a bad SRP_B")
			}
		})
	}
}

func TestNewVerifier(t *testing.T) {
	t.Run("fresh salt each call", func(t *testing.T) {
		s1, v1, err := NewVerifier(rand.Reader, testPool, testUser, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		s2, v2, err := NewVerifier(rand.Reader, testPool, testUser, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if len(s1) != SaltLen || bytes.Equal(s1, s2) || bytes.Equal(v1, v2) {
			t.Errorf("salts %x %x, verifiers equal %v", s1, s2, bytes.Equal(v1, v2))
		}
	})
	t.Run("short random fails", func(t *testing.T) {
		if _, _, err := NewVerifier(bytes.NewReader(make([]byte, 3)), testPool, testUser, testPassword); err == nil {
			t.Fatal("NewVerifier succeeded with 3 random bytes")
		}
	})
	t.Run("salt with leading zero byte round-trips", func(t *testing.T) {
		salt := append([]byte{0, 0x05}, bytes.Repeat([]byte{0xab}, SaltLen-2)...)
		_, v, err := NewVerifier(bytes.NewReader(salt), testPool, testUser, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		u := user{id: testUser, password: testPassword, salt: salt, verifier: v}
		clk := &clock{time.Now()}
		s := newTestServer(t, clk)
		r := exchange(t, s, testPool, u, testUser, testPassword, clk.t)
		if err := s.Verify(testPool, testUser, u.salt, u.verifier, r.block, r.timestamp, r.signature); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})
}

// TestConcurrentUse runs exchanges on one Server from several goroutines;
// run with -race.
func TestConcurrentUse(t *testing.T) {
	clk := &clock{time.Date(2024, 5, 5, 5, 5, 5, 0, time.UTC)}
	s := newTestServer(t, clk)
	alice := newUser(t, testPool, testUser, testPassword)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			c, err := NewClient(rand.Reader, testPool)
			if err != nil {
				errs <- err
				return
			}
			ch, err := s.Begin(testPool, testUser, alice.salt, alice.verifier, c.SrpAHex())
			if err != nil {
				errs <- err
				return
			}
			ts, sig, err := c.Respond(testUser, testPassword, ch.SaltHex, ch.SrpBHex, ch.SecretBlock, clk.t)
			if err != nil {
				errs <- err
				return
			}
			errs <- s.Verify(testPool, testUser, alice.salt, alice.verifier, ch.SecretBlock, ts, sig)
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
