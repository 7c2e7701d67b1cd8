package testserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
)

// WantError fails the test at once unless err is (or wraps) the SDK's
// typed exception E, such as *types.NotAuthorizedException, with exactly
// message; it returns the exception for further checks.
func WantError[E smithy.APIError](t testing.TB, err error, message string) E {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want %T %q", err, err, e, message)
	}
	if got := e.ErrorMessage(); got != message {
		t.Fatalf("%s message = %q, want %q", e.ErrorCode(), got, message)
	}
	return e
}

// AttrList builds an attribute list from name, value pairs.
func AttrList(kv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// Attrs turns an attribute list into a name-to-value map.
func Attrs(list []types.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range list {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

// SecretHash computes SECRET_HASH for a client with a secret, as client
// SDKs do: base64(HMAC-SHA256(secret, username + clientID)).
func SecretHash(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// JWTClaims decodes the payload of a JWS (an ID or access token) without
// verifying it, failing the test when token is not one.
func JWTClaims(t testing.TB, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want a JWS", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return m
}
