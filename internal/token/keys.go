package token

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// KeyBits is the size of the RSA keys GenerateKey makes, as Cognito uses.
const KeyBits = 2048

// GenerateKey returns a new RSA-2048 signing key with e = 65537, with its
// CRT values precomputed so Sign pays no per-call setup.
//
// random is passed to rsa.GenerateKey; since Go 1.26 the standard library
// ignores it and always uses a secure source (tests that need determinism
// use testing/cryptotest.SetGlobalRandom or fixed keys from ParsePrivateKey).
func GenerateKey(random io.Reader) (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(random, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("token: generate RSA key: %w", err)
	}
	key.Precompute()
	return key, nil
}

// KeyID returns the key ID Cognate publishes for pub: the standard base64
// (with padding, 44 characters) of SHA-256 over the PKIX DER encoding of the
// public key, the shape Cognito's kids have. It returns "" only when pub
// cannot be encoded (nil or malformed), which Sign then rejects.
func KeyID(pub *rsa.PublicKey) string {
	if pub == nil || pub.N == nil {
		return ""
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// MarshalPrivateKey encodes key as PKCS#8 DER, the form keys are stored in.
// The result is secret.
func MarshalPrivateKey(key *rsa.PrivateKey) ([]byte, error) {
	if key == nil {
		return nil, errors.New("token: marshal private key: nil key")
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("token: marshal private key: %w", err)
	}
	return der, nil
}

// ParsePrivateKey decodes a PKCS#8 DER RSA private key of at least 2048
// bits, validated and with its CRT values precomputed. Keys used with Sign
// should come from here or from GenerateKey.
func ParsePrivateKey(der []byte) (*rsa.PrivateKey, error) {
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		// The x509 error text describes ASN.1 structure only, no key bytes.
		return nil, fmt.Errorf("token: parse private key: %w", err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("token: parse private key: %T is not an RSA key", parsed)
	}
	if key.N.BitLen() < KeyBits {
		return nil, fmt.Errorf("token: parse private key: %d-bit RSA key, want at least %d", key.N.BitLen(), KeyBits)
	}
	key.Precompute()
	return key, nil
}

// PublicKey is one entry of a JWKS document: a verification key and the kid
// tokens signed with its private half carry.
type PublicKey struct {
	// Kid is the key ID, normally KeyID(Key).
	Kid string
	// Key is the RSA public key.
	Key *rsa.PublicKey
}

// jwk is one RSA key in JWKS form; the field order is the one Cognito emits.
type jwk struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

// JWKS renders keys, in the given order, as the JSON Web Key Set served at
// /<userPoolId>/.well-known/jwks.json:
//
//	{"keys":[{"alg":"RS256","e":"AQAB","kid":"…","kty":"RSA","n":"…","use":"sig"}]}
//
// n and e are unpadded base64url big-endian integers. No keys gives
// {"keys":[]}.
func JWKS(keys []PublicKey) ([]byte, error) {
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(keys))}
	for i, k := range keys {
		if k.Key == nil || k.Key.N == nil || k.Key.E <= 0 || k.Kid == "" {
			return nil, fmt.Errorf("token: JWKS: key %d is incomplete", i)
		}
		set.Keys = append(set.Keys, jwk{
			Alg: algRS256,
			E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.Key.E)).Bytes()),
			Kid: k.Kid,
			Kty: "RSA",
			N:   base64.RawURLEncoding.EncodeToString(k.Key.N.Bytes()),
			Use: "sig",
		})
	}
	out, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("token: JWKS: %w", err)
	}
	return out, nil
}
