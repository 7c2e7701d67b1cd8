package e2e

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// jwk is one key of a JWKS document.
type jwk struct {
	Alg, E, Kid, Kty, N, Use string
}

// jwtVerifier checks Cognito JWTs the way aws-jwt-verify does, knowing
// nothing of Cognate: issuer, JWKS over HTTP, RS256 signature.
type jwtVerifier struct {
	issuer string
	keys   map[string]*rsa.PublicKey
	raw    []jwk
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q", url, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func newJWTVerifier(t *testing.T, issuer string) *jwtVerifier {
	t.Helper()
	var doc struct{ Keys []jwk }
	getJSON(t, issuer+"/.well-known/jwks.json", &doc)
	v := &jwtVerifier{issuer: issuer, keys: map[string]*rsa.PublicKey{}, raw: doc.Keys}
	for _, k := range doc.Keys {
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || k.E != "AQAB" {
			t.Errorf("jwk = %+v", k)
		}
		n, err := base64.RawURLEncoding.DecodeString(k.N)
		if err != nil {
			t.Fatalf("jwk n: %v", err)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
		if pub.N.BitLen() != 2048 {
			t.Errorf("key %s has %d bits", k.Kid, pub.N.BitLen())
		}
		v.keys[k.Kid] = pub
	}
	return v
}

// verify checks signature, issuer and expiry and returns header and claims.
func (v *jwtVerifier) verify(tok string, now time.Time) (map[string]any, map[string]any, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, nil, errors.New("not a JWS")
	}
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		buf, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, nil, err
		}
		dec := json.NewDecoder(strings.NewReader(string(buf)))
		dec.UseNumber()
		if err := dec.Decode(dst); err != nil {
			return nil, nil, err
		}
	}
	if header["alg"] != "RS256" {
		return nil, nil, fmt.Errorf("alg %v", header["alg"])
	}
	kid, _ := header["kid"].(string)
	pub, ok := v.keys[kid]
	if !ok {
		return nil, nil, fmt.Errorf("unknown kid %q", kid)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return nil, nil, err
	}
	if claims["iss"] != v.issuer {
		return nil, nil, fmt.Errorf("iss %v", claims["iss"])
	}
	exp, err := claims["exp"].(json.Number).Int64()
	if err != nil || now.Unix() >= exp {
		return nil, nil, fmt.Errorf("expired or bad exp %v", claims["exp"])
	}
	return header, claims, nil
}

func claimKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func wantInt(t *testing.T, claims map[string]any, name string) int64 {
	t.Helper()
	n, ok := claims[name].(json.Number)
	if !ok {
		t.Fatalf("%s = %v (%T), want a JSON number", name, claims[name], claims[name])
	}
	v, err := n.Int64()
	if err != nil {
		t.Fatalf("%s = %v, want an integer", name, n)
	}
	return v
}

func TestFoundationTokens(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
		{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString},
		{Name: aws.String("age"), AttributeDataType: types.AttributeDataTypeNumber},
		{Name: aws.String("vip"), AttributeDataType: types.AttributeDataTypeBoolean},
	}})
	client := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{
		AccessTokenValidity: aws.Int32(10), IdTokenValidity: aws.Int32(2),
		TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes, IdToken: types.TimeUnitsTypeHours},
	})
	s.User(t, pool, "tess", "email", "tess@example.com", "email_verified", "true",
		"custom:tier", "gold", "custom:age", "42", "custom:vip", "true", "name", "Tess")
	res := s.SignIn(t, client, "tess")
	iss := s.URL + "/" + pool

	t.Run("openid configuration", func(t *testing.T) {
		var doc map[string]any
		getJSON(t, iss+"/.well-known/openid-configuration", &doc)
		if doc["issuer"] != iss || doc["jwks_uri"] != iss+"/.well-known/jwks.json" {
			t.Errorf("issuer %v jwks_uri %v", doc["issuer"], doc["jwks_uri"])
		}
		if fmt.Sprint(doc["id_token_signing_alg_values_supported"]) != "[RS256]" {
			t.Errorf("algs = %v", doc["id_token_signing_alg_values_supported"])
		}
		resp, err := http.Get(s.URL + "/us-east-1_missing00/.well-known/jwks.json")
		noErr(t, err)
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("JWKS of a missing pool: %d", resp.StatusCode)
		}
	})
	v := newJWTVerifier(t, iss)
	if len(v.keys) != 2 {
		t.Fatalf("JWKS has %d keys, want 2", len(v.keys))
	}
	now := s.Clock.Now()

	var access, id map[string]any
	t.Run("headers", func(t *testing.T) {
		ah, ac, err := v.verify(aws.ToString(res.AccessToken), now)
		noErr(t, err)
		ih, ic, err := v.verify(aws.ToString(res.IdToken), now)
		noErr(t, err)
		access, id = ac, ic
		kidPattern := regexp.MustCompile(`^[A-Za-z0-9+/]{43}=$`)
		for _, h := range []map[string]any{ah, ih} {
			if fmt.Sprint(claimKeys(h)) != "[alg kid]" || !kidPattern.MatchString(h["kid"].(string)) {
				t.Errorf("header = %v", h)
			}
		}
		if ah["kid"] == ih["kid"] {
			t.Errorf("ID and access tokens share kid %v", ah["kid"])
		}
	})
	if access == nil {
		t.FailNow()
	}
	sub := access["sub"].(string)
	t.Run("access claims", func(t *testing.T) {
		want := "[auth_time client_id event_id exp iat iss jti origin_jti scope sub token_use username]"
		if got := fmt.Sprint(claimKeys(access)); got != want {
			t.Errorf("access claims = %s, want %s", got, want)
		}
		for name, value := range map[string]string{
			"iss": iss, "client_id": client, "token_use": "access", "scope": "aws.cognito.signin.user.admin", "username": "tess",
		} {
			if access[name] != value {
				t.Errorf("%s = %v, want %s", name, access[name], value)
			}
		}
		for _, name := range []string{"sub", "jti", "origin_jti", "event_id"} {
			if s, _ := access[name].(string); !uuidPattern.MatchString(s) {
				t.Errorf("%s = %v, want a UUID", name, access[name])
			}
		}
		iat, exp, at := wantInt(t, access, "iat"), wantInt(t, access, "exp"), wantInt(t, access, "auth_time")
		if exp-iat != 600 || at != iat {
			t.Errorf("iat %d exp %d auth_time %d", iat, exp, at)
		}
		if res.ExpiresIn != 600 {
			t.Errorf("ExpiresIn = %d", res.ExpiresIn)
		}
	})
	t.Run("id claims", func(t *testing.T) {
		want := "[aud auth_time cognito:username custom:age custom:tier custom:vip email email_verified event_id exp iat iss jti name origin_jti sub token_use]"
		if got := fmt.Sprint(claimKeys(id)); got != want {
			t.Errorf("id claims = %s, want %s", got, want)
		}
		if id["email_verified"] != true {
			t.Errorf("email_verified = %v (%T), want JSON true", id["email_verified"], id["email_verified"])
		}
		for name, value := range map[string]string{
			"aud": client, "iss": iss, "token_use": "id", "cognito:username": "tess", "sub": sub, "email": "tess@example.com",
			"custom:tier": "gold", "custom:age": "42", "custom:vip": "true", "name": "Tess",
			"origin_jti": access["origin_jti"].(string), "event_id": access["event_id"].(string),
		} {
			if got, ok := id[name].(string); !ok || got != value {
				t.Errorf("%s = %#v, want string %q", name, id[name], value)
			}
		}
		if id["jti"] == access["jti"] {
			t.Errorf("ID and access tokens share jti")
		}
		iat, exp := wantInt(t, id, "iat"), wantInt(t, id, "exp")
		if exp-iat != 7200 {
			t.Errorf("ID validity %d s, want 7200", exp-iat)
		}
	})
	t.Run("read attributes filter the id token", func(t *testing.T) {
		c := s.AppClient(t, pool, &cip.CreateUserPoolClientInput{ReadAttributes: []string{"email", "custom:tier"}})
		r := s.SignIn(t, c, "tess")
		_, claims, err := v.verify(aws.ToString(r.IdToken), now)
		noErr(t, err)
		if _, ok := claims["custom:age"]; ok {
			t.Errorf("custom:age present though not readable")
		}
		if _, ok := claims["name"]; ok {
			t.Errorf("name present though not readable")
		}
		if claims["custom:tier"] != "gold" || claims["email"] != "tess@example.com" {
			t.Errorf("claims = %v", claims)
		}
	})
	t.Run("refresh token is JWE shaped", func(t *testing.T) {
		rt := aws.ToString(res.RefreshToken)
		parts := strings.Split(rt, ".")
		if len(parts) != 5 {
			t.Fatalf("refresh token has %d segments", len(parts))
		}
		buf, err := base64.RawURLEncoding.DecodeString(parts[0])
		noErr(t, err)
		var h map[string]string
		noErr(t, json.Unmarshal(buf, &h))
		if h["alg"] != "RSA-OAEP" || h["enc"] != "A256GCM" || h["cty"] != "JWT" {
			t.Errorf("JWE header = %v", h)
		}
		if _, _, err := v.verify(rt, now); err == nil {
			t.Errorf("refresh token verified as a JWS")
		}
	})

	// Forgeries against GetUser.
	other := s.Pool(t, nil)
	otherClient := s.AppClient(t, other, nil)
	s.User(t, other, "tess")
	otherRes := s.SignIn(t, otherClient, "tess")
	s.User(t, pool, "mallory")
	accessTok := aws.ToString(res.AccessToken)
	parts := strings.Split(accessTok, ".")
	enc := func(v any) string {
		buf, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(buf)
	}
	var header map[string]any
	{
		buf, _ := base64.RawURLEncoding.DecodeString(parts[0])
		noErr(t, json.Unmarshal(buf, &header))
	}
	plainClaims := testserver.JWTClaims(t, accessTok)
	withClaims := func(change func(map[string]any)) string {
		c := map[string]any{}
		for k, v := range plainClaims {
			c[k] = v
		}
		change(c)
		return enc(c)
	}
	var pemKey []byte
	{
		der, err := x509.MarshalPKIXPublicKey(v.keys[header["kid"].(string)])
		noErr(t, err)
		pemKey = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	hs256 := func(key []byte) string {
		h := enc(map[string]any{"kid": header["kid"], "alg": "HS256"})
		p := withClaims(func(c map[string]any) { c["username"] = "mallory" })
		m := hmac.New(sha256.New, key)
		m.Write([]byte(h + "." + p))
		return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	otherParts := strings.Split(aws.ToString(otherRes.AccessToken), ".")
	for _, tc := range []struct {
		name, token, message string
	}{
		{"alg none", enc(map[string]any{"alg": "none"}) + "." + parts[1] + ".", "Invalid Access Token"},
		{"alg none with kid", enc(map[string]any{"kid": header["kid"], "alg": "none"}) + "." + withClaims(func(c map[string]any) { c["username"] = "mallory" }) + ".", "Invalid Access Token"},
		{"HS256 with the PEM public key", hs256(pemKey), "Invalid Access Token"},
		{"HS256 with the JWK modulus", hs256([]byte(v.raw[0].N)), "Invalid Access Token"},
		{"signature of another pool", parts[0] + "." + withClaims(func(c map[string]any) { c["iss"] = s.URL + "/" + other }) + "." + otherParts[2], "Invalid Access Token"},
		{"another pool's token under this pool's kid", parts[0] + "." + otherParts[1] + "." + otherParts[2], "Invalid Access Token"},
		{"modified payload", parts[0] + "." + withClaims(func(c map[string]any) { c["username"] = "mallory" }) + "." + parts[2], "Invalid Access Token"},
		{"modified expiry", parts[0] + "." + withClaims(func(c map[string]any) { c["exp"] = c["exp"].(float64) + 86400 }) + "." + parts[2], "Invalid Access Token"},
		{"id token", aws.ToString(res.IdToken), "Invalid Access Token"},
		{"garbage", "a.b.c", "Invalid Access Token"},
		{"two segments", parts[0] + "." + parts[1], "Invalid Access Token"},
	} {
		t.Run("forged "+tc.name, func(t *testing.T) {
			_, err := s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(tc.token)})
			testserver.WantError[*types.NotAuthorizedException](t, err, tc.message)
		})
	}
	t.Run("genuine token works", func(t *testing.T) {
		out, err := s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
		noErr(t, err)
		if aws.ToString(out.Username) != "tess" {
			t.Errorf("Username = %s", aws.ToString(out.Username))
		}
		if v := testserver.Attrs(out.UserAttributes)["sub"]; v != sub {
			t.Errorf("sub = %s", v)
		}
		out, err = s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: otherRes.AccessToken})
		noErr(t, err)
		if v := testserver.Attrs(out.UserAttributes)["sub"]; v == sub {
			t.Errorf("the other pool's tess has this pool's sub")
		}
	})
	t.Run("expired", func(t *testing.T) {
		s.Clock.Advance(10 * time.Minute)
		_, err := s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token has expired")
		if _, _, err := v.verify(accessTok, s.Clock.Now()); err == nil {
			t.Errorf("independent verifier accepted an expired token")
		}
	})
}
