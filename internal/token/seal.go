package token

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

const (
	// SealKeySize is the length of the key NewSealer takes (AES-256).
	SealKeySize = 32

	// jweHeader is base64url({"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}),
	// the protected header of Cognito refresh tokens; it is also the GCM
	// additional data, as in JWE.
	jweHeader = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ"
	// jweKeyLen is the size of the "encrypted key" segment: an RSA-OAEP
	// output under a 2048-bit key, as in Cognito's refresh tokens.
	jweKeyLen = 256

	nonceLen = 12
	tagLen   = 16
)

// Sealer encrypts and authenticates opaque values only Cognate can read:
// auth Session strings and SRP SECRET_BLOCKs (Seal/Open) and refresh tokens
// (SealJWE/OpenJWE). It uses AES-256-GCM with random 96-bit nonces, under
// two subkeys derived from the master key with HKDF-SHA256, so a value
// sealed in one form never opens in the other. A Sealer is safe for
// concurrent use.
//
// With random nonces one key may seal about 2^32 values; rotate keys long
// before that.
type Sealer struct {
	plain  cipher.AEAD // Seal / Open
	jwe    cipher.AEAD // SealJWE / OpenJWE
	jweEK  []byte      // HKDF key that derives the "encrypted key" segment
	mu     sync.Mutex  // serialises reads from random
	random io.Reader   // nil: crypto/rand
}

// SealerOption configures NewSealer.
type SealerOption func(*Sealer)

// WithRandom makes the Sealer draw nonces and JWE filler from r instead of
// crypto/rand (for deterministic tests). Reads are serialised, so r need
// not be safe for concurrent use. r must never repeat output for one key.
func WithRandom(r io.Reader) SealerOption {
	return func(s *Sealer) { s.random = r }
}

// NewSealer returns a Sealer for a 32-byte secret key.
func NewSealer(key []byte, opts ...SealerOption) (*Sealer, error) {
	if len(key) != SealKeySize {
		return nil, fmt.Errorf("token: sealer key is %d bytes, want %d", len(key), SealKeySize)
	}
	s := &Sealer{}
	var err error
	if s.plain, err = newGCM(key, "cognate/token/seal/v1"); err != nil {
		return nil, err
	}
	if s.jwe, err = newGCM(key, "cognate/token/jwe-cek/v1"); err != nil {
		return nil, err
	}
	if s.jweEK, err = hkdf.Key(sha256.New, key, nil, "cognate/token/jwe-ek/v1", sha256.Size); err != nil {
		return nil, fmt.Errorf("token: sealer: %w", err)
	}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

func newGCM(master []byte, info string) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, master, nil, info, 32)
	if err != nil {
		return nil, fmt.Errorf("token: sealer: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("token: sealer: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("token: sealer: %w", err)
	}
	return aead, nil
}

// nonce fills b with random bytes. A failing source panics: continuing
// could repeat a GCM nonce, and crypto/rand itself never fails.
func (s *Sealer) nonce(b []byte) {
	if s.random == nil {
		_, _ = rand.Read(b)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.ReadFull(s.random, b); err != nil {
		panic("token: sealer random source failed: " + err.Error())
	}
}

// Seal encrypts plaintext bound to aad (which is authenticated, not
// stored: Open needs the same aad, e.g. pool and client ID) and returns
// standard padded base64 of nonce || ciphertext || tag: 28 bytes of
// overhead, so a Session (at most 2048 characters) holds up to 1508 bytes.
func (s *Sealer) Seal(plaintext, aad []byte) string {
	buf := make([]byte, nonceLen, nonceLen+len(plaintext)+tagLen)
	s.nonce(buf)
	buf = s.plain.Seal(buf, buf[:nonceLen], plaintext, aad)
	return base64.StdEncoding.EncodeToString(buf)
}

// Open reverses Seal. Anything that is not canonical base64, too short,
// altered, sealed under another key or with another aad fails with
// ErrMalformed.
func (s *Sealer) Open(sealed string, aad []byte) ([]byte, error) {
	if len(sealed) > maxTokenLen {
		return nil, malformed("sealed value too long")
	}
	raw, err := decodeSegment(base64.StdEncoding, sealed)
	if err != nil {
		return nil, err
	}
	if len(raw) < nonceLen+tagLen {
		return nil, malformed("sealed value too short")
	}
	out, err := s.plain.Open(nil, raw[:nonceLen], raw[nonceLen:], aad)
	if err != nil {
		return nil, malformed("sealed value does not authenticate")
	}
	return out, nil
}

// SealJWE encrypts plaintext into a string shaped like Cognito's refresh
// token: five base64url segments, protected header
// {"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"} (the GCM additional data),
// a 256-byte "encrypted key", a 12-byte iv, the ciphertext and the 16-byte
// tag. No RSA is involved: the "encrypted key" is filler derived from the
// iv with HKDF under a subkey, so it looks random, differs per token and is
// checked by OpenJWE; every segment is thus covered and each plaintext
// seals to one string per iv.
func (s *Sealer) SealJWE(plaintext []byte) string {
	var iv [nonceLen]byte
	s.nonce(iv[:])
	ek := s.jweFiller(iv[:])
	ct := s.jwe.Seal(make([]byte, 0, len(plaintext)+tagLen), iv[:], plaintext, []byte(jweHeader))
	body, tag := ct[:len(plaintext)], ct[len(plaintext):]

	enc := base64.RawURLEncoding
	out := make([]byte, 0, len(jweHeader)+enc.EncodedLen(jweKeyLen)+enc.EncodedLen(nonceLen)+enc.EncodedLen(len(body))+enc.EncodedLen(tagLen)+4)
	out = append(out, jweHeader...)
	for _, seg := range [][]byte{ek, iv[:], body, tag} {
		out = append(out, '.')
		out = enc.AppendEncode(out, seg)
	}
	return string(out)
}

// OpenJWE reverses SealJWE. Any other header, segment count or size, any
// altered segment, or a token sealed under another key fails with
// ErrMalformed.
func (s *Sealer) OpenJWE(token string) ([]byte, error) {
	if len(token) > maxTokenLen {
		return nil, malformed("token too long")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 5 {
		return nil, malformed("want 5 segments")
	}
	if parts[0] != jweHeader {
		return nil, malformed("unexpected JWE header")
	}
	var seg [4][]byte
	for i, p := range parts[1:] {
		b, err := decodeSegment(base64.RawURLEncoding, p)
		if err != nil {
			return nil, err
		}
		seg[i] = b
	}
	ek, iv, body, tag := seg[0], seg[1], seg[2], seg[3]
	if len(ek) != jweKeyLen || len(iv) != nonceLen || len(tag) != tagLen {
		return nil, malformed("bad JWE segment size")
	}
	if subtle.ConstantTimeCompare(ek, s.jweFiller(iv)) != 1 {
		return nil, malformed("JWE does not authenticate")
	}
	out, err := s.jwe.Open(nil, iv, append(body, tag...), []byte(jweHeader))
	if err != nil {
		return nil, malformed("JWE does not authenticate")
	}
	return out, nil
}

// jweFiller derives the "encrypted key" segment for iv.
func (s *Sealer) jweFiller(iv []byte) []byte {
	ek, err := hkdf.Expand(sha256.New, s.jweEK, string(iv), jweKeyLen)
	if err != nil {
		// Only possible for lengths beyond 255*32 bytes or FIPS-only mode
		// with a short key; neither applies to these constants.
		panic(errors.Join(errors.New("token: jwe filler"), err))
	}
	return ek
}
