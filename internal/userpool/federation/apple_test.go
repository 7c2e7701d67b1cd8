package federation

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func pkcs8PEM(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// TestAppleClientSecret: the secret is an ES256 JWT with the key ID,
// from the team for the client, to Apple, valid for minutes; keys that
// are not Apple's kind are refused.
func TestAppleClientSecret(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	d := map[string]string{"client_id": "com.example.web", "team_id": "TEAM1", "key_id": "KEY1", "private_key": pkcs8PEM(t, ec)}
	raw, err := appleClientSecret(d, now)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Headers[0].KeyID != "KEY1" {
		t.Errorf("kid %q", tok.Headers[0].KeyID)
	}
	var c jwt.Claims
	if err := tok.Claims(&ec.PublicKey, &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(jwt.Expected{Issuer: "TEAM1", Subject: "com.example.web", AnyAudience: jwt.Audience{"https://appleid.apple.com"}, Time: now}); err != nil {
		t.Error(err)
	}
	if life := c.Expiry.Time().Sub(c.IssuedAt.Time()); life <= 0 || life > time.Hour {
		t.Errorf("valid for %s", life)
	}

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, pk := range map[string]string{"not PEM": "nope", "RSA key": pkcs8PEM(t, rsaKey),
		"not PKCS #8": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")}))} {
		d["private_key"] = pk
		if _, err := appleClientSecret(d, now); err == nil {
			t.Errorf("%s: a secret was made", name)
		}
	}
}

func TestAppleUserClaims(t *testing.T) {
	got := appleUserClaims(`{"name":{"firstName":"Ana","lastName":"Apple"},"email":"forged@example.com"}`)
	if got["firstName"] != "Ana" || got["lastName"] != "Apple" || got["name"] != "Ana Apple" || got["email"] != nil {
		t.Errorf("claims %v: want the name only", got)
	}
	if got := appleUserClaims(`not json`); got != nil {
		t.Errorf("claims of junk %v", got)
	}
}
