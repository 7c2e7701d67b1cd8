package model

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestAppendJSONMatchesEncodingJSON fills every structure shape with random
// values, awkward strings included, and checks that AppendJSON writes
// exactly the bytes encoding/json writes.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := encodableShapes()
	if len(shapes) < 300 {
		t.Fatalf("only %d encodable shapes", len(shapes))
	}
	for _, newV := range shapes {
		nilPtr := reflect.Zero(reflect.TypeOf(newV())).Interface().(Appender)
		if got := string(nilPtr.AppendJSON(nil)); got != "null" {
			t.Errorf("%T(nil): %s, want null", nilPtr, got)
		}
		for round := range 20 {
			v := newV()
			fill(rng, reflect.ValueOf(v).Elem(), 0, round == 0)
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T: encoding/json: %v", v, err)
			}
			got := v.(Appender).AppendJSON([]byte("prefix"))
			if !bytes.Equal(got[len("prefix"):], want) || !bytes.HasPrefix(got, []byte("prefix")) {
				t.Fatalf("%T:\n got %s\nwant %s", v, got, want)
			}
		}
	}
}

var awkwardStrings = []string{
	"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\rcr",
	"\b\f\x00\x01\x1f\x7f", "é ü 日本 🎉", "\u2028\u2029", "bad \xff\xfe utf8 \xe2\x82", "custom:tier",
}

// fill sets v to random content. full sets every optional member, so that
// each member's encoding is exercised at least once per shape.
func fill(rng *rand.Rand, v reflect.Value, depth int, full bool) {
	switch v.Type() {
	case reflect.TypeFor[Time]():
		ms := rng.Int64N(4_000_000_000_000) - 1_000_000_000_000
		if rng.IntN(3) == 0 {
			ms -= ms % 1000
		}
		v.Set(reflect.ValueOf(Time{time.UnixMilli(ms).UTC()}))
		return
	case reflect.TypeFor[Document]():
		docs := []string{`{"a": [1, "x<y", null, true], "b": {"c": 2.5}}`, `"text"`, `42`, `null`}
		v.Set(reflect.ValueOf(Document{json.RawMessage(docs[rng.IntN(len(docs))])}))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !full && (depth > 3 || rng.IntN(3) == 0) {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(rng, p.Elem(), depth+1, false)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(rng, v.Field(i), depth, full)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // blob
			switch rng.IntN(3) {
			case 0:
				if !full {
					return
				}
				v.SetBytes([]byte{})
			default:
				b := make([]byte, rng.IntN(10))
				for i := range b {
					b[i] = byte(rng.IntN(256))
				}
				v.SetBytes(b)
			}
			return
		}
		if !full && (depth > 3 || rng.IntN(4) == 0) {
			return // nil
		}
		n := rng.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fill(rng, s.Index(i), depth+1, false)
		}
		v.Set(s)
	case reflect.Map:
		if !full && (depth > 3 || rng.IntN(4) == 0) {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range rng.IntN(4) {
			k := awkwardStrings[rng.IntN(len(awkwardStrings))]
			e := reflect.New(v.Type().Elem()).Elem()
			fill(rng, e, depth+1, false)
			m.SetMapIndex(reflect.ValueOf(k), e)
		}
		v.Set(m)
	case reflect.String:
		v.SetString(awkwardStrings[rng.IntN(len(awkwardStrings))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int32, reflect.Int64:
		v.SetInt(rng.Int64N(1<<40) - 1<<39)
	default:
		panic("fill: unexpected kind " + v.Kind().String())
	}
}

func BenchmarkAppendJSONGetUser(b *testing.B) {
	out := getUserOutput()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = out.AppendJSON(buf[:0])
	}
}

func BenchmarkEncodingJSONGetUser(b *testing.B) {
	out := getUserOutput()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(out); err != nil {
			b.Fatal(err)
		}
	}
}

func getUserOutput() *GetUserResponse {
	out := &GetUserResponse{Username: String("jane")}
	for _, kv := range [][2]string{{"sub", "4b6c2f7e-1d0a-4c1e-9a55-0f6f4d3f8a21"}, {"email", "jane@example.com"},
		{"email_verified", "true"}, {"given_name", "Jane"}, {"custom:tier", "gold"}} {
		out.UserAttributes = append(out.UserAttributes, AttributeType{Name: String(kv[0]), Value: String(kv[1])})
	}
	return out
}
