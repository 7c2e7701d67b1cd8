package federation

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Sign in with Apple is an OpenID provider with two peculiarities: the
// client secret is a short-lived ES256 JWT signed with the team's key
// (ProviderDetails team_id, key_id, private_key), and Apple posts its
// answer to the callback (response_mode=form_post), with the user's name
// in a "user" form field on the first sign-in only.

// appleAudience is the audience of Apple's client secrets.
const appleAudience = "https://appleid.apple.com"

// appleSecretTTL is how long a client secret is valid; Apple accepts up to
// six months, one sign-in needs minutes.
const appleSecretTTL = 10 * time.Minute

// appleClientSecret returns the client secret of a token request to
// Apple: a JWT signed with the private key (PKCS #8 PEM, Apple's .p8
// file) whose key ID is key_id, from team_id (iss) for client_id (sub).
func appleClientSecret(d map[string]string, now time.Time) (string, error) {
	block, _ := pem.Decode([]byte(d["private_key"]))
	if block == nil {
		return "", errors.New("private_key is not a PEM private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return "", errors.New("private_key is not a PKCS #8 private key")
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return "", errors.New("private_key is not an elliptic-curve key")
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: ec, KeyID: d["key_id"]}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	claims, _ := json.Marshal(map[string]any{"iss": d["team_id"], "sub": d["client_id"], "aud": appleAudience,
		"iat": now.Unix(), "exp": now.Add(appleSecretTTL).Unix()})
	jws, err := signer.Sign(claims)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// maxAppleUser bounds the user form field Apple posts.
const maxAppleUser = 4096

// appleUserClaims returns the claims of the user form field Apple posts
// on a first sign-in ({"name":{"firstName","lastName"},"email"}):
// firstName, lastName and name. The field is not signed, so the email and
// the subject come from the ID token only.
func appleUserClaims(raw string) map[string]any {
	if raw == "" || len(raw) > maxAppleUser {
		return nil
	}
	var u struct {
		Name struct {
			First string `json:"firstName"`
			Last  string `json:"lastName"`
		} `json:"name"`
	}
	if json.Unmarshal([]byte(raw), &u) != nil {
		return nil
	}
	out := map[string]any{}
	if u.Name.First != "" {
		out["firstName"] = u.Name.First
	}
	if u.Name.Last != "" {
		out["lastName"] = u.Name.Last
	}
	if full := joinName(u.Name.First, u.Name.Last); full != "" {
		out["name"] = full
	}
	return out
}

func joinName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}
