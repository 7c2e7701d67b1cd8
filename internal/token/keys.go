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

	jose "github.com/go-jose/go-jose/v4"
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

// JWKS renders keys, in the given order, as the JSON Web Key Set served at
// /<userPoolId>/.well-known/jwks.json:
//
//	{"keys":[{"alg":"RS256","e":"AQAB","kid":"…","kty":"RSA","n":"…","use":"sig"}]}
//
// n and e are unpadded base64url big-endian integers. No keys gives
// {"keys":[]}.
//
// Each key is encoded by go-jose (JSONWebKey); its members are then written
// in name order, which is the order Cognito emits (go-jose's own order is
// its struct's, use/kty/kid/alg/n/e).
func JWKS(keys []PublicKey) ([]byte, error) {
	set := struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}{Keys: make([]map[string]json.RawMessage, 0, len(keys))}
	for i, k := range keys {
		if k.Key == nil || k.Key.N == nil || k.Key.E <= 0 || k.Kid == "" {
			return nil, fmt.Errorf("token: JWKS: key %d is incomplete", i)
		}
		b, err := jose.JSONWebKey{Key: k.Key, KeyID: k.Kid, Algorithm: algRS256, Use: "sig"}.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("token: JWKS: key %d: %w", i, err)
		}
		var members map[string]json.RawMessage // encoding/json writes maps in key order
		if err := json.Unmarshal(b, &members); err != nil {
			return nil, fmt.Errorf("token: JWKS: key %d: %w", i, err)
		}
		set.Keys = append(set.Keys, members)
	}
	out, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("token: JWKS: %w", err)
	}
	return out, nil
}

// ParseJWKS reads a JSON Web Key Set with go-jose and returns its RSA
// signature keys (use "sig" or absent, alg "RS256" or absent), in document
// order; other keys are skipped. It is the inverse of JWKS, for checking
// what a pool publishes.
func ParseJWKS(doc []byte) ([]PublicKey, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, fmt.Errorf("%w: JWKS: %v", ErrMalformed, err)
	}
	var out []PublicKey
	for _, k := range set.Keys {
		pub, ok := k.Key.(*rsa.PublicKey)
		if !ok || k.KeyID == "" || (k.Use != "" && k.Use != "sig") || (k.Algorithm != "" && k.Algorithm != algRS256) {
			continue
		}
		out = append(out, PublicKey{Kid: k.KeyID, Key: pub})
	}
	return out, nil
}
