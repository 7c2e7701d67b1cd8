package core

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
)

// customPrefix marks custom attributes on the wire.
const customPrefix = "custom:"

// standardAttribute describes one of Cognito's standard attributes as
// DescribeUserPool lists it by default.
type standardAttribute struct {
	name     string
	dataType string
	mutable  bool
	required bool
	minLen   string // "" means no string constraint
	maxLen   string
	minValue string // Number only
}

// StandardSchema is the default schema of every pool, in Cognito's order.
func StandardSchema() []standardAttribute {
	str := func(name string) standardAttribute {
		return standardAttribute{name: name, dataType: "String", mutable: true, minLen: "0", maxLen: "2048"}
	}
	birth := str("birthdate")
	birth.minLen, birth.maxLen = "10", "10"
	return []standardAttribute{
		{name: "sub", dataType: "String", mutable: false, required: true, minLen: "1", maxLen: "2048"},
		str("name"), str("given_name"), str("family_name"), str("middle_name"), str("nickname"),
		str("preferred_username"), str("profile"), str("picture"), str("website"), str("email"),
		{name: "email_verified", dataType: "Boolean", mutable: true},
		str("gender"), birth, str("zoneinfo"), str("locale"), str("phone_number"),
		{name: "phone_number_verified", dataType: "Boolean", mutable: true},
		str("address"),
		{name: "updated_at", dataType: "Number", mutable: true, minValue: "0"},
		{name: "identities", dataType: "String", mutable: true, minLen: "", maxLen: ""},
	}
}

func (a standardAttribute) schema() model.SchemaAttributeType {
	t := model.SchemaAttributeType{
		Name:                   model.String(a.name),
		AttributeDataType:      model.String(a.dataType),
		DeveloperOnlyAttribute: model.Bool(false),
		Mutable:                model.Bool(a.mutable),
		Required:               model.Bool(a.required),
	}
	switch a.dataType {
	case "String":
		c := &model.StringAttributeConstraintsType{}
		if a.minLen != "" {
			c.MinLength = model.String(a.minLen)
		}
		if a.maxLen != "" {
			c.MaxLength = model.String(a.maxLen)
		}
		t.StringAttributeConstraints = c
	case "Number":
		t.NumberAttributeConstraints = &model.NumberAttributeConstraintsType{MinValue: model.String(a.minValue)}
	}
	return t
}

func IsStandardAttribute(name string) bool {
	for _, a := range StandardSchema() {
		if a.name == name {
			return true
		}
	}
	return false
}

// BuildSchema merges a CreateUserPool Schema into the standard schema.
func BuildSchema(in []model.SchemaAttributeType) ([]model.SchemaAttributeType, error) {
	out := make([]model.SchemaAttributeType, 0, len(StandardSchema())+len(in))
	index := map[string]int{}
	for _, a := range StandardSchema() {
		index[a.name] = len(out)
		out = append(out, a.schema())
	}
	customs, err := CustomAttributes(in, func(name string) (int, bool) { i, ok := index[name]; return i, ok })
	if err != nil {
		return nil, err
	}
	for _, a := range in {
		name := model.StringValue(a.Name)
		if i, ok := index[name]; ok {
			std := &out[i]
			if name == "sub" {
				continue
			}
			if a.Required != nil {
				std.Required = model.Bool(*a.Required)
			}
			if a.Mutable != nil {
				std.Mutable = model.Bool(*a.Mutable)
			}
			if a.StringAttributeConstraints != nil && std.StringAttributeConstraints != nil {
				std.StringAttributeConstraints = mergeString(std.StringAttributeConstraints, a.StringAttributeConstraints)
			}
		}
	}
	return append(out, customs...), nil
}

func mergeString(base, over *model.StringAttributeConstraintsType) *model.StringAttributeConstraintsType {
	c := *base
	if over.MinLength != nil {
		c.MinLength = over.MinLength
	}
	if over.MaxLength != nil {
		c.MaxLength = over.MaxLength
	}
	return &c
}

// CustomAttributes turns the custom entries of a Schema list into stored
// schema attributes named "custom:<name>". isStandard reports names that
// belong to the standard schema, which are skipped.
func CustomAttributes(in []model.SchemaAttributeType, isStandard func(string) (int, bool)) ([]model.SchemaAttributeType, error) {
	var out []model.SchemaAttributeType
	for _, a := range in {
		name := model.StringValue(a.Name)
		if _, ok := isStandard(name); ok {
			continue
		}
		name = strings.TrimPrefix(name, customPrefix)
		if name == "" || utf8.RuneCountInString(name) > 20 {
			return nil, cognito.Errorf(cognito.InvalidParameter, "Invalid custom attribute name %s", model.StringValue(a.Name))
		}
		if model.BoolValue(a.Required) {
			return nil, cognito.New(cognito.InvalidParameter, "Required custom attributes are not supported currently.")
		}
		dt := model.StringValue(a.AttributeDataType)
		if dt == "" {
			dt = "String"
		}
		t := model.SchemaAttributeType{
			Name:                   model.String(customPrefix + name),
			AttributeDataType:      model.String(dt),
			DeveloperOnlyAttribute: model.Bool(model.BoolValue(a.DeveloperOnlyAttribute)),
			Mutable:                model.Bool(a.Mutable == nil || *a.Mutable),
			Required:               model.Bool(false),
		}
		switch dt {
		case "String":
			c := &model.StringAttributeConstraintsType{}
			if a.StringAttributeConstraints != nil {
				c = mergeString(c, a.StringAttributeConstraints)
			}
			if err := checkIntBound(c.MinLength, "MinLength"); err != nil {
				return nil, err
			}
			if err := checkIntBound(c.MaxLength, "MaxLength"); err != nil {
				return nil, err
			}
			t.StringAttributeConstraints = c
		case "Number":
			c := &model.NumberAttributeConstraintsType{}
			if a.NumberAttributeConstraints != nil {
				*c = *a.NumberAttributeConstraints
			}
			if err := checkIntBound(c.MinValue, "MinValue"); err != nil {
				return nil, err
			}
			if err := checkIntBound(c.MaxValue, "MaxValue"); err != nil {
				return nil, err
			}
			t.NumberAttributeConstraints = c
		}
		out = append(out, t)
	}
	return out, nil
}

func checkIntBound(v *string, what string) error {
	if v == nil {
		return nil
	}
	if _, err := strconv.ParseInt(*v, 10, 64); err != nil {
		return cognito.Errorf(cognito.InvalidParameter, "%s must be an integer: %s", what, *v)
	}
	return nil
}

// Problem is one attribute that failed the schema, reported as
// "<prefix><name>: <text>\n".
type Problem struct {
	Name, Text string
}

// ProblemsError joins problems in Cognito's format, e.g. prefix "user." for
// attribute updates or "" after "Attributes did not conform to the schema: ".
func ProblemsError(lead, prefix string, ps []Problem) error {
	var b strings.Builder
	b.WriteString(lead)
	for _, p := range ps {
		b.WriteString(prefix)
		b.WriteString(p.Name)
		b.WriteString(": ")
		b.WriteString(p.Text)
		b.WriteString("\n")
	}
	return cognito.New(cognito.InvalidParameter, b.String())
}

// CheckValue checks a non-empty value against its schema attribute and
// returns the problem text, or "".
func CheckValue(a *model.SchemaAttributeType, value string) string {
	switch model.StringValue(a.AttributeDataType) {
	case "String":
		c := a.StringAttributeConstraints
		n := utf8.RuneCountInString(value)
		if c != nil && c.MinLength != nil {
			if min, err := strconv.Atoi(*c.MinLength); err == nil && n < min {
				return "String must be no shorter than " + *c.MinLength + " characters"
			}
		}
		max := 2048
		if c != nil && c.MaxLength != nil {
			if m, err := strconv.Atoi(*c.MaxLength); err == nil {
				max = m
			}
		}
		if n > max {
			return "String must be no longer than " + strconv.Itoa(max) + " characters"
		}
	case "Number":
		f, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "Attribute value is not a number"
		}
		if c := a.NumberAttributeConstraints; c != nil {
			if c.MinValue != nil {
				if min, err := strconv.ParseFloat(*c.MinValue, 64); err == nil && f < min {
					return "Number must be no less than " + *c.MinValue
				}
			}
			if c.MaxValue != nil {
				if max, err := strconv.ParseFloat(*c.MaxValue, 64); err == nil && f > max {
					return "Number must be no greater than " + *c.MaxValue
				}
			}
		}
	case "Boolean":
		if !strings.EqualFold(value, "true") && !strings.EqualFold(value, "false") {
			return "Attribute value is not a boolean"
		}
	case "DateTime":
		if _, err := time.Parse(time.RFC3339, value); err != nil {
			if _, err := time.Parse("2006-01-02", value); err != nil {
				return "Attribute value is not a valid date"
			}
		}
	}
	return ""
}

var (
	EmailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	PhonePattern = regexp.MustCompile(`^\+[0-9]{4,15}$`)
)

// CheckFormat checks e-mail and phone formats.
func CheckFormat(name, value string) error {
	switch name {
	case "email":
		if !EmailPattern.MatchString(value) {
			return cognito.New(cognito.InvalidParameter, "Invalid email address format.")
		}
	case "phone_number":
		if !PhonePattern.MatchString(value) {
			return cognito.New(cognito.InvalidParameter, "Invalid phone number format.")
		}
	}
	return nil
}

// IsVerifiedFlag reports the *_verified attributes.
func IsVerifiedFlag(name string) bool {
	return name == "email_verified" || name == "phone_number_verified"
}
