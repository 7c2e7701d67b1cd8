package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// decodeTargets are the shapes the differential tests decode into: strings,
// lists of structures and maps; deep nesting with integers and booleans;
// documents and blobs; timestamps; longs.
func decodeTargets() []func() any {
	return []func() any{
		func() any { return new(UpdateUserAttributesRequest) },
		func() any { return new(CreateUserPoolRequest) },
		func() any { return new(CreateManagedLoginBrandingRequest) },
		func() any { return new(AdminGetUserResponse) },
		func() any { return new(UserImportJobType) },
		func() any { return new(SetUICustomizationRequest) },
		func() any { return new(AdminCreateUserRequest) },
	}
}

// exactKeys reports whether every object key of the JSON value read from
// dec that encoding/json would match to a member of t (a pointer, struct,
// slice or map type; nil when nothing is matched) matches it exactly, not
// only case-insensitively.
func exactKeys(dec *json.Decoder, t reflect.Type) bool {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[Time]() || t == reflect.TypeFor[Document]() {
		t = nil
	}
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return false
			}
			key := k.(string)
			var sub reflect.Type
			if t != nil && t.Kind() == reflect.Map {
				sub = t.Elem()
			} else if t != nil && t.Kind() == reflect.Struct {
				for i := range t.NumField() {
					f := t.Field(i)
					name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
					if name == key {
						sub = f.Type
						break
					}
					if strings.EqualFold(name, key) {
						return false
					}
				}
			}
			if !exactKeys(dec, sub) {
				return false
			}
		}
		_, err = dec.Token()
		return err == nil
	case json.Delim('['):
		var sub reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			sub = t.Elem()
		}
		for dec.More() {
			if !exactKeys(dec, sub) {
				return false
			}
		}
		_, err = dec.Token()
		return err == nil
	}
	return true
}

// compareWithStdlib decodes data with Decode and with encoding/json into
// fresh values of newV. It returns "" when they agree: both fail, or both
// succeed with deeply equal values.
func compareWithStdlib(data []byte, newV func() any) string {
	got, want := newV(), newV()
	err := Decode(data, got)
	if !json.Valid(data) {
		var de *DecodeError
		if !errors.As(err, &de) || de.Reason != DecodeSyntax {
			return "invalid JSON must give a syntax error, got " + errString(err)
		}
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if !exactKeys(dec, reflect.TypeOf(want)) {
		return "" // encoding/json matches such keys case-insensitively; we do not
	}
	stdErr := json.Unmarshal(data, want)
	isObject := bytes.TrimLeft(data, " \t\r\n")[0] == '{'
	switch {
	case stdErr == nil && !isObject:
		if err == nil {
			return "a body that is not an object was accepted"
		}
	case stdErr == nil && err != nil:
		return "encoding/json accepts, Decode says " + err.Error()
	case stdErr != nil && err == nil:
		return "encoding/json says " + stdErr.Error() + ", Decode accepts"
	case err == nil && !reflect.DeepEqual(got, want):
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		return "values differ:\n got " + string(g) + "\nwant " + string(w)
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestDecodeMatchesStdlib(t *testing.T) {
	long := strings.Repeat("eyJhbGciOi", 110)
	bodies := []struct{ name, body string }{
		{"empty object", `{}`},
		{"whitespace", " \t\r\n{ \"AccessToken\" : \"a\" , \"UserAttributes\" : [ ] }\n "},
		{"update", `{"AccessToken":"` + long + `","UserAttributes":[{"Name":"email","Value":"a@b.c"},{"Name":"custom:x","Value":""}],"ClientMetadata":{"k":"v","":""}}`},
		{"escapes", `{"AccessToken":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u4e2d\ud83d\ude00"}`},
		{"unicode raw", `{"AccessToken":"Zoë 中文 😀","ClientMetadata":{"é":"ü"}}`},
		{"lone surrogates", `{"AccessToken":"\ud800 \udc00 \ud800\u0041 \ud800\ud800\udc00 x\ud83d"}`},
		{"escaped key", `{"Access\u0054oken":"t","\u0055serAttributes":[]}`},
		{"invalid utf8", "{\"AccessToken\":\"a\xffb\xc3\x28\xe2\x82\",\"ClientMetadata\":{\"\xfe\":\"\xed\xa0\x80\"}}"},
		{"invalid utf8 with escape", "{\"AccessToken\":\"\\n\xff\"}"},
		{"nulls", `{"AccessToken":null,"UserAttributes":null,"ClientMetadata":null}`},
		{"null elements", `{"UserAttributes":[null,{"Name":null,"Value":"v"}],"ClientMetadata":{"a":null}}`},
		{"empty list and map", `{"UserAttributes":[],"ClientMetadata":{}}`},
		{"unknown members of every kind", `{"x":1,"y":-2.5e-3,"z":"s\u00e9","a":[1,[2,{"b":null}]],"o":{"p":{"q":[true,false]}},"t":true,"f":false,"n":null,"AccessToken":"t"}`},
		{"case mismatch ignored", `{"accesstoken":"t"}`},
		{"duplicate members", `{"AccessToken":"a","AccessToken":"b","ClientMetadata":{"a":"1"},"ClientMetadata":{"b":"2","a":"3"}}`},
		{"duplicate lists merge", `{"UserAttributes":[{"Name":"a"},{"Name":"b"}],"UserAttributes":[{"Value":"c"}],"UserAttributes":[{"Value":"d"},{"Value":"e"},{"Value":"f"}]}`},
		{"duplicate list then empty", `{"UserAttributes":[{"Name":"a"}],"UserAttributes":[],"UserAttributes":[{"Value":"b"}]}`},
		{"nested pool", `{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":8,"RequireUppercase":true,"RequireNumbers":false,"TemporaryPasswordValidityDays":-0}},"Schema":[{"Name":"n","Mutable":true,"NumberAttributeConstraints":{"MinValue":"1"}},{"Name":"m"}],"UserPoolTags":{"a":"b"},"AutoVerifiedAttributes":["email","phone_number"]}`},
		{"nested merge", `{"Policies":{"PasswordPolicy":{"MinimumLength":8}},"Policies":{"PasswordPolicy":{"RequireSymbols":true}}}`},
		{"nested null then value", `{"Policies":null,"Policies":{"SignInPolicy":{}}}`},
		{"int32 bounds", `{"Policies":{"PasswordPolicy":{"MinimumLength":2147483647,"PasswordHistorySize":-2147483648}}}`},
		{"int32 overflow", `{"Policies":{"PasswordPolicy":{"MinimumLength":2147483648}}}`},
		{"int fraction", `{"Policies":{"PasswordPolicy":{"MinimumLength":8.0}}}`},
		{"int exponent", `{"Policies":{"PasswordPolicy":{"MinimumLength":1e2}}}`},
		{"int64", `{"ImportedUsers":9223372036854775807,"SkippedUsers":-9223372036854775808,"FailedUsers":0}`},
		{"int64 overflow", `{"ImportedUsers":9223372036854775808}`},
		{"bool as string", `{"Policies":{"PasswordPolicy":{"RequireUppercase":"true"}}}`},
		{"string as number", `{"PoolName":12}`},
		{"list as object", `{"Schema":{}}`},
		{"structure as list", `{"Policies":[]}`},
		{"map as list", `{"UserPoolTags":["a"]}`},
		{"map value number", `{"UserPoolTags":{"a":1}}`},
		{"timestamps", `{"Username":"u","UserCreateDate":1674946410.123,"UserLastModifiedDate":1.674946410123E9,"Enabled":true,"UserMFASettingList":["SOFTWARE_TOKEN_MFA"],"MFAOptions":[{"DeliveryMedium":"SMS","AttributeName":"phone_number"}]}`},
		{"timestamp negative", `{"UserCreateDate":-1.5,"UserLastModifiedDate":0}`},
		{"timestamp null", `{"UserCreateDate":null}`},
		{"timestamp as string", `{"UserCreateDate":"1674946410"}`},
		{"timestamp out of range", `{"UserCreateDate":1e20}`},
		{"document", `{"Settings":{"a":[1,2.5,"x\u0041",null,{"b":{}}],"c":true},"UseCognitoProvidedValues":false}`},
		{"document scalar and spaces", `{"Settings" :  [ 1 , "é" ] , "ClientId":"c"}`},
		{"document null", `{"Settings":null}`},
		{"document duplicate", `{"Settings":{"a":1},"Settings":"x"}`},
		{"blobs", `{"Assets":[{"Category":"FORM_LOGO","Bytes":"aGVsbG8="},{"Bytes":""},{"Bytes":null},{"Bytes":"aGV\nsbG8="}]}`},
		{"blob escaped", `{"ImageFile":"aGVs\u0062G8="}`},
		{"blob as byte array", `{"ImageFile":[104,105,null,0,255]}`},
		{"blob empty array", `{"ImageFile":[]}`},
		{"blob array overflow", `{"ImageFile":[256]}`},
		{"blob array negative", `{"ImageFile":[-1]}`},
		{"blob bad base64", `{"ImageFile":"a"}`},
		{"blob number", `{"ImageFile":1}`},
		{"admin create", `{"UserPoolId":"us-east-1_abc","Username":"bob","UserAttributes":[{"Name":"email","Value":"b@x.io"}],"DesiredDeliveryMediums":["EMAIL",null],"ForceAliasCreation":true,"MessageAction":"SUPPRESS"}`},
		{"top-level null", `null`},
		{"top-level array", `[]`},
		{"top-level string", `"x"`},
		{"trailing garbage", `{} x`},
		{"two objects", `{}{}`},
		{"trailing comma", `{"AccessToken":"a",}`},
		{"trailing comma in list", `{"UserAttributes":[{},]}`},
		{"missing colon", `{"AccessToken" "a"}`},
		{"unterminated", `{"AccessToken":"a`},
		{"control character", "{\"AccessToken\":\"a\x01\"}"},
		{"control character in unknown", "{\"x\":\"\x1f\"}"},
		{"bad escape", `{"AccessToken":"\x"}`},
		{"short unicode escape", `{"AccessToken":"\u12"}`},
		{"bad literal", `{"AccessToken":nul}`},
		{"leading zero", `{"x":01}`},
		{"bare minus", `{"x":-}`},
		{"dot without digits", `{"x":1.}`},
		{"exponent without digits", `{"x":1e}`},
		{"plus sign", `{"x":+1}`},
		{"single quotes", `{'x':1}`},
		{"type error before syntax error", `{"PoolName":1,}`},
		{"empty", ``},
		{"deep unknown", `{"x":` + strings.Repeat("[", 9998) + strings.Repeat("]", 9998) + `}`},
		{"too deep", `{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`},
	}
	for _, tc := range bodies {
		t.Run(tc.name, func(t *testing.T) {
			for _, newV := range decodeTargets() {
				if msg := compareWithStdlib([]byte(tc.body), newV); msg != "" {
					t.Errorf("%T: %s", newV(), msg)
				}
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	const secret = "hunter2-SECRET"
	tests := []struct {
		name   string
		body   string
		reason DecodeReason
		member string
	}{
		{"syntax", `{"AccessToken":"` + secret + `"`, DecodeSyntax, ""},
		{"not an object", `["` + secret + `"]`, DecodeType, ""},
		{"wrong type", `{"AccessToken":["` + secret + `"]}`, DecodeType, "AccessToken"},
		{"nested wrong type", `{"UserAttributes":[{"Name":"n","Value":{"v":"` + secret + `"}}]}`, DecodeType, "UserAttributes.Value"},
		{"map value wrong type", `{"ClientMetadata":{"` + secret + `":true}}`, DecodeType, "ClientMetadata"},
		{"type error then syntax error", `{"AccessToken":1,"x":"` + secret + `}`, DecodeSyntax, ""},
		{"case mismatch is not a member", `{"accessToken":1}`, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in UpdateUserAttributesRequest
			err := Decode([]byte(tc.body), &in)
			if tc.name == "case mismatch is not a member" {
				if err != nil || in.AccessToken != nil {
					t.Fatalf("got %v, %v; want the member ignored", err, in.AccessToken)
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a *DecodeError", err)
			}
			if de.Reason != tc.reason || de.Member != tc.member {
				t.Errorf("got reason %d member %q, want %d %q", de.Reason, de.Member, tc.reason, tc.member)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q leaks the value", err)
			}
		})
	}
	t.Run("unsupported target", func(t *testing.T) {
		var v struct{ A string }
		if err := Decode([]byte(`{}`), &v); err == nil {
			t.Fatal("decoding into a non-model type succeeded")
		}
	})
}

// FuzzDecodeMatchesStdlib requires Decode never to panic and to agree with
// encoding/json on every input whose keys match member names exactly:
// the same values when both accept, an error when encoding/json fails, and a
// syntax error for invalid JSON.
func FuzzDecodeMatchesStdlib(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `{"AccessToken":"a\u00e9\ud800","UserAttributes":[{"Name":"n","Value":"v"}],"ClientMetadata":{"k":"v"}}`,
		`{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":8,"RequireUppercase":true}},"Schema":[{"Name":"x","Mutable":false}]}`,
		`{"Settings":{"a":[1,"b",null]},"Assets":[{"Bytes":"aGk="}]}`, `{"ImageFile":[1,2,null]}`,
		`{"UserCreateDate":1674946410.5,"Enabled":true,"UserMFASettingList":["A"]}`,
		`{"ImportedUsers":-12,"x":{"y":[true,false,null,1e5]}}`,
		`{"UserAttributes":[{"Name":"a"},{"Name":"b"}],"UserAttributes":[{"Value":"c"}],"UserAttributes":[{},{},{}]}`,
		"{\"AccessToken\":\"\xff\\n\"}", `{"PoolName":1,}`,
	} {
		f.Add([]byte(seed))
	}
	targets := decodeTargets()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, newV := range targets {
			if msg := compareWithStdlib(data, newV); msg != "" {
				t.Fatalf("%T %q: %s", newV(), data, msg)
			}
		}
	})
}

func BenchmarkDecodeUpdateUserAttributes(b *testing.B) {
	body := []byte(`{"AccessToken":"` + validToken + `","UserAttributes":[{"Name":"custom:tier","Value":"gold-123"},{"Name":"given_name","Value":"Jane-123"}]}`)
	decoders := []struct {
		name   string
		decode func([]byte, any) error
	}{{"Decode", Decode}, {"encoding-json", json.Unmarshal}}
	for _, d := range decoders {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var in UpdateUserAttributesRequest
				if err := d.decode(body, &in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDecFloat64 covers the decoder of double members, which the current
// model does not use, against encoding/json.
func TestDecFloat64(t *testing.T) {
	for _, in := range []string{`0`, `-0`, `1.5`, `-2.5e-3`, `1E308`, `1e309`, `1e-400`, `null`, `"1"`, `true`, `[1]`, `1.`, `-`} {
		t.Run(in, func(t *testing.T) {
			var got, want float64 = 7, 7
			r := Reader{data: []byte(in)}
			err := decFloat64(&got, &r)
			if err == nil && r.pos != len(in) {
				t.Fatalf("consumed %d of %d bytes", r.pos, len(in))
			}
			stdErr := json.Unmarshal([]byte(in), &want)
			if (err == nil) != (stdErr == nil) || err == nil && got != want {
				t.Errorf("got %v, %v; encoding/json %v, %v", got, err, want, stdErr)
			}
		})
	}
}
