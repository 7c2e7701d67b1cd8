package core

import (
	"encoding/json"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
)

// Passkey is a WebAuthn credential a user registered: the verified
// credential record (public key, sign count, flags) as the WebAuthn
// library keeps it, and what ListWebAuthnCredentials shows.
type Passkey struct {
	ID         string          `json:"id"` // base64url credential ID
	Record     json.RawMessage `json:"rec"`
	Name       string          `json:"name,omitempty"`
	RPID       string          `json:"rp"`
	Attachment string          `json:"attach,omitempty"`
	Transports []string        `json:"transports,omitempty"`
	Created    time.Time       `json:"created"`
}

// MaxPasskeys bounds the passkeys of one user.
// Unconfirmed: Cognito's quota was not found; 20 is a plausible bound.
const MaxPasskeys = 20

// Passkeys returns u's registered passkeys.
func (u *User) Passkeys() []Passkey {
	if u.Doc.Extra == nil {
		return nil
	}
	return u.Doc.Extra.Passkeys
}

// WebAuthnRP is the pool's passkey relying party ID and user verification
// requirement; rpID is "" when the pool configured none.
func (p *Pool) WebAuthnRP() (rpID, userVerification string) {
	userVerification = "preferred"
	if p.MFA != nil && p.MFA.WebAuthn != nil {
		rpID = model.StringValue(p.MFA.WebAuthn.RelyingPartyId)
		if v := model.StringValue(p.MFA.WebAuthn.UserVerification); v != "" {
			userVerification = v
		}
	}
	return rpID, userVerification
}

// Identity is a federated identity linked to a user: the provider and the
// provider's value of the linked attribute (its subject, normally).
type Identity struct {
	Provider  string    `json:"provider"`
	Attribute string    `json:"attr"`
	Value     string    `json:"value"`
	Created   time.Time `json:"created"`
}
