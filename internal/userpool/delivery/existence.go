package delivery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// HidesUsers reports whether the client hides which users exist.
func HidesUsers(c *core.Client) bool {
	return model.StringValue(c.Cfg.PreventUserExistenceErrors) == "ENABLED"
}

// Phantom derives stable bytes for an unknown name and purpose.
func (s *Service) Phantom(p *core.Pool, name, purpose string) []byte {
	m := hmac.New(sha256.New, core.DeriveKey(s.codeKey, "unknown users"))
	m.Write([]byte(p.Id + "\x00" + p.FoldKey(name) + "\x00" + purpose))
	return m.Sum(nil)
}

// PhantomDelivery is the CodeDeliveryDetails a real user with this name
// would get: to the name itself when it is an email or phone number.
func (s *Service) PhantomDelivery(p *core.Pool, name string) *model.CodeDeliveryDetailsType {
	attr, dest := "email", name
	switch {
	case core.PhonePattern.MatchString(name):
		attr = "phone_number"
	case !core.EmailPattern.MatchString(name):
		b := s.Phantom(p, name, "destination")
		const letters = "abcdefghijklmnopqrstuvwxyz"
		dest = string(letters[b[0]%26]) + "@" + string(letters[b[1]%26]) + ".com"
		if p.AutoVerified["phone_number"] && !p.AutoVerified["email"] {
			attr, dest = "phone_number", "+1555"+hex.EncodeToString(b[2:5])[:6]
		}
	}
	m := mediumOf(attr)
	return &model.CodeDeliveryDetailsType{AttributeName: model.String(attr), DeliveryMedium: model.String(string(m)),
		Destination: model.String(message.Mask(m, dest))}
}

// CodeMismatch is what a wrong code for an unknown name answers.
func CodeMismatch() error {
	return cognito.New(cognito.CodeMismatch, "Invalid verification code provided, please try again.")
}
