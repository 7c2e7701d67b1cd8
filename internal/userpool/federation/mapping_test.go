package federation

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

func testPool(t *testing.T) *core.Pool {
	t.Helper()
	schema, err := core.BuildSchema([]model.SchemaAttributeType{
		{Name: model.String("team"), AttributeDataType: model.String("String"), Mutable: model.Bool(true),
			StringAttributeConstraints: &model.StringAttributeConstraintsType{MaxLength: model.String("5")}},
		{Name: model.String("level"), AttributeDataType: model.String("Number"), Mutable: model.Bool(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return core.BuildPool("us-east-1_aaa", time.Now(), &model.UserPoolType{SchemaAttributes: schema})
}

func TestMapClaims(t *testing.T) {
	p := testPool(t)
	claims := map[string]any{"sub": "s-1", "email": "a@example.com", "email_verified": true, "oid": "o-9",
		"dept": "eng", "long": "much too long", "lvl": float64(3), "addr": map[string]any{"country": "FR"}, "empty": ""}
	for _, tc := range []struct {
		name    string
		mapping map[string]string
		id      string
		attrs   map[string]string
		fails   bool
	}{
		{name: "sub names the user by default", mapping: map[string]string{"email": "email"}, id: "s-1",
			attrs: map[string]string{"email": "a@example.com"}},
		{name: "username from another claim", mapping: map[string]string{"username": "oid"}, id: "o-9", attrs: map[string]string{}},
		{name: "no such claim to name the user", mapping: map[string]string{"username": "upn"}, fails: true},
		{name: "booleans, numbers and objects as text", id: "s-1",
			mapping: map[string]string{"email_verified": "email_verified", "custom:level": "lvl", "address": "addr"},
			attrs:   map[string]string{"email_verified": "true", "custom:level": "3", "address": `{"country":"FR"}`}},
		{name: "custom attributes", mapping: map[string]string{"custom:team": "dept"}, id: "s-1", attrs: map[string]string{"custom:team": "eng"}},
		{name: "left out: absent and empty claims, unknown and reserved attributes, refused values", id: "s-1",
			mapping: map[string]string{"name": "nope", "nickname": "empty", "custom:nope": "dept", "sub": "email", "identities": "email", "custom:team": "long"},
			attrs:   map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, attrs, err := MapClaims(p, tc.mapping, claims)
			if tc.fails {
				if err == nil {
					t.Fatalf("MapClaims = %q %v, want an error", id, attrs)
				}
				return
			}
			if err != nil || id != tc.id || !reflect.DeepEqual(attrs, tc.attrs) {
				t.Errorf("MapClaims = %q %v %v, want %q %v", id, attrs, err, tc.id, tc.attrs)
			}
		})
	}
}

func TestIdentitiesValue(t *testing.T) {
	created := time.UnixMilli(1_700_000_000_123)
	got := identitiesValue(&Upstream{Name: "Corp", Type: "OIDC"}, "s-1", created)
	want := `[{"userId":"s-1","providerName":"Corp","providerType":"OIDC","issuer":null,"primary":true,"dateCreated":1700000000123}]`
	if got != want {
		t.Errorf("identities = %s, want %s", got, want)
	}
	var v []map[string]any
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatal(err)
	}
}
