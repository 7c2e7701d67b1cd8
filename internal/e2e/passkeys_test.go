package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/fxamacker/cbor/v2"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// authenticator is a software passkey: a P-256 key that makes real
// attestation ("none" format) and assertion objects, as a platform
// authenticator does.
type authenticator struct {
	t      *testing.T
	key    *ecdsa.PrivateKey
	id     []byte
	origin string
	rpID   string
	count  uint32
}

func newAuthenticator(t *testing.T, rpID, origin string) *authenticator {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return &authenticator{t: t, key: key, id: id, origin: origin, rpID: rpID}
}

var b64 = base64.RawURLEncoding

func (a *authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.origin, "crossOrigin": false})
	return b
}

// authData is rpIdHash, flags (user present and verified, plus attested
// data when registering), the sign count and the attested credential.
func (a *authenticator) authData(register bool) []byte {
	rp := sha256.Sum256([]byte(a.rpID))
	out := append([]byte{}, rp[:]...)
	flags := byte(0x05)
	if register {
		flags |= 0x40
	}
	a.count++
	out = append(out, flags)
	out = binary.BigEndian.AppendUint32(out, a.count)
	if register {
		out = append(out, make([]byte, 16)...) // AAGUID
		out = binary.BigEndian.AppendUint16(out, uint16(len(a.id)))
		out = append(out, a.id...)
		x, y := make([]byte, 32), make([]byte, 32)
		a.key.X.FillBytes(x)
		a.key.Y.FillBytes(y)
		cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
		if err != nil {
			a.t.Fatal(err)
		}
		out = append(out, cose...)
	}
	return out
}

// register answers the creation options with a RegistrationResponseJSON.
func (a *authenticator) register(options []byte) string {
	var opts struct{ Challenge string }
	if err := json.Unmarshal(options, &opts); err != nil || opts.Challenge == "" {
		a.t.Fatalf("creation options %s: %v", options, err)
	}
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(true)})
	if err != nil {
		a.t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(a.clientData("webauthn.create", opts.Challenge)),
			"attestationObject": b64.EncodeToString(att), "transports": []string{"internal"}}})
	return string(b)
}

// assert answers the request options with an AuthenticationResponseJSON.
func (a *authenticator) assert(options, userHandle string) string {
	var opts struct{ Challenge string }
	if err := json.Unmarshal([]byte(options), &opts); err != nil || opts.Challenge == "" {
		a.t.Fatalf("request options %s: %v", options, err)
	}
	cd := a.clientData("webauthn.get", opts.Challenge)
	ad := a.authData(false)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		a.t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(ad),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString([]byte(userHandle))}})
	return string(b)
}

func passkeyEnv(t *testing.T) *env {
	e := newEnv(t, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
		AllowedFirstAuthFactors: []types.AuthFactorType{"PASSWORD", "WEB_AUTHN"}}}},
		&cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	_, err := e.s.Client.SetUserPoolMfaConfig(context.Background(), &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool),
		MfaConfiguration: types.UserPoolMfaTypeOff, WebAuthnConfiguration: &types.WebAuthnConfigurationType{
			RelyingPartyId: aws.String("app.example.com"), UserVerification: types.UserVerificationTypePreferred}})
	noErr(t, err)
	return e
}

func startRegistration(t *testing.T, e *env, tok string) []byte {
	t.Helper()
	out, err := e.s.Client.StartWebAuthnRegistration(context.Background(), &cip.StartWebAuthnRegistrationInput{AccessToken: aws.String(tok)})
	noErr(t, err)
	b, err := out.CredentialCreationOptions.MarshalSmithyDocument()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func completeRegistration(e *env, tok, credential string) error {
	var doc map[string]any
	_ = json.Unmarshal([]byte(credential), &doc)
	_, err := e.s.Client.CompleteWebAuthnRegistration(context.Background(), &cip.CompleteWebAuthnRegistrationInput{
		AccessToken: aws.String(tok), Credential: document.NewLazyDocument(doc)})
	return err
}

func TestPasskeys(t *testing.T) {
	e := passkeyEnv(t)
	ctx := context.Background()
	tok := e.signedIn(t, "ana")
	sub := e.s.UserAttrs(t, e.pool, "ana")["sub"]
	key := newAuthenticator(t, "app.example.com", "https://app.example.com")

	// Registration, with the options checked and the attestation verified.
	options := startRegistration(t, e, tok)
	var opts struct {
		RP   struct{ ID string } `json:"rp"`
		User struct{ Name string }
	}
	if err := json.Unmarshal(options, &opts); err != nil || opts.RP.ID != "app.example.com" || opts.User.Name != "ana" {
		t.Fatalf("creation options = %s", options)
	}
	elsewhere := newAuthenticator(t, "app.example.com", "https://evil.example.net")
	err := completeRegistration(e, tok, elsewhere.register(options))
	testserver.WantError[*types.WebAuthnOriginNotAllowedException](t, err, "The origin https://evil.example.net is not allowed for relying party app.example.com.")
	otherRP := newAuthenticator(t, "other.example.com", "https://app.example.com")
	err = completeRegistration(e, tok, otherRP.register(options))
	testserver.WantError[*types.WebAuthnRelyingPartyMismatchException](t, err, "The passkey was created for another relying party.")
	noErr(t, completeRegistration(e, tok, key.register(options)))
	err = completeRegistration(e, tok, key.register(options))
	testserver.WantError[*types.WebAuthnChallengeNotFoundException](t, err, "No passkey registration is waiting; call StartWebAuthnRegistration first.")

	list, err := e.s.Client.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: aws.String(tok)})
	noErr(t, err)
	if len(list.Credentials) != 1 || aws.ToString(list.Credentials[0].CredentialId) != b64.EncodeToString(key.id) ||
		aws.ToString(list.Credentials[0].RelyingPartyId) != "app.example.com" || aws.ToString(list.Credentials[0].AuthenticatorAttachment) != "platform" {
		t.Fatalf("ListWebAuthnCredentials = %s", testserver.String(list.Credentials))
	}

	// Sign-in with the passkey: offered, asked for, verified.
	out, err := e.userAuth(map[string]string{"USERNAME": "ana"})
	noErr(t, err)
	if len(out.AvailableChallenges) != 3 || out.AvailableChallenges[2] != "WEB_AUTHN" {
		t.Fatalf("AvailableChallenges = %v", out.AvailableChallenges)
	}
	ch, err := e.userAuth(map[string]string{"USERNAME": "ana", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
	noErr(t, err)
	if ch.ChallengeName != types.ChallengeNameTypeWebAuthn || ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"] == "" {
		t.Fatalf("preferred WEB_AUTHN answered %s", testserver.String(ch))
	}
	forged := newAuthenticator(t, "app.example.com", "https://app.example.com")
	forged.id = key.id // the right credential ID, another key
	_, err = e.respond(types.ChallengeNameTypeWebAuthn, ch.Session, "ana", "CREDENTIAL", forged.assert(ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], sub))
	testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	signedAssertion := key.assert(ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], sub)
	ans, err := e.respond(types.ChallengeNameTypeWebAuthn, ch.Session, "ana", "CREDENTIAL", signedAssertion)
	noErr(t, err)
	e.wantTokens(t, ans)
	// A captured session and assertion do not sign in again.
	_, err = e.respond(types.ChallengeNameTypeWebAuthn, ch.Session, "ana", "CREDENTIAL", signedAssertion)
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")

	// Through SELECT_CHALLENGE too.
	sel, err := e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, "ana", "ANSWER", "WEB_AUTHN")
	noErr(t, err)
	ans, err = e.respond(types.ChallengeNameTypeWebAuthn, sel.Session, "ana", "CREDENTIAL", key.assert(sel.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], sub))
	noErr(t, err)
	e.wantTokens(t, ans)

	// Deleted, the passkey is no longer offered.
	_, err = e.s.Client.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: aws.String(tok), CredentialId: aws.String("nope")})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "Credential not found.")
	_, err = e.s.Client.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: aws.String(tok), CredentialId: aws.String(b64.EncodeToString(key.id))})
	noErr(t, err)
	out, err = e.userAuth(map[string]string{"USERNAME": "ana"})
	noErr(t, err)
	if len(out.AvailableChallenges) != 2 {
		t.Fatalf("AvailableChallenges after deleting the passkey = %v", out.AvailableChallenges)
	}
}

func TestPasskeysNeedPoolSettings(t *testing.T) {
	e := newEnv(t, nil, nil)
	tok := e.signedIn(t, "ana")
	_, err := e.s.Client.StartWebAuthnRegistration(context.Background(), &cip.StartWebAuthnRegistrationInput{AccessToken: aws.String(tok)})
	testserver.WantError[*types.WebAuthnNotEnabledException](t, err, "Passkeys are not enabled for this user pool: its SignInPolicy does not allow WEB_AUTHN.")
	f := newEnv(t, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
		AllowedFirstAuthFactors: []types.AuthFactorType{"PASSWORD", "WEB_AUTHN"}}}}, nil)
	_, err = f.s.Client.StartWebAuthnRegistration(context.Background(), &cip.StartWebAuthnRegistrationInput{AccessToken: aws.String(f.signedIn(t, "bob"))})
	testserver.WantError[*types.WebAuthnConfigurationMissingException](t, err,
		"The user pool has no WebAuthn relying party ID; set WebAuthnConfiguration.RelyingPartyId with SetUserPoolMfaConfig.")
}
