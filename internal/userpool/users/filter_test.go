package users

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     *Filter
	}{
		{"empty", "", nil},
		{"blank", "   ", nil},
		{"equals", `email = "a@b.c"`, &Filter{Attribute: "email", Value: "a@b.c"}},
		{"no spaces", `email="a@b.c"`, &Filter{Attribute: "email", Value: "a@b.c"}},
		{"prefix", `phone_number ^= "+44"`, &Filter{Attribute: "phone_number", Prefix: true, Value: "+44"}},
		{"prefix no spaces", `name^="Jo"`, &Filter{Attribute: "name", Prefix: true, Value: "Jo"}},
		{"quoted name", `"email" = "x"`, &Filter{Attribute: "email", Value: "x"}},
		{"escaped quote", `given_name = "a \"b\""`, &Filter{Attribute: "given_name", Value: `a "b"`}},
		{"escaped backslash", `given_name = "a\\b"`, &Filter{Attribute: "given_name", Value: `a\b`}},
		{"empty value", `email = ""`, &Filter{Attribute: "email", Value: ""}},
		{"spaces in value", `name = " a b "`, &Filter{Attribute: "name", Value: " a b "}},
		{"status", `status = "Enabled"`, &Filter{Attribute: "status", Value: "Enabled"}},
		{"user status", `cognito:user_status = "UNCONFIRMED"`, &Filter{Attribute: "cognito:user_status", Value: "UNCONFIRMED"}},
		{"sub", `sub = "x"`, &Filter{Attribute: "sub", Value: "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseFilter(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("ParseFilter(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseFilterErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, message string
	}{
		{"name only", `email`, "Error while parsing filter."},
		{"unquoted value", `email = a`, "Error while parsing filter."},
		{"unknown operator", `email ~= "a"`, "Error while parsing filter."},
		{"not equals", `email != "a"`, "Error while parsing filter."},
		{"two values", `email = "a" "b"`, "Error while parsing filter."},
		{"unterminated", `email = "a`, "Error while parsing filter."},
		{"lone quote", `email = "`, "Error while parsing filter."},
		{"escaped closing quote", `email = "a\"`, "Error while parsing filter."},
		{"no name", `= "a"`, "Error while parsing filter."},
		{"and", `email = "a" and name = "b"`, "Error while parsing filter."},
		{"custom attribute", `custom:tier = "gold"`, "Invalid search attribute: custom:tier"},
		{"unsearchable", `locale = "en"`, "Invalid search attribute: locale"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFilter(tc.in)
			ce, ok := cognito.As(err)
			if !ok || ce.Code != cognito.InvalidParameter || ce.Message != tc.message {
				t.Errorf("ParseFilter(%q) error = %v, want InvalidParameterException %q", tc.in, err, tc.message)
			}
		})
	}
}

func TestFilterMatch(t *testing.T) {
	t.Parallel()
	u := &core.User{Doc: &core.UserDoc{Attributes: map[string]string{"email": "Ann@Example.com"}, Status: core.StatusConfirmed, Enabled: true}}
	u.Rec.Username = "ann"
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		{`email = "Ann@Example.com"`, true},
		{`email ^= "Ann"`, true},
		{`email ^= ""`, true},
		{`email = "Ann"`, false},
		{`username = "ann"`, true},
		{`username ^= "b"`, false},
		{`status = "Enabled"`, true},
		{`status = "Disabled"`, false},
		{`cognito:user_status = "CONFIRMED"`, true},
		{`cognito:user_status = "confirmed"`, true},
		{`status = "enabled"`, false},
		{`phone_number ^= "+"`, false},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			f, err := ParseFilter(tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.match(u); got != tc.want {
				t.Errorf("match = %v, want %v", got, tc.want)
			}
		})
	}
}

// FuzzParseFilter requires the parser never to panic and to fail only with
// InvalidParameterException.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`email = "a"`, `name ^= "\"x\\"`, `"`, `^=`, `a = "b" c`, "\x00 = \"\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFilter(s)
		if err != nil {
			if !cognito.IsCode(err, cognito.InvalidParameter) {
				t.Fatalf("ParseFilter(%q) error %v", s, err)
			}
			return
		}
		if got != nil && !core.IsSearchable(got.Attribute) {
			t.Fatalf("ParseFilter(%q) accepted attribute %q", s, got.Attribute)
		}
	})
}
