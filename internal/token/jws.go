package token

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// Sentinel errors. Every verification or opening failure wraps exactly one
// of them; callers test with errors.Is and map all of them to their own
// error (for Cognito: NotAuthorizedException "Invalid Access Token").
var (
	// ErrMalformed reports input that is not a token this package could
	// have produced: wrong segment count, non-canonical base64, bad JSON,
	// an alg other than RS256, a crit header, or (for sealed values) data
	// that fails authenticated decryption.
	ErrMalformed = errors.New("token: malformed")
	// ErrUnknownKey reports a well-formed JWS whose kid the KeyLookup does
	// not know.
	ErrUnknownKey = errors.New("token: unknown signing key")
	// ErrBadSignature reports a well-formed JWS with a known kid whose
	// RS256 signature does not verify.
	ErrBadSignature = errors.New("token: bad signature")
)

const (
	algRS256 = "RS256"
	// maxTokenLen bounds the input Verify and the Open functions accept, so
	// hostile input cannot make them decode megabytes. ID tokens of users
	// with many long custom attributes stay well below it.
	maxTokenLen = 256 << 10
)

func malformed(detail string) error { return fmt.Errorf("%w: %s", ErrMalformed, detail) }

// Claim is one payload member. Sign writes claims in slice order, which
// lets the caller reproduce Cognito's claim order.
type Claim struct {
	// Name is the JSON member name, e.g. "sub" or "cognito:groups".
	Name string
	// Value is marshalled with encoding/json (strings, integers, booleans,
	// []string, …).
	Value any
}

// Sign returns the compact JWS (RS256) of claims, signed by key and
// carrying kid. The protected header is exactly {"kid":"<kid>","alg":"RS256"}
// and the payload is a JSON object with the claims in the given order;
// segments are unpadded base64url. Empty or duplicate claim names are
// rejected.
//
// key should come from GenerateKey or ParsePrivateKey, which precompute its
// CRT values; Sign never mutates key, so it is safe for concurrent use with
// one key. (A key built by hand must have Precompute called once before use,
// or every Sign recomputes those values.)
func Sign(key *rsa.PrivateKey, kid string, claims []Claim) (string, error) {
	if key == nil {
		return "", errors.New("token: sign: nil key")
	}
	if kid == "" {
		return "", errors.New("token: sign: empty kid")
	}
	kidJSON, err := json.Marshal(kid)
	if err != nil {
		return "", fmt.Errorf("token: sign: kid: %w", err)
	}
	header := make([]byte, 0, len(kidJSON)+24)
	header = append(header, `{"kid":`...)
	header = append(header, kidJSON...)
	header = append(header, `,"alg":"RS256"}`...)
	payload, err := encodeClaims(claims)
	if err != nil {
		return "", err
	}

	enc := base64.RawURLEncoding
	out := make([]byte, 0, enc.EncodedLen(len(header))+enc.EncodedLen(len(payload))+enc.EncodedLen(key.Size())+2)
	out = enc.AppendEncode(out, header)
	out = append(out, '.')
	out = enc.AppendEncode(out, payload)
	digest := sha256.Sum256(out)
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("token: sign: %w", err)
	}
	out = append(out, '.')
	out = enc.AppendEncode(out, sig)
	return string(out), nil
}

// encodeClaims renders claims as one JSON object in slice order. HTML
// escaping is off: tokens are not embedded in HTML, and Cognito does not
// escape & < > either.
func encodeClaims(claims []Claim) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	seen := make(map[string]struct{}, len(claims))
	b.WriteByte('{')
	for i, c := range claims {
		if c.Name == "" {
			return nil, fmt.Errorf("token: sign: claim %d has no name", i)
		}
		if _, dup := seen[c.Name]; dup {
			return nil, fmt.Errorf("token: sign: duplicate claim %q", c.Name)
		}
		seen[c.Name] = struct{}{}
		if i > 0 {
			b.WriteByte(',')
		}
		// Encoder.Encode appends a newline after each value; drop it.
		if err := enc.Encode(c.Name); err != nil {
			return nil, fmt.Errorf("token: sign: claim %d name: %w", i, err)
		}
		b.Truncate(b.Len() - 1)
		b.WriteByte(':')
		if err := enc.Encode(c.Value); err != nil {
			return nil, fmt.Errorf("token: sign: claim %q: %w", c.Name, err)
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// KeyLookup returns the public key for a kid, and whether it is known. It is
// called on every verification (and on every Verifier cache hit), so it
// must be cheap and safe for concurrent use.
type KeyLookup func(kid string) (*rsa.PublicKey, bool)

// Verify checks the compact JWS raw and returns its decoded payload and the
// kid it was verified with. It accepts exactly three segments of canonical
// unpadded base64url, a protected header that is a JSON object with no
// duplicate members, "alg" exactly "RS256", a non-empty string "kid" known to
// keys, no "crit" (nor "b64"), and a valid RSASSA-PKCS1-v1_5 SHA-256
// signature; other header members are ignored. Failures wrap ErrMalformed,
// ErrUnknownKey or ErrBadSignature.
//
// Parsing, the algorithm allow-list and the signature check are go-jose's
// (ParseSignedCompact restricted to RS256, then Verify with the looked-up
// key); Verify adds only what go-jose leaves lenient: the length bound,
// canonical base64 (go-jose skips line breaks and ignores non-zero trailing
// bits, which would let one token have several spellings) and the ban on
// crit.
//
// Verify checks no claim: not exp, iss, token_use or anything else, and the
// payload is not even parsed (see ParseAccessClaims and ParseClaims).
func Verify(raw string, keys KeyLookup) (payload []byte, kid string, err error) {
	payload, kid, _, err = verify(raw, keys)
	return payload, kid, err
}

// verify is Verify that also returns the public key the signature was
// checked with, for the Verifier cache.
func verify(raw string, keys KeyLookup) (payload []byte, kid string, pub *rsa.PublicKey, err error) {
	if len(raw) > maxTokenLen {
		return nil, "", nil, malformed("token too long")
	}
	h, rest, ok1 := strings.Cut(raw, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.IndexByte(s, '.') >= 0 {
		return nil, "", nil, malformed("want 3 segments")
	}
	if !canonicalSegment(h) || !canonicalSegment(p) || !canonicalSegment(s) {
		return nil, "", nil, malformed("bad base64")
	}
	// RS256 is the only algorithm go-jose may accept: every other alg (none,
	// HS256 keyed with the public key, PS256, …) fails parsing.
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		// go-jose's texts name the failing part, never key or signature bytes.
		return nil, "", nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	header := jws.Signatures[0].Protected
	if _, crit := header.ExtraHeaders["crit"]; crit {
		return nil, "", nil, malformed("crit header not supported")
	}
	if _, b64 := header.ExtraHeaders["b64"]; b64 {
		return nil, "", nil, malformed("b64 header not supported")
	}
	if kid = header.KeyID; kid == "" {
		return nil, "", nil, malformed("missing kid")
	}
	if keys == nil {
		return nil, "", nil, ErrUnknownKey
	}
	pub, ok := keys(kid)
	if !ok || pub == nil || pub.N == nil {
		return nil, "", nil, ErrUnknownKey
	}
	if payload, err = jws.Verify(pub); err != nil {
		return nil, "", nil, ErrBadSignature
	}
	return payload, kid, pub, nil
}

// canonicalSegment reports whether s is canonical unpadded base64url as far
// as go-jose does not check it: no line breaks (encoding/base64 skips them)
// and zero unused bits in the last character. Characters outside the
// alphabet, padding and impossible lengths are left to go-jose's decoder.
func canonicalSegment(s string) bool {
	if strings.ContainsAny(s, "\r\n") {
		return false
	}
	var unused byte
	switch len(s) % 4 {
	case 2:
		unused = 0x0f
	case 3:
		unused = 0x03
	default:
		return true
	}
	c := s[len(s)-1]
	var v byte
	switch {
	case c >= 'A' && c <= 'Z':
		v = c - 'A'
	case c >= 'a' && c <= 'z':
		v = c - 'a' + 26
	case c >= '0' && c <= '9':
		v = c - '0' + 52
	case c == '-':
		v = 62
	case c == '_':
		v = 63
	default:
		return true // not base64url at all: go-jose rejects it
	}
	return v&unused == 0
}

// decodeSegment decodes s with enc in strict mode. encoding/base64 silently
// skips '\r' and '\n', so those are rejected first; padding in a
// no-padding encoding and non-zero trailing bits are rejected by the decoder.
func decodeSegment(enc *base64.Encoding, s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, malformed("line break in base64")
	}
	b, err := enc.Strict().DecodeString(s)
	if err != nil {
		return nil, malformed("bad base64")
	}
	return b, nil
}
