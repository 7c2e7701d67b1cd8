package passkeys

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/tokens"
)

// Service implements the passkey operations.
type Service struct {
	*core.Env
	tokens *tokens.Service
}

// New returns a Service.
func New(env *core.Env, tok *tokens.Service) *Service { return &Service{Env: env, tokens: tok} }

// holder is a user as the WebAuthn library sees them: the sub is the user
// handle, so that a passkey names its user without revealing the username.
type holder struct {
	u     *core.User
	creds []webauthn.Credential
}

func newHolder(u *core.User) (*holder, error) {
	h := &holder{u: u}
	for _, pk := range u.Passkeys() {
		var c webauthn.Credential
		if err := json.Unmarshal(pk.Record, &c); err != nil {
			return nil, err
		}
		h.creds = append(h.creds, c)
	}
	return h, nil
}

func (h *holder) WebAuthnID() []byte                         { return []byte(h.u.Rec.Sub) }
func (h *holder) WebAuthnName() string                       { return h.u.Rec.Username }
func (h *holder) WebAuthnDisplayName() string                { return h.u.Rec.Username }
func (h *holder) WebAuthnCredentials() []webauthn.Credential { return h.creds }

// relyingParty checks that the pool offers passkeys and returns its
// relying party ID and user verification requirement.
func relyingParty(p *core.Pool) (string, protocol.UserVerificationRequirement, error) {
	if !slices.Contains(p.AllowedFirstFactors(), "WEB_AUTHN") {
		// Unconfirmed: Cognito's message.
		return "", "", cognito.New(cognito.WebAuthnNotEnabled, "Passkeys are not enabled for this user pool: its SignInPolicy does not allow WEB_AUTHN.")
	}
	rpID, uv := p.WebAuthnRP()
	if rpID == "" {
		// Unconfirmed: Cognito falls back to the pool's domain; Cognate asks
		// for the relying party explicitly.
		return "", "", cognito.New(cognito.WebAuthnConfigurationMissing,
			"The user pool has no WebAuthn relying party ID; set WebAuthnConfiguration.RelyingPartyId with SetUserPoolMfaConfig.")
	}
	return rpID, protocol.UserVerificationRequirement(uv), nil
}

// relying builds the library's relying party for rpID, accepting origin
// (the one the client reported, checked by checkOrigin) or, to begin a
// ceremony, https://<rpID>.
func relying(rpID, origin string) (*webauthn.WebAuthn, error) {
	if origin == "" {
		origin = "https://" + rpID
	}
	return webauthn.New(&webauthn.Config{RPID: rpID, RPDisplayName: rpID, RPOrigins: []string{origin}})
}

// checkOrigin accepts the relying party's own host and its subdomains,
// over https, or over http on localhost.
func checkOrigin(rpID, origin string) error {
	u, err := url.Parse(origin)
	if err == nil {
		host := u.Hostname()
		sameSite := host == rpID || strings.HasSuffix(host, "."+rpID)
		secure := u.Scheme == "https" || (u.Scheme == "http" && (host == "localhost" || strings.HasSuffix(host, ".localhost")))
		if sameSite && secure {
			return nil
		}
	}
	// Unconfirmed: Cognito's message.
	return cognito.Errorf(cognito.WebAuthnOriginNotAllowed, "The origin %s is not allowed for relying party %s.", origin, rpID)
}

func credentialID(raw []byte) string { return base64.RawURLEncoding.EncodeToString(raw) }
