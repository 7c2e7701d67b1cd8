package core

import (
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
)

func TestCheckValue(t *testing.T) {
	str := func(min, max string) *model.SchemaAttributeType {
		c := &model.StringAttributeConstraintsType{}
		if min != "" {
			c.MinLength = model.String(min)
		}
		if max != "" {
			c.MaxLength = model.String(max)
		}
		return &model.SchemaAttributeType{AttributeDataType: model.String("String"), StringAttributeConstraints: c}
	}
	num := &model.SchemaAttributeType{AttributeDataType: model.String("Number"),
		NumberAttributeConstraints: &model.NumberAttributeConstraintsType{MinValue: model.String("-5"), MaxValue: model.String("10")}}
	boolean := &model.SchemaAttributeType{AttributeDataType: model.String("Boolean")}
	date := &model.SchemaAttributeType{AttributeDataType: model.String("DateTime")}
	tests := []struct {
		name  string
		attr  *model.SchemaAttributeType
		value string
		want  string
	}{
		{"string in range", str("2", "5"), "abc", ""},
		{"string too short", str("2", "5"), "a", "String must be no shorter than 2 characters"},
		{"string too long", str("2", "5"), "abcdef", "String must be no longer than 5 characters"},
		{"length counts characters, not bytes", str("", "3"), "äöü", ""},
		{"default maximum", str("", ""), strings.Repeat("x", 2049), "String must be no longer than 2048 characters"},
		{"number", num, "3.5", ""},
		{"number at min", num, "-5", ""},
		{"number below min", num, "-6", "Number must be no less than -5"},
		{"number above max", num, "11", "Number must be no greater than 10"},
		{"not a number", num, "ten", "Attribute value is not a number"},
		{"NaN", num, "NaN", "Attribute value is not a number"},
		{"infinity", num, "Inf", "Attribute value is not a number"},
		{"boolean", boolean, "true", ""},
		{"boolean any case", boolean, "FALSE", ""},
		{"not a boolean", boolean, "1", "Attribute value is not a boolean"},
		{"date", date, "2024-01-02", ""},
		{"date time", date, "2024-01-02T03:04:05Z", ""},
		{"not a date", date, "yesterday", "Attribute value is not a valid date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckValue(tt.attr, tt.value); got != tt.want {
				t.Errorf("checkValue(%q) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}

func TestCheckFormat(t *testing.T) {
	tests := []struct {
		name, attr, value string
		ok                bool
	}{
		{"email", "email", "Jane.Doe+x@example.com", true},
		{"email without at", "email", "jane.example.com", false},
		{"email with two ats", "email", "a@b@c", false},
		{"email with space", "email", "a b@c.d", false},
		{"phone", "phone_number", "+14325551212", true},
		{"phone without plus", "phone_number", "14325551212", false},
		{"phone with dashes", "phone_number", "+1-432-555-1212", false},
		{"phone with parentheses", "phone_number", "+1(432)5551212", false},
		{"phone too long", "phone_number", "+1234567890123456", false},
		{"other attributes unchecked", "name", "anything @ all", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckFormat(tt.attr, tt.value)
			if (err == nil) != tt.ok {
				t.Fatalf("checkFormat(%s, %q) = %v, want ok %v", tt.attr, tt.value, err, tt.ok)
			}
			if err != nil && !cognito.IsCode(err, cognito.InvalidParameter) {
				t.Errorf("error code of %v, want InvalidParameterException", err)
			}
		})
	}
}

func TestProblemsError(t *testing.T) {
	ps := []Problem{{"custom:a", "Attribute cannot be updated."}, {"b", "Attribute does not exist in the schema."}}
	tests := []struct {
		name, lead, prefix, want string
	}{
		{"update", "", "user.", "user.custom:a: Attribute cannot be updated.\nuser.b: Attribute does not exist in the schema.\n"},
		{"sign-up", "Attributes did not conform to the schema: ", "",
			"Attributes did not conform to the schema: custom:a: Attribute cannot be updated.\nb: Attribute does not exist in the schema.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ProblemsError(tt.lead, tt.prefix, ps)
			if ce, ok := cognito.As(err); !ok || ce.Code != cognito.InvalidParameter || ce.Message != tt.want {
				t.Errorf("problemsError = %v, want %q", err, tt.want)
			}
		})
	}
}

// FuzzCheckValue: no value of any type panics, and a value accepted as a
// number parses as one.
func FuzzCheckValue(f *testing.F) {
	for _, s := range []string{"", "1", "-0.5", "1e309", "NaN", "true", "2024-01-02", "äöü"} {
		f.Add(s)
	}
	types := []*model.SchemaAttributeType{
		{AttributeDataType: model.String("String"), StringAttributeConstraints: &model.StringAttributeConstraintsType{MinLength: model.String("1"), MaxLength: model.String("8")}},
		{AttributeDataType: model.String("Number"), NumberAttributeConstraints: &model.NumberAttributeConstraintsType{MinValue: model.String("0")}},
		{AttributeDataType: model.String("Boolean")},
		{AttributeDataType: model.String("DateTime")},
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, a := range types {
			_ = CheckValue(a, v)
		}
		_ = CheckFormat("email", v)
		_ = CheckFormat("phone_number", v)
	})
}
