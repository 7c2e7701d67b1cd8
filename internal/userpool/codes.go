package userpool

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
)

// Code purposes besides attribute names.
const (
	purposeSignUp = "signup"
	purposeForgot = "forgot"
)

// newCode returns a uniformly random 6-digit code.
func (s *Service) newCode() (string, error) {
	var b [8]byte
	for {
		if _, err := io.ReadFull(s.random, b[:]); err != nil {
			return "", err
		}
		v := binary.BigEndian.Uint64(b[:])
		// Reject the top sliver so the modulo is unbiased.
		if v < (1<<64-1)/1_000_000*1_000_000 {
			return fmt.Sprintf("%06d", v%1_000_000), nil
		}
	}
}

// codeMAC binds a code to its pool, user and purpose.
func (s *Service) codeMAC(poolID, userKey, purpose, code string) []byte {
	m := hmac.New(sha256.New, s.codeKey)
	fmt.Fprintf(m, "%s\x00%s\x00%s\x00%s", poolID, userKey, purpose, code)
	return m.Sum(nil)
}

// storeCode replaces the user's live code for purpose.
func (s *Service) storeCode(p *pool, u *user, purpose, code, sentTo string) {
	if u.doc.Codes == nil {
		u.doc.Codes = map[string]*codeDoc{}
	}
	u.doc.Codes[purpose] = &codeDoc{
		MAC:     s.codeMAC(p.id, u.rec.Key, purpose, code),
		Expires: s.now().Add(s.codeTTL).UTC(),
		Value:   sentTo,
	}
}

// checkCode compares a code with the live one for purpose. It mutates the
// user's try counter and consumes the code on success, so the caller must
// persist the user whatever the result.
func (s *Service) checkCode(p *pool, u *user, purpose, code string) (*codeDoc, error) {
	c := u.doc.Codes[purpose]
	if c == nil || !s.now().Before(c.Expires) {
		return nil, cognito.New(cognito.ExpiredCode, "Invalid code provided, please request a code again.")
	}
	if c.Tries >= s.maxTries {
		return nil, cognito.New(cognito.LimitExceeded, "Attempt limit exceeded, please try after some time.")
	}
	if !hmac.Equal(c.MAC, s.codeMAC(p.id, u.rec.Key, purpose, code)) {
		c.Tries++
		return nil, cognito.New(cognito.CodeMismatch, "Invalid verification code provided, please try again.")
	}
	delete(u.doc.Codes, purpose)
	return c, nil
}

// noteSend records a message send for purpose and enforces the per-hour
// limit.
func (s *Service) noteSend(u *user, purpose string) error {
	now := s.now()
	if u.doc.Sends == nil {
		u.doc.Sends = map[string][]time.Time{}
	}
	recent := u.doc.Sends[purpose][:0]
	for _, t := range u.doc.Sends[purpose] {
		if now.Sub(t) < time.Hour {
			recent = append(recent, t)
		}
	}
	if len(recent) >= s.sendsPerHr {
		u.doc.Sends[purpose] = recent
		return cognito.New(cognito.LimitExceeded, "Attempt limit exceeded, please try after some time.")
	}
	u.doc.Sends[purpose] = append(recent, now.UTC())
	return nil
}
