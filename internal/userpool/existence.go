package userpool

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/google/uuid"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/srp"
)

// With PreventUserExistenceErrors=ENABLED an unknown name must not be told
// apart from a real user by any answer. The stand-ins below are derived
// from the name with a server key, so the same unknown name always gets the
// same answers, as a real user would.

// hidesUsers reports whether the client hides which users exist.
func hidesUsers(c *client) bool {
	return model.StringValue(c.cfg.PreventUserExistenceErrors) == "ENABLED"
}

// phantom derives stable bytes for an unknown name and purpose.
func (s *Service) phantom(p *pool, name, purpose string) []byte {
	m := hmac.New(sha256.New, deriveKey(s.codeKey, "unknown users"))
	m.Write([]byte(p.id + "\x00" + p.foldKey(name) + "\x00" + purpose))
	return m.Sum(nil)
}

// phantomUser is a stand-in user for an SRP challenge: a verifier nobody
// knows the password of, and the internal name a real user would show.
func (s *Service) phantomUser(p *pool, name string) (*user, []byte, error) {
	seed := s.phantom(p, name, "srp")
	internal := name
	if len(p.usernameAttrs) > 0 {
		id, err := uuid.NewRandomFromReader(bytes.NewReader(s.phantom(p, name, "sub")))
		if err != nil {
			return nil, nil, err
		}
		internal = id.String()
	}
	salt, v, err := srp.NewVerifier(bytes.NewReader(seed), p.id, internal, hex.EncodeToString(s.phantom(p, name, "password")))
	if err != nil {
		return nil, nil, err
	}
	u := &user{doc: &userDoc{SRPSalt: salt}}
	u.rec.Username = internal
	return u, v, nil
}

// phantomDelivery is the CodeDeliveryDetails a real user with this name
// would get: to the name itself when it is an email or phone number.
func (s *Service) phantomDelivery(p *pool, name string) *model.CodeDeliveryDetailsType {
	attr, dest := "email", name
	switch {
	case phonePattern.MatchString(name):
		attr = "phone_number"
	case !emailPattern.MatchString(name):
		b := s.phantom(p, name, "destination")
		const letters = "abcdefghijklmnopqrstuvwxyz"
		dest = string(letters[b[0]%26]) + "@" + string(letters[b[1]%26]) + ".com"
		if p.autoVerified["phone_number"] && !p.autoVerified["email"] {
			attr, dest = "phone_number", "+1555"+hex.EncodeToString(b[2:5])[:6]
		}
	}
	m := mediumOf(attr)
	return &model.CodeDeliveryDetailsType{AttributeName: model.String(attr), DeliveryMedium: model.String(string(m)),
		Destination: model.String(message.Mask(m, dest))}
}

// codeMismatch is what a wrong code for an unknown name answers.
func codeMismatch() error {
	return cognito.New(cognito.CodeMismatch, "Invalid verification code provided, please try again.")
}
