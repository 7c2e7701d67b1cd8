package passwords

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// testHash is cheap on purpose: these tests check the encoding, not cost.
var testHash = HashParams{Time: 1, Memory: 64, Threads: 1}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := hashPassword(rand.Reader, testHash, "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash = %q", h)
	}
	h2, err := hashPassword(rand.Reader, testHash, "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if h == h2 {
		t.Errorf("two hashes of one password are equal: salt missing")
	}
	for _, tc := range []struct {
		name, encoded, password string
		want                    bool
	}{
		{"right", h, "Passw0rd!", true},
		{"right, other salt", h2, "Passw0rd!", true},
		{"wrong", h, "Passw0rd?", false},
		{"empty", h, "", false},
		{"prefix", h, "Passw0rd", false},
		{"empty hash", "", "Passw0rd!", false},
		{"other scheme", strings.Replace(h, "argon2id", "argon2i", 1), "Passw0rd!", false},
		{"bad params", strings.Replace(h, "m=64", "m=x", 1), "Passw0rd!", false},
		{"bad salt", strings.Replace(h, "$m=64,t=1,p=1$", "$m=64,t=1,p=1$!!", 1), "Passw0rd!", false},
		{"truncated", h[:len(h)-10], "Passw0rd!", false},
		{"dummy", DummyHash, "anything", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkPassword(tc.encoded, tc.password); got != tc.want {
				t.Errorf("checkPassword = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHashParamsDefaults(t *testing.T) {
	t.Parallel()
	if got := (HashParams{}).withDefaults(); got != DefaultHashParams() {
		t.Errorf("zero params = %+v", got)
	}
	if got := (HashParams{Time: 3}).withDefaults(); got.Time != 3 || got.Memory != DefaultHashParams().Memory {
		t.Errorf("partial params = %+v", got)
	}
}

func policyPool(pp *model.PasswordPolicyType) *core.Pool {
	cfg := &model.UserPoolType{}
	if pp != nil {
		cfg.Policies = &model.UserPoolPolicyType{PasswordPolicy: pp}
	}
	return core.BuildPool("us-east-1_test", time.Unix(0, 0), cfg)
}

func TestCheckPolicy(t *testing.T) {
	t.Parallel()
	strict := &model.PasswordPolicyType{MinimumLength: model.Int32(8), RequireUppercase: model.Bool(true),
		RequireLowercase: model.Bool(true), RequireNumbers: model.Bool(true), RequireSymbols: model.Bool(true)}
	lax := &model.PasswordPolicyType{MinimumLength: model.Int32(6)}
	for _, tc := range []struct {
		name     string
		policy   *model.PasswordPolicyType
		password string
		why      string // "" means accepted
	}{
		{"strict ok", strict, "Passw0rd!", ""},
		{"strict ok space symbol", strict, "Pass w0rd", ""},
		{"strict ok unicode letters", strict, "Ünïcödé1!", ""},
		{"too short", strict, "Pa0!", "Password not long enough"},
		{"length counts runes", &model.PasswordPolicyType{MinimumLength: model.Int32(4)}, "äöü", "Password not long enough"},
		{"no upper", strict, "passw0rd!", "Password must have uppercase characters"},
		{"no lower", strict, "PASSW0RD!", "Password must have lowercase characters"},
		{"no number", strict, "Password!", "Password must have numeric characters"},
		{"no symbol", strict, "Passw0rdX", "Password must have symbol characters"},
		{"short beats missing classes", strict, "abc", "Password not long enough"},
		{"lax ok", lax, "simple", ""},
		{"lax too short", lax, "short", "Password not long enough"},
		{"no policy", nil, "x", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPolicy(policyPool(tc.policy), tc.password)
			if tc.why == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			ce, ok := cognito.As(err)
			if !ok || ce.Code != cognito.InvalidPassword || ce.Message != "Password did not conform with policy: "+tc.why {
				t.Errorf("error = %v, want InvalidPasswordException %q", err, tc.why)
			}
		})
	}
}

func TestGeneratePasswordMeetsPolicy(t *testing.T) {
	t.Parallel()
	s := &Service{Env: &core.Env{Random: rand.Reader}}
	for _, min := range []int32{6, 8, 20, 99} {
		p := policyPool(&model.PasswordPolicyType{MinimumLength: model.Int32(min), RequireUppercase: model.Bool(true),
			RequireLowercase: model.Bool(true), RequireNumbers: model.Bool(true), RequireSymbols: model.Bool(true)})
		for range 50 {
			pw, err := s.GeneratePassword(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckPolicy(p, pw); err != nil {
				t.Fatalf("min %d: generated password fails the policy: %v", min, err)
			}
		}
	}
}

func TestRandomStringAlphabet(t *testing.T) {
	t.Parallel()
	// A reader of 0xff bytes lies above the unbiased limit and must be
	// skipped, never mapped.
	r := bytes.NewReader(append(bytes.Repeat([]byte{0xff}, 64), bytes.Repeat([]byte{1}, 64)...))
	got, err := core.RandomString(r, core.LowerDigits, 26)
	if err != nil {
		t.Fatal(err)
	}
	if got != strings.Repeat("1", 26) {
		t.Errorf("randomString = %q", got)
	}
}
