package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"

	"github.com/google/uuid"
)

// AccountID is the AWS account every pool belongs to: Cognate has one.
const AccountID = "000000000000"

const (
	Alnum       = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	LowerDigits = "0123456789abcdefghijklmnopqrstuvwxyz"
)

// RandomString draws n characters of alphabet from r without modulo bias.
func RandomString(r io.Reader, alphabet string, n int) (string, error) {
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

// NewPoolID returns "<region>_<9 alphanumerics>".
func (s *Env) NewPoolID() (string, error) {
	tail, err := RandomString(s.Random, Alnum, 9)
	return s.Region + "_" + tail, err
}

// NewClientID returns 26 lower-case alphanumerics.
func (s *Env) NewClientID() (string, error) {
	return RandomString(s.Random, LowerDigits, 26)
}

// NewClientSecret returns 51 lower-case alphanumerics.
func (s *Env) NewClientSecret() (string, error) {
	return RandomString(s.Random, LowerDigits, 51)
}

// NewUUID returns a random UUID string (sub, jti, event IDs).
func (s *Env) NewUUID() (string, error) {
	u, err := uuid.NewRandomFromReader(s.Random)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// RandomToken returns n random bytes, base64url-encoded.
func (s *Env) RandomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.Random, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// DeriveKey derives a purpose-bound key from the server secret.
func DeriveKey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("cognate/" + purpose))
	return m.Sum(nil)
}

type pinnedIDKey struct{}

// WithPinnedID returns a context in which the next pool or app client
// created takes id instead of a random one: seed files use it so that CI
// fixtures keep their IDs from run to run.
func WithPinnedID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, pinnedIDKey{}, id)
}

// PoolIDFor returns the pinned ID of ctx, else a new random pool ID.
func (s *Env) PoolIDFor(ctx context.Context) (string, error) {
	if id, ok := ctx.Value(pinnedIDKey{}).(string); ok && id != "" {
		return id, nil
	}
	return s.NewPoolID()
}

// ClientIDFor returns the pinned ID of ctx, else a new random client ID.
func (s *Env) ClientIDFor(ctx context.Context) (string, error) {
	if id, ok := ctx.Value(pinnedIDKey{}).(string); ok && id != "" {
		return id, nil
	}
	return s.NewClientID()
}
