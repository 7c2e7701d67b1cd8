package login

import (
	"testing"

	"github.com/pquerna/otp"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

func TestPasswordRules(t *testing.T) {
	p := &core.Pool{Cfg: &model.UserPoolType{Policies: &model.UserPoolPolicyType{PasswordPolicy: &model.PasswordPolicyType{
		MinimumLength: model.Int32(10), RequireUppercase: model.Bool(true), RequireNumbers: model.Bool(true)}}}}
	for _, tc := range []struct {
		password string
		met      []bool // upper, number, length
	}{
		{"", []bool{false, false, false}},
		{"abcdefghij", []bool{false, false, true}},
		{"Abc1", []bool{true, true, false}},
		{"Abcdefghi1", []bool{true, true, true}},
	} {
		t.Run(tc.password, func(t *testing.T) {
			rules := PasswordRules(p, tc.password)
			want := []string{"Password must contain an upper case letter", "Password must contain a number", "Password must contain at least 10 characters"}
			if len(rules) != len(want) {
				t.Fatalf("rules %v", rules)
			}
			for i, r := range rules {
				if r.Text != want[i] || r.Met != tc.met[i] {
					t.Errorf("rule %d = %+v, want %q met %v", i, r, want[i], tc.met[i])
				}
			}
		})
	}
}

func TestTOTPSetupURI(t *testing.T) {
	s := &TOTPSetup{Secret: "JBSWY3DPEHPK3PXP", Issuer: "My Shop & Co", Account: "ana+x@example.com"}
	key, err := otp.NewKeyFromURL(s.URI())
	if err != nil {
		t.Fatal(err)
	}
	if key.Type() != "totp" || key.Issuer() != s.Issuer || key.AccountName() != s.Account || key.Secret() != s.Secret {
		t.Errorf("URI %s reads back as %s / %s / %s", s.URI(), key.Issuer(), key.AccountName(), key.Secret())
	}
}
