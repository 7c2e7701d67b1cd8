package passwords

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"golang.org/x/crypto/argon2"
)

// dummyHash keeps a sign-in for an unknown user as slow as a real one.
const DummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZHVtbXloYXNoZHVtbXloYXNoZHVtbXloYXNoZHVtbXk"

// HashParams are the argon2id parameters for password hashes.
type HashParams struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultHashParams follow OWASP's argon2id minimum (19 MiB, 2 passes).
func DefaultHashParams() HashParams { return HashParams{Time: 2, Memory: 19 * 1024, Threads: 1} }

func (h HashParams) withDefaults() HashParams {
	d := DefaultHashParams()
	if h.Time == 0 {
		h.Time = d.Time
	}
	if h.Memory == 0 {
		h.Memory = d.Memory
	}
	if h.Threads == 0 {
		h.Threads = d.Threads
	}
	return h
}

// hashPassword returns an encoded argon2id hash in the PHC string format.
func hashPassword(random io.Reader, h HashParams, password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", err
	}
	sum := argon2.IDKey([]byte(password), salt, h.Time, h.Memory, h.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.Memory, h.Time, h.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(sum)), nil
}

// kdfSlots bounds how many argon2id computations run at once: each takes
// HashParams.Memory, so a burst of sign-ins would otherwise grow the
// process by that much per concurrent request.
type kdfSlots chan struct{}

func newKDFSlots(n int) kdfSlots { return make(kdfSlots, max(n, 1)) }

// run runs f in a slot, waiting for one if all are taken.
func (k kdfSlots) run(f func()) {
	k <- struct{}{}
	defer func() { <-k }()
	f()
}

// VerifyPassword is checkPassword within a KDF slot.
func (s *Service) VerifyPassword(encoded, password string) bool {
	var ok bool
	s.kdf.run(func() { ok = checkPassword(encoded, password) })
	return ok
}

// checkPassword compares password with an encoded hash in constant time.
func checkPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var h HashParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.Memory, &h.Time, &h.Threads); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, h.Time, h.Memory, h.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// CheckPolicy applies the pool's password policy.
func CheckPolicy(p *core.Pool, password string) error {
	pp := Policy(p)
	fail := func(why string) error {
		return cognito.New(cognito.InvalidPassword, "Password did not conform with policy: "+why)
	}
	if int32(len([]rune(password))) < model.Int32Value(pp.MinimumLength) {
		return fail("Password not long enough")
	}
	upper, lower, digit, symbol := Classes(password)
	switch {
	case model.BoolValue(pp.RequireUppercase) && !upper:
		return fail("Password must have uppercase characters")
	case model.BoolValue(pp.RequireLowercase) && !lower:
		return fail("Password must have lowercase characters")
	case model.BoolValue(pp.RequireNumbers) && !digit:
		return fail("Password must have numeric characters")
	case model.BoolValue(pp.RequireSymbols) && !symbol:
		return fail("Password must have symbol characters")
	}
	return nil
}

// passwordMaterial is what a password leaves in the user record: its
// argon2id hash, its SRP salt (in the clear) and its SRP verifier, sealed
// with AES-256-GCM under a key derived from the server secret file, which
// never enters the database, with the pool ID and user name as additional
// data. A stolen database alone thus offers only the argon2id hash to guess
// against, never the cheaper verifier (docs/passwords.md). It is computed
// outside store transactions: the KDF is slow on purpose.
type passwordMaterial struct {
	hash     string
	salt     []byte
	verifier string
}

func (s *Service) NewPasswordMaterial(p *core.Pool, username, password string) (passwordMaterial, error) {
	var h string
	var err error
	s.kdf.run(func() { h, err = hashPassword(s.Random, s.hash, password) })
	if err != nil {
		return passwordMaterial{}, err
	}
	salt, v, err := srp.NewVerifier(s.Random, p.Id, username, password)
	if err != nil {
		return passwordMaterial{}, err
	}
	return passwordMaterial{hash: h, salt: salt, verifier: s.Sealer.Seal(v, []byte("srp-verifier:"+p.Id+":"+username))}, nil
}

func (pm passwordMaterial) Apply(u *core.User) {
	u.Doc.PasswordHash = pm.hash
	u.Doc.SRPSalt = pm.salt
	u.Doc.SRPVerifier = pm.verifier
}

// SetPassword stores a password in a user record that is not yet in a
// transaction.
func (s *Service) SetPassword(p *core.Pool, u *core.User, password string) error {
	pm, err := s.NewPasswordMaterial(p, u.Rec.Username, password)
	if err != nil {
		return err
	}
	pm.Apply(u)
	return nil
}

// SrpVerifier opens the user's sealed SRP verifier.
func (s *Service) SrpVerifier(p *core.Pool, u *core.User) ([]byte, error) {
	return s.Sealer.Open(u.Doc.SRPVerifier, []byte("srp-verifier:"+p.Id+":"+u.Rec.Username))
}

// GeneratePassword returns a random temporary password meeting the policy.
func (s *Service) GeneratePassword(p *core.Pool) (string, error) {
	n := 12
	if p.Cfg.Policies != nil && p.Cfg.Policies.PasswordPolicy != nil {
		n = max(n, int(model.Int32Value(p.Cfg.Policies.PasswordPolicy.MinimumLength)))
	}
	// One character of each class the policy may require, then
	// alphanumerics: an alphanumeric draw may lack a letter case.
	var b strings.Builder
	for _, class := range []struct {
		alphabet string
		n        int
	}{{"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1}, {"abcdefghijklmnopqrstuvwxyz", 1}, {"0123456789", 1}, {"!#%+-.=?@^_~", 1}, {core.Alnum, n - 4}} {
		part, err := core.RandomString(s.Random, class.alphabet, class.n)
		if err != nil {
			return "", err
		}
		b.WriteString(part)
	}
	return b.String(), nil
}

// Policy is p's password policy; an empty one when the pool has none.
func Policy(p *core.Pool) *model.PasswordPolicyType {
	if p.Cfg.Policies != nil && p.Cfg.Policies.PasswordPolicy != nil {
		return p.Cfg.Policies.PasswordPolicy
	}
	return &model.PasswordPolicyType{}
}

// Classes reports which of the policy's character classes password has:
// upper and lower case letters, digits and Cognito's symbols.
func Classes(password string) (upper, lower, digit, symbol bool) {
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ", r):
			symbol = true
		}
	}
	return upper, lower, digit, symbol
}
