package token

import "testing"

func BenchmarkSign(b *testing.B) {
	key := testKey(b, "a")
	kid := KeyID(&key.PublicKey)
	claims := accessClaims("c8588610-fe04-42fe-ab81-e6d1eb0523a3", "admin")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(key, kid, claims); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	key := testKey(b, "a")
	keys := newKeySet(key)
	raw := mustSign(b, key, accessClaims("c8588610-fe04-42fe-ab81-e6d1eb0523a3", "admin"))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Verify(raw, keys.lookup); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifierHit(b *testing.B) {
	for _, tc := range []struct {
		name   string
		groups []string
	}{{"no groups", nil}, {"groups", []string{"admin", "ops"}}} {
		b.Run(tc.name, func(b *testing.B) {
			key := testKey(b, "a")
			keys := newKeySet(key)
			raw := mustSign(b, key, accessClaims("c8588610-fe04-42fe-ab81-e6d1eb0523a3", tc.groups...))
			v := NewVerifier(1024)
			if _, err := v.VerifyAccess(raw, keys.lookup); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.VerifyAccess(raw, keys.lookup); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifierHitParallel(b *testing.B) {
	key := testKey(b, "a")
	keys := newKeySet(key)
	v := NewVerifier(1024)
	tokens := make([]string, 64)
	for i := range tokens {
		tokens[i] = mustSign(b, key, accessClaims(string(rune('a'+i%26))+string(rune('a'+i/26))))
		if _, err := v.VerifyAccess(tokens[i], keys.lookup); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := v.VerifyAccess(tokens[i%len(tokens)], keys.lookup); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

func BenchmarkSealJWE(b *testing.B) {
	s := newTestSealer(b, 1)
	p := make([]byte, 96)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.OpenJWE(s.SealJWE(p)); err != nil {
			b.Fatal(err)
		}
	}
}
