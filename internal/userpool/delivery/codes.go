package delivery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Code purposes besides attribute names.
const (
	PurposeSignUp = "signup"
	PurposeForgot = "forgot"
)

// NewCode returns a uniformly random 6-digit code.
func (s *Service) NewCode() (string, error) {
	var b [8]byte
	for {
		if _, err := io.ReadFull(s.Random, b[:]); err != nil {
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

// StoreCode replaces the user's live code for purpose.
func (s *Service) StoreCode(p *core.Pool, u *core.User, purpose, code, sentTo string) {
	if u.Doc.Codes == nil {
		u.Doc.Codes = map[string]*core.CodeDoc{}
	}
	u.Doc.Codes[purpose] = &core.CodeDoc{
		MAC:     s.codeMAC(p.Id, u.Rec.Key, purpose, code),
		Expires: s.Now().Add(s.codeTTL).UTC(),
		Value:   sentTo,
	}
}

// CheckCode compares a code with the live one for purpose. It mutates the
// user's try counter and consumes the code on success, so the caller must
// persist the user whatever the result.
func (s *Service) CheckCode(p *core.Pool, u *core.User, purpose, code string) (*core.CodeDoc, error) {
	c := u.Doc.Codes[purpose]
	if c == nil || !s.Now().Before(c.Expires) {
		return nil, cognito.New(cognito.ExpiredCode, "Invalid code provided, please request a code again.")
	}
	if c.Tries >= s.maxTries {
		return nil, cognito.New(cognito.LimitExceeded, "Attempt limit exceeded, please try after some time.")
	}
	if !hmac.Equal(c.MAC, s.codeMAC(p.Id, u.Rec.Key, purpose, code)) {
		c.Tries++
		return nil, cognito.New(cognito.CodeMismatch, "Invalid verification code provided, please try again.")
	}
	delete(u.Doc.Codes, purpose)
	return c, nil
}

// NoteSend records a message send for purpose and enforces the per-hour
// limit.
func (s *Service) NoteSend(u *core.User, purpose string) error {
	now := s.Now()
	if u.Doc.Sends == nil {
		u.Doc.Sends = map[string][]time.Time{}
	}
	recent := u.Doc.Sends[purpose][:0]
	for _, t := range u.Doc.Sends[purpose] {
		if now.Sub(t) < time.Hour {
			recent = append(recent, t)
		}
	}
	if len(recent) >= s.sendsPerHr {
		u.Doc.Sends[purpose] = recent
		return cognito.New(cognito.LimitExceeded, "Attempt limit exceeded, please try after some time.")
	}
	u.Doc.Sends[purpose] = append(recent, now.UTC())
	return nil
}
