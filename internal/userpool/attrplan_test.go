package userpool

import (
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
)

// testPool builds a pool from cfg with the standard schema plus customs.
func testPool(t *testing.T, cfg model.UserPoolType, customs ...model.SchemaAttributeType) *pool {
	t.Helper()
	schema, err := buildSchema(customs)
	if err != nil {
		t.Fatal(err)
	}
	cfg.SchemaAttributes = schema
	return buildPool("us-east-1_test", time.Time{}, &cfg)
}

func attrIn(kv ...string) []model.AttributeType {
	var out []model.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, model.AttributeType{Name: model.String(kv[i]), Value: model.String(kv[i+1])})
	}
	return out
}

func TestCheckAttributesOrder(t *testing.T) {
	p := testPool(t, model.UserPoolType{},
		model.SchemaAttributeType{Name: model.String("x"), AttributeDataType: model.String("String"), Mutable: model.Bool(false)})
	self := writer{client: &client{cfg: model.UserPoolClientType{}}}
	null := model.AttributeType{Name: model.String("nickname")}
	sub := model.AttributeType{Name: model.String("sub")}
	tests := []struct {
		name string
		in   []model.AttributeType
		code cognito.Code
		msg  string
	}{
		{"sub before null", []model.AttributeType{null, sub}, cognito.InvalidParameter, "Cannot modify the non-mutable attribute sub"},
		{"null before unauthorized", append(attrIn("email_verified", "true"), null), cognito.InvalidParameter, "Attribute value for nickname must not be null"},
		{"unauthorized before schema", attrIn("custom:x", "1", "email_verified", "true"), cognito.NotAuthorized, "A client attempted to write unauthorized attribute"},
		{"schema before format", attrIn("email", "bad", "custom:x", "1"), cognito.InvalidParameter, "user.custom:x: Attribute cannot be updated.\n"},
		{"format", attrIn("email", "bad"), cognito.InvalidParameter, "Invalid email address format."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := checkAttributes(p, self, tt.in, "", "user.", false)
			ce, ok := cognito.As(err)
			if !ok || ce.Code != tt.code || ce.Message != tt.msg {
				t.Fatalf("checkAttributes = %v, want %s %q", err, tt.code, tt.msg)
			}
		})
	}
	t.Run("creating may set immutable attributes", func(t *testing.T) {
		if _, err := checkAttributes(p, writer{}, attrIn("custom:x", "1"), "", "user.", true); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPlanAttributes(t *testing.T) {
	s := &Service{random: rand.Reader}
	email := []string{"email"}
	modeA := testPool(t, model.UserPoolType{})
	modeB := testPool(t, model.UserPoolType{AutoVerifiedAttributes: email})
	modeC := testPool(t, model.UserPoolType{AutoVerifiedAttributes: email,
		UserAttributeUpdateSettings: &model.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: email}})
	self := writer{client: &client{}}
	tests := []struct {
		name    string
		p       *pool
		w       writer
		changes []attrChange
		want    []attrChange
		pending map[string]string
		sends   int
	}{
		{"A writes, unverifies, sends nothing", modeA, self, []attrChange{{"email", "n@x.y"}},
			[]attrChange{{"email", "n@x.y"}, {"email_verified", "false"}}, map[string]string{"email": ""}, 0},
		{"B writes, unverifies, sends", modeB, self, []attrChange{{"email", "n@x.y"}},
			[]attrChange{{"email", "n@x.y"}, {"email_verified", "false"}}, map[string]string{"email": ""}, 1},
		{"C holds and sends", modeC, self, []attrChange{{"email", "n@x.y"}, {"nickname", "n"}},
			[]attrChange{{"nickname", "n"}}, map[string]string{"email": "n@x.y"}, 1},
		{"C blank deletes", modeC, self, []attrChange{{"email", ""}},
			[]attrChange{{"email", ""}, {"email_verified", ""}}, map[string]string{"email": ""}, 0},
		{"same value is a no-op", modeB, self, []attrChange{{"email", "o@x.y"}}, nil, map[string]string{}, 0},
		{"self-service cannot verify", modeB, self, []attrChange{{"email_verified", "true"}}, nil, map[string]string{}, 0},
		{"admin verified flag writes without a message", modeC, writer{}, []attrChange{{"email", "n@x.y"}, {"email_verified", "true"}},
			[]attrChange{{"email_verified", "true"}, {"email", "n@x.y"}}, map[string]string{"email": ""}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &user{doc: &userDoc{Attributes: map[string]string{"email": "o@x.y", "email_verified": "true"}}}
			plan, err := s.planAttributes(tt.p, u, tt.w, tt.changes)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(plan.changes, tt.want) {
				t.Errorf("changes = %v, want %v", plan.changes, tt.want)
			}
			if len(plan.pending) != len(tt.pending) {
				t.Errorf("pending = %v, want %v", plan.pending, tt.pending)
			}
			for k, v := range tt.pending {
				if got, ok := plan.pending[k]; !ok || got != v {
					t.Errorf("pending[%s] = %q (%v), want %q", k, got, ok, v)
				}
			}
			if len(plan.sends) != tt.sends {
				t.Fatalf("%d sends, want %d", len(plan.sends), tt.sends)
			}
			for _, o := range plan.sends {
				if o.value != "n@x.y" || len(o.code) != 6 {
					t.Errorf("send to %q with code %q", o.value, o.code)
				}
			}
		})
	}
}

func TestSameContactState(t *testing.T) {
	base := func() *user {
		return &user{doc: &userDoc{Attributes: map[string]string{"email": "a@x.y", "email_verified": "true", "nickname": "n"}}}
	}
	tests := []struct {
		name    string
		change  func(u *user)
		changes []attrChange
		same    bool
	}{
		{"unchanged", func(*user) {}, []attrChange{{"email", "b@x.y"}}, true},
		{"other attribute changed", func(u *user) { u.doc.Attributes["nickname"] = "m" }, []attrChange{{"email", "b@x.y"}}, true},
		{"email changed, not touched", func(u *user) { u.doc.Attributes["email"] = "c@x.y" }, []attrChange{{"nickname", "k"}}, true},
		{"email changed", func(u *user) { u.doc.Attributes["email"] = "c@x.y" }, []attrChange{{"email", "b@x.y"}}, false},
		{"flag changed", func(u *user) { u.doc.Attributes["email_verified"] = "false" }, []attrChange{{"email_verified", "true"}}, false},
		{"pending changed", func(u *user) { u.doc.Pending = map[string]string{"email": "p@x.y"} }, []attrChange{{"email", "b@x.y"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := base(), base()
			tt.change(b)
			if got := sameContactState(a, b, tt.changes); got != tt.same {
				t.Errorf("sameContactState = %v, want %v", got, tt.same)
			}
		})
	}
}
