package userpool

import (
	"encoding/base64"
	"io"

	"github.com/google/uuid"
)

const (
	alnum       = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	lowerDigits = "0123456789abcdefghijklmnopqrstuvwxyz"
)

// randomString draws n characters of alphabet from r without modulo bias.
func randomString(r io.Reader, alphabet string, n int) (string, error) {
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

// newPoolID returns "<region>_<9 alphanumerics>".
func (s *Service) newPoolID() (string, error) {
	tail, err := randomString(s.random, alnum, 9)
	return s.region + "_" + tail, err
}

// newClientID returns 26 lower-case alphanumerics.
func (s *Service) newClientID() (string, error) {
	return randomString(s.random, lowerDigits, 26)
}

// newClientSecret returns 51 lower-case alphanumerics.
func (s *Service) newClientSecret() (string, error) {
	return randomString(s.random, lowerDigits, 51)
}

// newUUID returns a random UUID string (sub, jti, event IDs).
func (s *Service) newUUID() (string, error) {
	u, err := uuid.NewRandomFromReader(s.random)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// randomToken returns n random bytes, base64url-encoded.
func (s *Service) randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.random, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
