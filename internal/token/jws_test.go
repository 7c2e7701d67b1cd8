package token

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// handSign builds a compact JWS from raw header and payload JSON using
// crypto/rsa directly, independently of Sign.
func handSign(t *testing.T, key *rsa.PrivateKey, header, payload string) string {
	t.Helper()
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// signRawInput signs base64url(header) + "." + payload, with the payload not
// encoded (RFC 7797), but emits the usual compact form with the payload
// base64url-encoded.
func signRawInput(t *testing.T, key *rsa.PrivateKey, header, payload string) string {
	t.Helper()
	h := base64.RawURLEncoding.EncodeToString([]byte(header))
	digest := sha256.Sum256([]byte(h + "." + payload))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return h + "." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// publicJWK returns the public half of key as one JWK JSON object.
func publicJWK(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	doc, err := JWKS([]PublicKey{{Kid: KeyID(&key.PublicKey), Key: &key.PublicKey}})
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []json.RawMessage }
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	return string(set.Keys[0])
}

// TestSignAcceptedByStandardVerifier: go-jose, used directly with the
// published JWKS and no code of this package, accepts Sign's tokens.
func TestSignAcceptedByStandardVerifier(t *testing.T) {
	a, b := testKey(t, "a"), testKey(t, "b")
	doc, err := JWKS([]PublicKey{{Kid: KeyID(&a.PublicKey), Key: &a.PublicKey}, {Kid: KeyID(&b.PublicKey), Key: &b.PublicKey}})
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	for _, key := range []*rsa.PrivateKey{a, b} {
		raw := mustSign(t, key, accessClaims("u1", "admin"))
		jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatal(err)
		}
		if h := jws.Signatures[0].Header; h.KeyID != KeyID(&key.PublicKey) || h.Algorithm != "RS256" {
			t.Errorf("header = kid %q alg %q", h.KeyID, h.Algorithm)
		}
		payload, err := jws.Verify(&set)
		if err != nil {
			t.Fatalf("go-jose rejects the token: %v", err)
		}
		if _, err := ParseAccessClaims(payload); err != nil {
			t.Error(err)
		}
	}
}

func TestSignExactEncoding(t *testing.T) {
	key := testKey(t, "a")
	kid := KeyID(&key.PublicKey)
	claims := append(accessClaims("c8588610-fe04-42fe-ab81-e6d1eb0523a3", "admin", "r&d"),
		Claim{"email_verified", true})
	raw, err := Sign(key, kid, claims)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, "=") {
		t.Errorf("token contains padding: %s", raw)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("%d segments, want 3", len(parts))
	}
	header, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"kid":"` + kid + `","alg":"RS256"}`; string(header) != want {
		t.Errorf("header = %s, want %s", header, want)
	}
	payload, err := base64.RawURLEncoding.Strict().DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"sub":"c8588610-fe04-42fe-ab81-e6d1eb0523a3",` +
		`"iss":"http://localhost:9229/us-east-1_AbCdEf123",` +
		`"client_id":"7hopjdad9ohj6n1v9h93c4eo3c",` +
		`"origin_jti":"07a936d8-def9-4930-bb76-6fe9267d2de6",` +
		`"event_id":"7a428e82-5ce4-4dfd-861d-1a024adc3e03",` +
		`"token_use":"access","scope":"aws.cognito.signin.user.admin",` +
		`"auth_time":1674946410,"exp":1674950010,"iat":1674946410,` +
		`"jti":"54c65243-8302-47c9-9605-ef494f0b5c84",` +
		`"username":"c8588610-fe04-42fe-ab81-e6d1eb0523a3",` +
		`"cognito:groups":["admin","r&d"],"email_verified":true}`
	if string(payload) != want {
		t.Errorf("payload =\n%s\nwant\n%s", payload, want)
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("crypto/rsa rejects Sign's signature: %v", err)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	a, b := testKey(t, "a"), testKey(t, "b")
	keys := newKeySet(a, b)
	for _, tc := range []struct {
		name   string
		key    *rsa.PrivateKey
		claims []Claim
	}{
		{"access token key a", a, accessClaims("u1", "g1", "g2")},
		{"id-style claims key b", b, []Claim{{"sub", "u2"}, {"aud", "client"}, {"token_use", "id"}, {"custom:dept", "ops"}}},
		{"no claims", a, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := mustSign(t, tc.key, tc.claims)
			payload, kid, err := Verify(raw, keys.lookup)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if want := KeyID(&tc.key.PublicKey); kid != want {
				t.Errorf("kid = %q, want %q", kid, want)
			}
			got, err := ParseClaims(payload)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.claims) {
				t.Errorf("%d claims back, want %d", len(got), len(tc.claims))
			}
			for _, c := range tc.claims {
				if _, ok := got[c.Name]; !ok {
					t.Errorf("claim %q lost", c.Name)
				}
			}
		})
	}
}

func TestVerifyHandBuilt(t *testing.T) {
	key := testKey(t, "a")
	kid := KeyID(&key.PublicKey)
	payload := `{"sub":"x","token_use":"access","exp":1}`
	for _, tc := range []struct {
		name, header string
	}{
		{"Cognito header", `{"kid":"` + kid + `","alg":"RS256"}`},
		{"escaped slash and extra members", `{"alg":"RS256","typ":"JWT","kid":"` + strings.ReplaceAll(kid, "/", `\/`) + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := handSign(t, key, tc.header, payload)
			got, gotKid, err := Verify(raw, newKeySet(key).lookup)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if string(got) != payload || gotKid != kid {
				t.Errorf("Verify = %s, %q", got, gotKid)
			}
		})
	}
}

func TestVerifyTamper(t *testing.T) {
	a, b := testKey(t, "a"), testKey(t, "b")
	kidA, kidB := KeyID(&a.PublicKey), KeyID(&b.PublicKey)
	keys := newKeySet(a)
	payload := `{"sub":"u1","token_use":"access","scope":"aws.cognito.signin.user.admin"}`
	hdr := func(members string) string { return `{"kid":"` + kidA + `",` + members + `}` }
	valid := handSign(t, a, hdr(`"alg":"RS256"`), payload)
	parts := strings.Split(valid, ".")

	pkix, err := x509.MarshalPKIXPublicKey(&a.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	hs256 := func(secret []byte) string {
		input := base64.RawURLEncoding.EncodeToString([]byte(hdr(`"alg":"HS256"`))) + "." + parts[1]
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(input))
		return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	flipPayload := func() string {
		p := []byte(payload)
		p[10] ^= 0x01
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(p) + "." + parts[2]
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	flippedSig := append([]byte(nil), sig...)
	flippedSig[100] ^= 0x80
	// The last character of a 256-byte signature carries 4 unused bits.
	last := parts[2][len(parts[2])-1]
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	nonCanonical := parts[2][:len(parts[2])-1] + alphabet[strings.IndexByte(alphabet, last)^1:][:1]

	paddedHeader := hdr(`"alg":"RS256"`)
	for len(paddedHeader)%3 == 0 {
		paddedHeader += " "
	}
	paddedHeader = base64.URLEncoding.EncodeToString([]byte(paddedHeader))
	if !strings.HasSuffix(paddedHeader, "=") {
		t.Fatal("test setup: header has no padding")
	}

	for _, tc := range []struct {
		name string
		raw  string
		keys KeyLookup
		want error // nil: must verify
	}{
		{"valid control", valid, keys.lookup, nil},
		{"alg none, no signature", base64.RawURLEncoding.EncodeToString([]byte(hdr(`"alg":"none"`))) + "." + parts[1] + ".", keys.lookup, ErrMalformed},
		{"alg none, original signature", base64.RawURLEncoding.EncodeToString([]byte(hdr(`"alg":"none"`))) + "." + parts[1] + "." + parts[2], keys.lookup, ErrMalformed},
		{"HS256 keyed with PKIX DER public key", hs256(pkix), keys.lookup, ErrMalformed},
		{"HS256 keyed with PEM public key", hs256(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})), keys.lookup, ErrMalformed},
		{"alg lower case", handSign(t, a, hdr(`"alg":"rs256"`), payload), keys.lookup, ErrMalformed},
		{"alg RS512", handSign(t, a, hdr(`"alg":"RS512"`), payload), keys.lookup, ErrMalformed},
		{"alg PS256", handSign(t, a, hdr(`"alg":"PS256"`), payload), keys.lookup, ErrMalformed},
		{"alg upper-case member name", handSign(t, a, hdr(`"ALG":"RS256"`), payload), keys.lookup, ErrMalformed},
		{"alg not a string", handSign(t, a, hdr(`"alg":["RS256"]`), payload), keys.lookup, ErrMalformed},
		{"duplicate alg", handSign(t, a, hdr(`"alg":"none","alg":"RS256"`), payload), keys.lookup, ErrMalformed},
		{"crit header", handSign(t, a, hdr(`"alg":"RS256","crit":["exp"],"exp":1`), payload), keys.lookup, ErrMalformed},
		{"missing kid", handSign(t, a, `{"alg":"RS256"}`, payload), keys.lookup, ErrMalformed},
		{"kid not a string", handSign(t, a, `{"kid":7,"alg":"RS256"}`, payload), keys.lookup, ErrMalformed},
		{"header is an array", handSign(t, a, `["RS256"]`, payload), keys.lookup, ErrMalformed},
		{"data after header", handSign(t, a, hdr(`"alg":"RS256"`)+`{}`, payload), keys.lookup, ErrMalformed},
		{"flipped payload byte", flipPayload(), keys.lookup, ErrBadSignature},
		{"flipped signature bit", parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(flippedSig), keys.lookup, ErrBadSignature},
		{"short signature", parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig[1:]), keys.lookup, ErrBadSignature},
		{"empty signature", parts[0] + "." + parts[1] + ".", keys.lookup, ErrBadSignature},
		{"signed by another key under this kid", handSign(t, b, hdr(`"alg":"RS256"`), payload), keys.lookup, ErrBadSignature},
		{"unknown kid", mustSign(t, b, accessClaims("u1")), keys.lookup, ErrUnknownKey},
		{"known kid, lookup gives nil key", valid, func(string) (*rsa.PublicKey, bool) { return nil, true }, ErrUnknownKey},
		{"nil lookup", valid, nil, ErrUnknownKey},
		{"extra segment", valid + ".e30", keys.lookup, ErrMalformed},
		{"trailing dot", valid + ".", keys.lookup, ErrMalformed},
		{"two segments", parts[0] + "." + parts[1], keys.lookup, ErrMalformed},
		{"empty string", "", keys.lookup, ErrMalformed},
		{"three empty segments", "..", keys.lookup, ErrMalformed},
		{"bad base64 character", parts[0] + "." + parts[1][:5] + "*" + parts[1][6:] + "." + parts[2], keys.lookup, ErrMalformed},
		{"standard base64 alphabet", parts[0] + "." + parts[1] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(parts[2]) + "+", keys.lookup, ErrMalformed},
		{"padding present", parts[0] + "." + parts[1] + "." + base64.URLEncoding.EncodeToString(sig), keys.lookup, ErrMalformed},
		{"padded header", paddedHeader + "." + parts[1] + "." + parts[2], keys.lookup, ErrMalformed},
		{"line break inside segment", parts[0] + "." + parts[1][:8] + "\n" + parts[1][8:] + "." + parts[2], keys.lookup, ErrMalformed},
		{"non-canonical trailing bits", parts[0] + "." + parts[1] + "." + nonCanonical, keys.lookup, ErrMalformed},
		{"too long", parts[0] + "." + strings.Repeat("A", maxTokenLen) + "." + parts[2], keys.lookup, ErrMalformed},
		{"b64 false under crit, signed over the raw payload", signRawInput(t, a, hdr(`"alg":"RS256","b64":false,"crit":["b64"]`), payload), keys.lookup, ErrMalformed},
		{"b64 false without crit, signed over the raw payload", signRawInput(t, a, hdr(`"alg":"RS256","b64":false`), payload), keys.lookup, ErrMalformed},
		{"embedded jwk of the forger's key", handSign(t, b, hdr(`"alg":"RS256","jwk":`+publicJWK(t, b)), payload), keys.lookup, ErrBadSignature},
		{"kid of key b on key a's token", handSign(t, a, `{"kid":"`+kidB+`","alg":"RS256"}`, payload), newKeySet(a, b).lookup, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload, kid, err := Verify(tc.raw, tc.keys)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify error = %v, want %v", err, tc.want)
			}
			if payload != nil || kid != "" {
				t.Errorf("failed Verify returned payload %q, kid %q", payload, kid)
			}
		})
	}
}

func TestSignRejects(t *testing.T) {
	key := testKey(t, "a")
	kid := KeyID(&key.PublicKey)
	for _, tc := range []struct {
		name   string
		key    *rsa.PrivateKey
		kid    string
		claims []Claim
	}{
		{"nil key", nil, kid, accessClaims("u")},
		{"empty kid", key, "", accessClaims("u")},
		{"empty claim name", key, kid, []Claim{{"", "x"}}},
		{"duplicate claim", key, kid, []Claim{{"sub", "a"}, {"sub", "b"}}},
		{"unencodable value", key, kid, []Claim{{"exp", math.NaN()}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if raw, err := Sign(tc.key, tc.kid, tc.claims); err == nil {
				t.Errorf("Sign succeeded: %s", raw)
			}
		})
	}
}

func TestParseAccessClaims(t *testing.T) {
	key := testKey(t, "a")
	raw := mustSign(t, key, append(accessClaims("c8588610", "admin", "ops"), Claim{"device_key", "us-east-1_dk"}))
	payload, _, err := Verify(raw, newKeySet(key).lookup)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseAccessClaims(payload)
	if err != nil {
		t.Fatal(err)
	}
	want := AccessClaims{
		Sub: "c8588610", Iss: "http://localhost:9229/us-east-1_AbCdEf123",
		ClientID: "7hopjdad9ohj6n1v9h93c4eo3c", OriginJTI: "07a936d8-def9-4930-bb76-6fe9267d2de6",
		EventID: "7a428e82-5ce4-4dfd-861d-1a024adc3e03", TokenUse: "access",
		Scope: "aws.cognito.signin.user.admin", AuthTime: 1674946410, Exp: 1674950010, Iat: 1674946410,
		JTI: "54c65243-8302-47c9-9605-ef494f0b5c84", Username: "c8588610",
		Groups: []string{"admin", "ops"}, DeviceKey: "us-east-1_dk",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseAccessClaims =\n%+v\nwant\n%+v", got, want)
	}

	for _, tc := range []struct{ name, payload string }{
		{"null", `null`},
		{"array", `[]`},
		{"string", `"x"`},
		{"empty", ``},
		{"exp as string", `{"exp":"1674950010"}`},
		{"exp fractional", `{"exp":1.5}`},
		{"groups not array", `{"cognito:groups":"admin"}`},
		{"truncated", `{"sub":"x"`},
		{"trailing data", `{}{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if c, err := ParseAccessClaims([]byte(tc.payload)); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseAccessClaims = %+v, %v; want ErrMalformed", c, err)
			}
		})
	}
}

func TestHasScope(t *testing.T) {
	for _, tc := range []struct {
		scope, want string
		has         bool
	}{
		{"aws.cognito.signin.user.admin", "aws.cognito.signin.user.admin", true},
		{"openid email aws.cognito.signin.user.admin", "aws.cognito.signin.user.admin", true},
		{"openid  email", "email", true},
		{"openid email", "aws.cognito.signin.user.admin", false},
		{"aws.cognito.signin.user.admin.x", "aws.cognito.signin.user.admin", false},
		{"resource/scope", "resource", false},
		{"", "", false},
		{"openid", "", false},
	} {
		t.Run(tc.scope+"/"+tc.want, func(t *testing.T) {
			if got := (AccessClaims{Scope: tc.scope}).HasScope(tc.want); got != tc.has {
				t.Errorf("HasScope = %v, want %v", got, tc.has)
			}
		})
	}
}

func TestParseClaims(t *testing.T) {
	got, err := ParseClaims([]byte(`{"sub":"s","cognito:groups":["admin"],"email_verified":true,"exp":1500013000,"custom:isMember":"true","address":{"formatted":"x"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"sub": "s", "cognito:groups": []any{"admin"}, "email_verified": true,
		"exp": json.Number("1500013000"), "custom:isMember": "true",
		"address": map[string]any{"formatted": "x"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseClaims = %#v", got)
	}
	for _, bad := range []string{`null`, `[]`, `1`, `{"a":1}{}`, `{"a":`} {
		t.Run(bad, func(t *testing.T) {
			if m, err := ParseClaims([]byte(bad)); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseClaims = %v, %v; want ErrMalformed", m, err)
			}
		})
	}
}
