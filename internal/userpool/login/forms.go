package login

import (
	"context"
	"strconv"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
)

// Field is an input of a hosted form: its form name, label, HTML input
// type, autocomplete token and input mode.
type Field struct {
	Name, Label, Type, Autocomplete, InputMode string
}

// Rule is a password rule of the pool, and whether a password entered
// meets it.
type Rule struct {
	Text string
	Met  bool
}

// SignUpForm is what the sign-up page asks for: the sign-in name (a
// username, or the email address or phone number of a pool that signs in
// with them), the pool's required attributes, and the password rules.
type SignUpForm struct {
	Username   Field
	Attributes []Field
	Rules      []Rule
}

// attributeLabels are the labels of the standard attributes.
var attributeLabels = map[string]string{
	"name": "Name", "given_name": "Given name", "family_name": "Family name", "middle_name": "Middle name",
	"nickname": "Nickname", "preferred_username": "Preferred username", "profile": "Profile", "picture": "Picture",
	"website": "Website", "email": "Email", "phone_number": "Phone number", "gender": "Gender",
	"birthdate": "Birthdate", "zoneinfo": "Zone info", "locale": "Locale", "address": "Address", "updated_at": "Updated at",
}

var attributeAutocomplete = map[string]string{
	"name": "name", "given_name": "given-name", "family_name": "family-name", "middle_name": "additional-name",
	"nickname": "nickname", "preferred_username": "username", "email": "email", "phone_number": "tel",
	"birthdate": "bday", "address": "street-address", "gender": "sex", "locale": "language",
	"website": "url", "profile": "url", "picture": "photo",
}

// attributeField is the input of attribute a of the schema.
func attributeField(a model.SchemaAttributeType) Field {
	name := model.StringValue(a.Name)
	f := Field{Name: "attr:" + name, Label: attributeLabels[name], Type: "text", Autocomplete: attributeAutocomplete[name]}
	if f.Label == "" {
		f.Label = strings.TrimPrefix(name, "custom:")
	}
	if f.Autocomplete == "" {
		f.Autocomplete = "off"
	}
	switch {
	case name == "email":
		f.Type = "email"
	case name == "phone_number":
		f.Type, f.Label = "tel", "Phone number (+15555550100)"
	case name == "birthdate":
		f.Label = "Birthdate (YYYY-MM-DD)"
	case name == "website" || name == "profile" || name == "picture":
		f.Type = "url"
	case model.StringValue(a.AttributeDataType) == "Number":
		f.InputMode = "numeric"
	}
	return f
}

// SignUpForm describes the sign-up page of r's pool; password is the one
// entered so far, if any, for the rules it meets. It fails as SignUp does
// in a pool where only administrators create users.
func (s *Service) SignUpForm(ctx context.Context, r *Request, password string) (*SignUpForm, error) {
	p, c, err := s.poolClient(ctx, r)
	if err != nil {
		return nil, err
	}
	if !PasswordAllowed(c) {
		return nil, passwordRefused()
	}
	if !signUpAllowed(p) {
		return nil, signUpRefused()
	}
	f := &SignUpForm{Username: usernameField(p), Rules: PasswordRules(p, password)}
	email, phone := p.UsernameAttrs["email"], p.UsernameAttrs["phone_number"]
	for _, a := range p.Cfg.SchemaAttributes {
		name := model.StringValue(a.Name)
		if name == "sub" || !model.BoolValue(a.Required) {
			continue
		}
		// The sign-in name gives the attribute it is.
		if name == "email" && email && !phone || name == "phone_number" && phone && !email {
			continue
		}
		f.Attributes = append(f.Attributes, attributeField(a))
	}
	return f, nil
}

// usernameField is the sign-in name's input: a username, or the email
// address or phone number of a pool that signs in with them.
func usernameField(p *core.Pool) Field {
	f := Field{Name: "username", Label: "Username", Type: "text", Autocomplete: "username"}
	email, phone := p.UsernameAttrs["email"], p.UsernameAttrs["phone_number"]
	switch {
	case email && phone:
		f.Label = "Email or phone number"
	case email:
		f.Label, f.Type, f.Autocomplete = "Email", "email", "email"
	case phone:
		f.Label, f.Type, f.Autocomplete = "Phone number (+15555550100)", "tel", "tel"
	}
	return f
}

// UsernameField is the sign-in name's input in pool poolID.
func (s *Service) UsernameField(ctx context.Context, poolID string) Field {
	p, err := s.pool(ctx, poolID)
	if err != nil {
		return Field{Name: "username", Label: "Username", Type: "text", Autocomplete: "username"}
	}
	return usernameField(p)
}

// PasswordRulesFor returns the password rules of r's pool, marked for
// password.
func (s *Service) PasswordRulesFor(ctx context.Context, r *Request, password string) []Rule {
	p, err := s.pool(ctx, r.PoolID)
	if err != nil {
		return nil
	}
	return PasswordRules(p, password)
}

func (s *Service) pool(ctx context.Context, poolID string) (*core.Pool, error) {
	var p *core.Pool
	err := s.Store.View(ctx, func(tx store.Tx) (err error) {
		p, err = s.LoadPool(tx, poolID)
		return err
	})
	return p, err
}

// PasswordRules lists the rules of p's password policy as hints, each
// marked met by password. The check that counts is the policy's own
// (passwords.CheckPolicy); these only guide the user.
func PasswordRules(p *core.Pool, password string) []Rule {
	pp := passwords.Policy(p)
	upper, lower, digit, symbol := passwords.Classes(password)
	var out []Rule
	if model.BoolValue(pp.RequireLowercase) {
		out = append(out, Rule{Text: "Password must contain a lower case letter", Met: lower})
	}
	if model.BoolValue(pp.RequireUppercase) {
		out = append(out, Rule{Text: "Password must contain an upper case letter", Met: upper})
	}
	if model.BoolValue(pp.RequireNumbers) {
		out = append(out, Rule{Text: "Password must contain a number", Met: digit})
	}
	if model.BoolValue(pp.RequireSymbols) {
		out = append(out, Rule{Text: "Password must contain a special character", Met: symbol})
	}
	if n := model.Int32Value(pp.MinimumLength); n > 0 {
		out = append(out, Rule{Text: "Password must contain at least " + strconv.Itoa(int(n)) + " characters", Met: len([]rune(password)) >= int(n)})
	}
	return out
}
