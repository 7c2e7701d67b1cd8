package token

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// seededReader is a reproducible random stream (not safe for concurrent
// use, which the Sealer must cope with).
func seededReader() io.Reader { return rand.NewChaCha8([32]byte{7}) }

func newTestSealer(t testing.TB, fill byte, opts ...SealerOption) *Sealer {
	t.Helper()
	s, err := NewSealer(bytes.Repeat([]byte{fill}, SealKeySize), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewSealerKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := NewSealer(make([]byte, n)); err == nil {
			t.Errorf("NewSealer accepted a %d-byte key", n)
		}
	}
}

func TestSealRoundTrip(t *testing.T) {
	s := newTestSealer(t, 1)
	aad := []byte("us-east-1_AbCdEf123/client")
	for _, tc := range []struct {
		name      string
		plaintext []byte
	}{
		{"empty", nil},
		{"srp secret block", bytes.Repeat([]byte{0xA5}, 200)},
		{"session", []byte(`{"u":"alice","c":"SOFTWARE_TOKEN_MFA","exp":1700000000}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sealed := s.Seal(tc.plaintext, aad)
			if _, err := base64.StdEncoding.Strict().DecodeString(sealed); err != nil {
				t.Errorf("Seal output is not standard base64: %v", err)
			}
			got, err := s.Open(sealed, aad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.plaintext) {
				t.Errorf("Open = %q, want %q", got, tc.plaintext)
			}
			if s.Seal(tc.plaintext, aad) == sealed {
				t.Error("two seals of one plaintext are equal: nonce reused")
			}
		})
	}
}

func TestSealDeterministicWithRandom(t *testing.T) {
	a := newTestSealer(t, 1, WithRandom(seededReader()))
	b := newTestSealer(t, 1, WithRandom(seededReader()))
	if x, y := a.Seal([]byte("p"), nil), b.Seal([]byte("p"), nil); x != y {
		t.Errorf("same key and random source gave %q and %q", x, y)
	}
	if x, y := a.SealJWE([]byte("p")), b.SealJWE([]byte("p")); x != y {
		t.Errorf("same key and random source gave different JWEs")
	}
}

func TestSealRandomFailurePanics(t *testing.T) {
	s := newTestSealer(t, 1, WithRandom(strings.NewReader("short")))
	defer func() {
		if recover() == nil {
			t.Error("Seal with a failing random source did not panic")
		}
	}()
	s.Seal([]byte("x"), nil)
}

func TestOpenTamper(t *testing.T) {
	s := newTestSealer(t, 1)
	aad := []byte("pool/client")
	sealed := s.Seal([]byte("secret block"), aad)
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base64.StdEncoding.EncodeToString(b)
	}
	for _, tc := range []struct {
		name, sealed string
		aad          []byte
		sealer       *Sealer
	}{
		{"nonce byte", flip(0), aad, s},
		{"ciphertext byte", flip(nonceLen + 1), aad, s},
		{"tag byte", flip(len(raw) - 1), aad, s},
		{"truncated", base64.StdEncoding.EncodeToString(raw[:len(raw)-1]), aad, s},
		{"too short", base64.StdEncoding.EncodeToString(raw[:nonceLen+tagLen-1]), aad, s},
		{"empty", "", aad, s},
		{"other aad", sealed, []byte("pool/other"), s},
		{"missing aad", sealed, nil, s},
		{"other key", sealed, aad, newTestSealer(t, 2)},
		{"url alphabet", base64.URLEncoding.EncodeToString(raw) + "-_", aad, s},
		{"line break", sealed[:10] + "\n" + sealed[10:], aad, s},
		{"padding stripped", strings.TrimRight(sealed, "="), aad, s},
		{"JWE form", s.SealJWE([]byte("secret block")), aad, s},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.sealed == sealed && tc.sealer == s && bytes.Equal(tc.aad, aad) {
				t.Fatal("test case is not tampered")
			}
			if got, err := tc.sealer.Open(tc.sealed, tc.aad); !errors.Is(err, ErrMalformed) {
				t.Errorf("Open = %q, %v; want ErrMalformed", got, err)
			}
		})
	}
}

func TestJWEShape(t *testing.T) {
	s := newTestSealer(t, 1)
	plaintext := []byte(`{"pool":"us-east-1_AbCdEf123","client":"c","user":"u","origin_jti":"o"}`)
	tok := s.SealJWE(plaintext)
	parts := strings.Split(tok, ".")
	if len(parts) != 5 {
		t.Fatalf("%d segments, want 5", len(parts))
	}
	if strings.ContainsAny(tok, "=+/") {
		t.Error("JWE is not unpadded base64url")
	}
	header, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}`; string(header) != want {
		t.Errorf("header = %s, want %s", header, want)
	}
	for i, want := range map[int]int{1: 256, 2: 12, 3: len(plaintext), 4: 16} {
		b, err := base64.RawURLEncoding.Strict().DecodeString(parts[i])
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		if len(b) != want {
			t.Errorf("segment %d is %d bytes, want %d", i, len(b), want)
		}
	}
	got, err := s.OpenJWE(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plaintext) {
		t.Errorf("OpenJWE = %q", got)
	}
	other := strings.Split(s.SealJWE(plaintext), ".")
	if other[1] == parts[1] || other[2] == parts[2] {
		t.Error("encrypted key or iv repeats between tokens")
	}
	if empty, err := s.OpenJWE(s.SealJWE(nil)); err != nil || len(empty) != 0 {
		t.Errorf("empty plaintext: %q, %v", empty, err)
	}
}

func TestOpenJWETamper(t *testing.T) {
	s := newTestSealer(t, 1)
	tok := s.SealJWE([]byte("refresh token record 42"))
	parts := strings.Split(tok, ".")
	// flipSegment changes one decoded byte of segment i and re-encodes it.
	flipSegment := func(i int) string {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 1
		p := append([]string(nil), parts...)
		p[i] = base64.RawURLEncoding.EncodeToString(b)
		return strings.Join(p, ".")
	}
	replace := func(i int, seg string) string {
		p := append([]string(nil), parts...)
		p[i] = seg
		return strings.Join(p, ".")
	}
	for _, tc := range []struct {
		name, tok string
		sealer    *Sealer
	}{
		{"header byte", flipSegment(0), s},
		{"header re-encoded with other JSON", replace(0, base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM","cty":"JWT"}`))), s},
		{"encrypted key byte", flipSegment(1), s},
		{"encrypted key from another token", replace(1, strings.Split(s.SealJWE(nil), ".")[1]), s},
		{"iv byte", flipSegment(2), s},
		{"ciphertext byte", flipSegment(3), s},
		{"tag byte", flipSegment(4), s},
		{"empty tag", replace(4, ""), s},
		{"padding on iv", replace(2, base64.URLEncoding.EncodeToString([]byte("123456789012"))+"="), s},
		{"four segments", strings.Join(parts[:4], "."), s},
		{"six segments", tok + ".AA", s},
		{"empty", "", s},
		{"other key", tok, newTestSealer(t, 2)},
		{"Seal form", s.Seal([]byte("refresh token record 42"), nil), s},
		{"JWS", "eyJhbGciOiJub25lIn0.e30.", s},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := tc.sealer.OpenJWE(tc.tok); !errors.Is(err, ErrMalformed) {
				t.Errorf("OpenJWE = %q, %v; want ErrMalformed", got, err)
			}
		})
	}
}

func TestSealerConcurrent(t *testing.T) {
	s := newTestSealer(t, 3, WithRandom(seededReader())) // non-thread-safe reader
	done := make(chan string, 8*50)
	for w := range 8 {
		go func() {
			for i := range 50 {
				p := []byte{byte(w), byte(i)}
				tok := s.SealJWE(p)
				got, err := s.OpenJWE(tok)
				if err != nil || !bytes.Equal(got, p) {
					t.Errorf("round trip %v: %q, %v", p, got, err)
				}
				done <- tok
			}
		}()
	}
	seen := map[string]bool{}
	for range 8 * 50 {
		tok := <-done
		iv := strings.Split(tok, ".")[2]
		if seen[iv] {
			t.Fatalf("iv %s used twice", iv)
		}
		seen[iv] = true
	}
}
