package token

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzVerify: no input panics, every failure wraps one sentinel, and the
// only string that verifies is the one token signed in the seed corpus
// (canonical base64 and deterministic RSASSA-PKCS1-v1_5 leave no other
// encoding of it).
func FuzzVerify(f *testing.F) {
	key := testKey(f, "a")
	keys := newKeySet(key)
	valid := mustSign(f, key, accessClaims("u1", "admin"))
	parts := strings.Split(valid, ".")
	for _, seed := range []string{
		valid,
		valid + ".",
		valid[:len(valid)-1],
		parts[0] + "." + parts[1] + ".",
		"eyJhbGciOiJub25lIn0.e30.",
		"eyJraWQiOiJ4IiwiYWxnIjoiUlMyNTYifQ.e30.AA",
		"..",
		"",
	} {
		f.Add(seed)
	}
	v := NewVerifier(4)
	f.Fuzz(func(t *testing.T, raw string) {
		payload, kid, err := Verify(raw, keys.lookup)
		if err == nil {
			if raw != valid {
				t.Fatalf("forged token verified: %q (kid %q, payload %q)", raw, kid, payload)
			}
		} else if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrBadSignature) {
			t.Fatalf("Verify error %v wraps no sentinel", err)
		}
		if _, err := v.VerifyAccess(raw, keys.lookup); err == nil && raw != valid {
			t.Fatalf("Verifier accepted forged token %q", raw)
		}
	})
}

// FuzzOpen: no input panics, and nothing but the seeded sealed values
// opens (AES-GCM plus canonical base64 and the checked JWE filler leave one
// encoding per sealed value).
func FuzzOpen(f *testing.F) {
	s := newTestSealer(f, 9, WithRandom(seededReader()))
	aad := []byte("aad")
	sealed := s.Seal([]byte("session"), aad)
	jwe := s.SealJWE([]byte("refresh"))
	for _, seed := range []string{sealed, jwe, sealed + "=", jwe + ".", strings.ToUpper(sealed), "", "...."} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if _, err := s.Open(in, aad); err == nil && in != sealed {
			t.Fatalf("Open accepted %q", in)
		} else if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("Open error %v is not ErrMalformed", err)
		}
		if _, err := s.OpenJWE(in); err == nil && in != jwe {
			t.Fatalf("OpenJWE accepted %q", in)
		} else if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("OpenJWE error %v is not ErrMalformed", err)
		}
	})
}

// FuzzParseClaims: the claim parsers never panic and accept only JSON
// objects.
func FuzzParseClaims(f *testing.F) {
	for _, seed := range []string{`{"sub":"x","exp":1,"cognito:groups":["a"]}`, `null`, `{"exp":1e400}`, `{}{}`, ` {"a":[1,{"b":null}]} `} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if _, err := ParseAccessClaims(payload); err == nil && !json.Valid(payload) {
			t.Fatalf("ParseAccessClaims accepted invalid JSON %q", payload)
		}
		m, err := ParseClaims(payload)
		if err == nil && (m == nil || !json.Valid(payload)) {
			t.Fatalf("ParseClaims accepted %q as %v", payload, m)
		}
	})
}
