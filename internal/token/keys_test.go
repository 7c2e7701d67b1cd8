package token

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"math/big"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestGenerateKey(t *testing.T) {
	key, err := GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if got := key.N.BitLen(); got != 2048 {
		t.Errorf("modulus is %d bits, want 2048", got)
	}
	if key.E != 65537 {
		t.Errorf("e = %d, want 65537", key.E)
	}
	if err := key.Validate(); err != nil {
		t.Errorf("generated key does not validate: %v", err)
	}
	der, err := MarshalPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePrivateKey(der)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(key) {
		t.Error("MarshalPrivateKey/ParsePrivateKey round trip changed the key")
	}
	// The key must sign and verify end to end.
	raw := mustSign(t, back, accessClaims("u"))
	if _, _, err := Verify(raw, newKeySet(key).lookup); err != nil {
		t.Errorf("token signed with the round-tripped key does not verify: %v", err)
	}
}

func TestKeyID(t *testing.T) {
	a, b := testKey(t, "a"), testKey(t, "b")
	id := KeyID(&a.PublicKey)
	if len(id) != 44 || !strings.HasSuffix(id, "=") {
		t.Errorf("KeyID = %q, want 44 characters ending in '='", id)
	}
	der, err := x509.MarshalPKIXPublicKey(&a.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	if want := base64.StdEncoding.EncodeToString(sum[:]); id != want {
		t.Errorf("KeyID = %q, want SHA-256 of PKIX DER %q", id, want)
	}
	if KeyID(&a.PublicKey) != id {
		t.Error("KeyID is not deterministic")
	}
	if KeyID(&b.PublicKey) == id {
		t.Error("two keys have the same KeyID")
	}
	if got := KeyID(nil); got != "" {
		t.Errorf("KeyID(nil) = %q, want empty", got)
	}
}

func TestParsePrivateKeyRejects(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallDER, err := x509.MarshalPKCS8PrivateKey(small)
	if err != nil {
		t.Fatal(err)
	}
	good, err := MarshalPrivateKey(testKey(t, "a"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		der  []byte
	}{
		{"empty", nil},
		{"garbage", []byte("not a key")},
		{"truncated", good[:len(good)/2]},
		{"ecdsa key", ecDER},
		{"1024-bit RSA", smallDER},
		{"PKCS#1 instead of PKCS#8", x509.MarshalPKCS1PrivateKey(testKey(t, "a"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if k, err := ParsePrivateKey(tc.der); err == nil {
				t.Errorf("ParsePrivateKey accepted it: %d-bit key", k.N.BitLen())
			}
		})
	}
}

func TestJWKS(t *testing.T) {
	a, b := testKey(t, "a"), testKey(t, "b")
	keys := []PublicKey{
		{Kid: KeyID(&a.PublicKey), Key: &a.PublicKey},
		{Kid: KeyID(&b.PublicKey), Key: &b.PublicKey},
	}
	got, err := JWKS(keys)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("golden", func(t *testing.T) {
		want := golden(t, "jwks.golden.json", got)
		if !bytes.Equal(got, want) {
			t.Errorf("JWKS differs from testdata/jwks.golden.json:\n got %s\nwant %s", got, want)
		}
	})

	t.Run("shape", func(t *testing.T) {
		prefix := `{"keys":[{"alg":"RS256","e":"AQAB","kid":"` + keys[0].Kid + `","kty":"RSA","n":"`
		if !bytes.HasPrefix(got, []byte(prefix)) {
			t.Errorf("JWKS does not start with %s:\n%s", prefix, got)
		}
		var doc struct {
			Keys []map[string]string `json:"keys"`
		}
		if err := json.Unmarshal(got, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Keys) != 2 {
			t.Fatalf("%d keys, want 2", len(doc.Keys))
		}
		for i, k := range doc.Keys {
			if len(k) != 6 || k["alg"] != "RS256" || k["kty"] != "RSA" || k["use"] != "sig" || k["e"] != "AQAB" || k["kid"] != keys[i].Kid {
				t.Errorf("key %d = %v", i, k)
			}
			if strings.ContainsAny(k["n"], "=+/") {
				t.Errorf("key %d: n is not unpadded base64url", i)
			}
			n, err := base64.RawURLEncoding.Strict().DecodeString(k["n"])
			if err != nil {
				t.Fatal(err)
			}
			if new(big.Int).SetBytes(n).Cmp(keys[i].Key.N) != 0 {
				t.Errorf("key %d: n does not decode to the modulus", i)
			}
		}
	})

	t.Run("empty", func(t *testing.T) {
		got, err := JWKS(nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != `{"keys":[]}` {
			t.Errorf("JWKS(nil) = %s", got)
		}
	})

	t.Run("incomplete key", func(t *testing.T) {
		for _, k := range []PublicKey{{Kid: "x"}, {Key: &a.PublicKey}} {
			if _, err := JWKS([]PublicKey{k}); err == nil {
				t.Errorf("JWKS accepted %+v", k)
			}
		}
	})
}

func TestParseJWKS(t *testing.T) {
	a, b := testKey(t, "a"), testKey(t, "b")
	keys := []PublicKey{
		{Kid: KeyID(&a.PublicKey), Key: &a.PublicKey},
		{Kid: KeyID(&b.PublicKey), Key: &b.PublicKey},
	}
	doc, err := JWKS(keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("round trip", func(t *testing.T) {
		got, err := ParseJWKS(doc)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(keys) {
			t.Fatalf("%d keys back, want %d", len(got), len(keys))
		}
		for i := range keys {
			if got[i].Kid != keys[i].Kid || !got[i].Key.Equal(keys[i].Key) {
				t.Errorf("key %d = %+v, want %+v", i, got[i], keys[i])
			}
		}
	})
	t.Run("skips keys that cannot verify RS256", func(t *testing.T) {
		ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		var other []json.RawMessage
		for _, k := range []jose.JSONWebKey{
			{Key: ec.Public(), KeyID: "ec", Algorithm: "ES256", Use: "sig"},
			{Key: &a.PublicKey, KeyID: "enc", Algorithm: "RSA-OAEP", Use: "enc"},
			{Key: &a.PublicKey, KeyID: "ps", Algorithm: "PS256", Use: "sig"},
			{Key: &a.PublicKey, Algorithm: "RS256", Use: "sig"},
			{Key: &b.PublicKey, KeyID: "bare"},
		} {
			j, err := k.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			other = append(other, j)
		}
		mixed, err := json.Marshal(map[string]any{"keys": other})
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseJWKS(mixed)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Kid != "bare" || !got[0].Key.Equal(&b.PublicKey) {
			t.Errorf("ParseJWKS = %+v, want only the bare RSA key", got)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		for _, bad := range []string{``, `[]`, `{"keys":[{"kty":"RSA","n":"AQAB"}]}`, `{"keys":[{"kty":"XX"}]}`} {
			if got, err := ParseJWKS([]byte(bad)); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseJWKS(%s) = %v, %v; want ErrMalformed", bad, got, err)
			}
		}
	})
}
