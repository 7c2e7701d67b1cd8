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
	if err := json.Unmarshal(payload, &c); err != nil {
		return AccessClaims{}, malformed("bad access token claims")
	}
	return c, nil
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
