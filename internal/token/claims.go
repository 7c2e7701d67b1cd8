package token

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// AccessClaims are the claims of a Cognito access token (see
// ../shared/spec/tokens.md). Absent claims are zero values; whether a claim
// is required, and what its value must be, is the caller's business.
type AccessClaims struct {
	Sub       string   `json:"sub"`            // user's immutable UUID
	Iss       string   `json:"iss"`            // issuer: <base URL>/<userPoolId>
	ClientID  string   `json:"client_id"`      // app client ID (access tokens have no aud)
	OriginJTI string   `json:"origin_jti"`     // authentication session, shared across refreshes
	EventID   string   `json:"event_id"`       // authentication event UUID
	TokenUse  string   `json:"token_use"`      // "access" for access tokens
	Scope     string   `json:"scope"`          // space-separated scopes; see HasScope
	AuthTime  int64    `json:"auth_time"`      // epoch seconds of the original authentication
	Exp       int64    `json:"exp"`            // expiry, epoch seconds
	Iat       int64    `json:"iat"`            // issue time, epoch seconds
	JTI       string   `json:"jti"`            // unique token ID
	Username  string   `json:"username"`       // internal username
	Groups    []string `json:"cognito:groups"` // group names; nil when the user has none
	DeviceKey string   `json:"device_key"`     // remembered device, if any
}

// ParseAccessClaims decodes a verified payload into AccessClaims. The
// payload must be one JSON object; members of the wrong type (e.g. exp as a
// string or fraction) fail with ErrMalformed, unknown members are ignored.
// It checks no claim values.
func ParseAccessClaims(payload []byte) (AccessClaims, error) {
	var c AccessClaims
	if !isObject(payload) {
		return AccessClaims{}, malformed("payload is not a JSON object")
	}
	if err := exactClaimNames(payload); err != nil {
		return AccessClaims{}, err
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return AccessClaims{}, malformed("bad access token claims")
	}
	return c, nil
}

// exactClaimNames rejects a payload whose member names would reach
// AccessClaims other than by their exact spelling: encoding/json matches
// names without case and lets a later duplicate win, so "Sub" or a second
// "exp" could otherwise replace a claim.
func exactClaimNames(payload []byte) error {
	known := map[string]string{}
	for _, n := range []string{"sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope",
		"auth_time", "exp", "iat", "jti", "username", "cognito:groups", "device_key"} {
		known[strings.ToLower(n)] = n
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	if _, err := dec.Token(); err != nil {
		return malformed("bad access token claims")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return malformed("bad access token claims")
		}
		name, _ := tok.(string)
		if exact, ok := known[strings.ToLower(name)]; ok && (exact != name || seen[name]) {
			return malformed("access token claim names must be unique and exact")
		}
		seen[name] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return malformed("bad access token claims")
		}
	}
	return nil
}

// HasScope reports whether s is one of the space-separated scopes in
// c.Scope (exact match, e.g. "aws.cognito.signin.user.admin").
func (c AccessClaims) HasScope(s string) bool {
	if s == "" {
		return false
	}
	for f := range strings.FieldsSeq(c.Scope) {
		if f == s {
			return true
		}
	}
	return false
}

// ParseClaims decodes a verified payload (typically an ID token's) into a
// map. Numbers are json.Number, so epoch seconds and numeric strings keep
// their exact text; booleans, strings, arrays and objects decode as
// encoding/json does for any. The payload must be exactly one JSON object.
func ParseClaims(payload []byte) (map[string]any, error) {
	if !isObject(payload) {
		return nil, malformed("payload is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, malformed("bad claims JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed("data after claims object")
	}
	return m, nil
}

// isObject reports whether b starts, after JSON whitespace, with '{', so
// that null, arrays and scalars are not taken for empty claim sets.
func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}
