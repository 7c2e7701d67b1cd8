package users

import (
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
)

// testPool builds a pool from cfg with the standard schema plus customs.
func testPool(t *testing.T, cfg model.UserPoolType, customs ...model.SchemaAttributeType) *core.Pool {
	t.Helper()
	schema, err := core.BuildSchema(customs)
	if err != nil {
		t.Fatal(err)
	}
	cfg.SchemaAttributes = schema
	return core.BuildPool("us-east-1_test", time.Time{}, &cfg)
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
	self := Writer{Client: &core.Client{Cfg: model.UserPoolClientType{}}}
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
			_, err := CheckAttributes(p, self, tt.in, "", "user.", false)
			ce, ok := cognito.As(err)
			if !ok || ce.Code != tt.code || ce.Message != tt.msg {
				t.Fatalf("checkAttributes = %v, want %s %q", err, tt.code, tt.msg)
			}
		})
	}
	t.Run("creating may set immutable attributes", func(t *testing.T) {
		if _, err := CheckAttributes(p, Writer{}, attrIn("custom:x", "1"), "", "user.", true); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPlanAttributes(t *testing.T) {
	env := &core.Env{Random: rand.Reader}
	s := &Service{Env: env, delivery: &delivery.Service{Env: env}}
	email := []string{"email"}
	modeA := testPool(t, model.UserPoolType{})
	modeB := testPool(t, model.UserPoolType{AutoVerifiedAttributes: email})
	modeC := testPool(t, model.UserPoolType{AutoVerifiedAttributes: email,
		UserAttributeUpdateSettings: &model.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: email}})
	self := Writer{Client: &core.Client{}}
	tests := []struct {
		name    string
		p       *core.Pool
		w       Writer
		changes []core.AttrChange
		want    []core.AttrChange
		pending map[string]string
		sends   int
	}{
		{"A writes, unverifies, sends nothing", modeA, self, []core.AttrChange{{Name: "email", Value: "n@x.y"}},
			[]core.AttrChange{{Name: "email", Value: "n@x.y"}, {Name: "email_verified", Value: "false"}}, map[string]string{"email": ""}, 0},
		{"B writes, unverifies, sends", modeB, self, []core.AttrChange{{Name: "email", Value: "n@x.y"}},
			[]core.AttrChange{{Name: "email", Value: "n@x.y"}, {Name: "email_verified", Value: "false"}}, map[string]string{"email": ""}, 1},
		{"C holds and sends", modeC, self, []core.AttrChange{{Name: "email", Value: "n@x.y"}, {Name: "nickname", Value: "n"}},
			[]core.AttrChange{{Name: "nickname", Value: "n"}}, map[string]string{"email": "n@x.y"}, 1},
		{"C blank deletes", modeC, self, []core.AttrChange{{Name: "email", Value: ""}},
			[]core.AttrChange{{Name: "email", Value: ""}, {Name: "email_verified", Value: ""}}, map[string]string{"email": ""}, 0},
		{"same value is a no-op", modeB, self, []core.AttrChange{{Name: "email", Value: "o@x.y"}}, nil, map[string]string{}, 0},
		{"self-service cannot verify", modeB, self, []core.AttrChange{{Name: "email_verified", Value: "true"}}, nil, map[string]string{}, 0},
		{"admin verified flag writes without a message", modeC, Writer{}, []core.AttrChange{{Name: "email", Value: "n@x.y"}, {Name: "email_verified", Value: "true"}},
			[]core.AttrChange{{Name: "email_verified", Value: "true"}, {Name: "email", Value: "n@x.y"}}, map[string]string{"email": ""}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &core.User{Doc: &core.UserDoc{Attributes: map[string]string{"email": "o@x.y", "email_verified": "true"}}}
			plan, err := s.PlanAttributes(tt.p, u, tt.w, tt.changes)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(plan.Changes, tt.want) {
				t.Errorf("changes = %v, want %v", plan.Changes, tt.want)
			}
			if len(plan.Pending) != len(tt.pending) {
				t.Errorf("pending = %v, want %v", plan.Pending, tt.pending)
			}
			for k, v := range tt.pending {
				if got, ok := plan.Pending[k]; !ok || got != v {
					t.Errorf("pending[%s] = %q (%v), want %q", k, got, ok, v)
				}
			}
			if len(plan.Sends) != tt.sends {
				t.Fatalf("%d sends, want %d", len(plan.Sends), tt.sends)
			}
			for _, o := range plan.Sends {
				if o.Value != "n@x.y" || len(o.Code) != 6 {
					t.Errorf("send to %q with code %q", o.Value, o.Code)
				}
			}
		})
	}
}

func TestSameContactState(t *testing.T) {
	base := func() *core.User {
		return &core.User{Doc: &core.UserDoc{Attributes: map[string]string{"email": "a@x.y", "email_verified": "true", "nickname": "n"}}}
	}
	tests := []struct {
		name    string
		change  func(u *core.User)
		changes []core.AttrChange
		same    bool
	}{
		{"unchanged", func(*core.User) {}, []core.AttrChange{{Name: "email", Value: "b@x.y"}}, true},
		{"other attribute changed", func(u *core.User) { u.Doc.Attributes["nickname"] = "m" }, []core.AttrChange{{Name: "email", Value: "b@x.y"}}, true},
		{"email changed, not touched", func(u *core.User) { u.Doc.Attributes["email"] = "c@x.y" }, []core.AttrChange{{Name: "nickname", Value: "k"}}, true},
		{"email changed", func(u *core.User) { u.Doc.Attributes["email"] = "c@x.y" }, []core.AttrChange{{Name: "email", Value: "b@x.y"}}, false},
		{"flag changed", func(u *core.User) { u.Doc.Attributes["email_verified"] = "false" }, []core.AttrChange{{Name: "email_verified", Value: "true"}}, false},
		{"pending changed", func(u *core.User) { u.Doc.Pending = map[string]string{"email": "p@x.y"} }, []core.AttrChange{{Name: "email", Value: "b@x.y"}}, false},
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
