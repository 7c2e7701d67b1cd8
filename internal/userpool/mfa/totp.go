package mfa

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// TOTP follows RFC 6238 as authenticator apps do: HMAC-SHA1, 30-second
// steps, 6 digits. Cognito accepts the step before and after the current
// one for clock skew.
const (
	totpStep   = 30
	totpDigits = 1_000_000
	totpWindow = 1
)

var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret returns a 32-byte secret in base32 without padding: 52
// characters of A-Z and 2-7, as Cognito's SecretCode.
func newSecret(random io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", err
	}
	return secretEncoding.EncodeToString(b), nil
}

// hotp is RFC 4226's HOTP value of key at counter, as 6 digits.
func hotp(key []byte, counter uint64) string {
	m := hmac.New(sha1.New, key)
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], counter)
	m.Write(c[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%totpDigits)
}

// matchTOTP returns the step of now's window whose code is code, later
// than last (a step already used is not accepted again), or 0.
func matchTOTP(secret, code string, now time.Time, last int64) int64 {
	key, err := secretEncoding.DecodeString(secret)
	if err != nil || len(code) != 6 {
		return 0
	}
	cur := now.Unix() / totpStep
	var found int64
	for step := cur - totpWindow; step <= cur+totpWindow; step++ {
		// Every step is computed, so the time taken tells nothing.
		if subtle.ConstantTimeCompare([]byte(hotp(key, uint64(step))), []byte(code)) == 1 && step > last && found == 0 {
			found = step
		}
	}
	return found
}
