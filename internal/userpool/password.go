package userpool

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/srp"
)

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

// verifyPassword is checkPassword within a KDF slot.
func (s *Service) verifyPassword(encoded, password string) bool {
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

// checkPolicy applies the pool's password policy.
func checkPolicy(p *pool, password string) error {
	pp := &model.PasswordPolicyType{}
	if p.cfg.Policies != nil && p.cfg.Policies.PasswordPolicy != nil {
		pp = p.cfg.Policies.PasswordPolicy
	}
	fail := func(why string) error {
		return cognito.New(cognito.InvalidPassword, "Password did not conform with policy: "+why)
	}
	if int32(len([]rune(password))) < model.Int32Value(pp.MinimumLength) {
		return fail("Password not long enough")
	}
	var upper, lower, digit, symbol bool
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

func (s *Service) newPasswordMaterial(p *pool, username, password string) (passwordMaterial, error) {
	var h string
	var err error
	s.kdf.run(func() { h, err = hashPassword(s.random, s.hash, password) })
	if err != nil {
		return passwordMaterial{}, err
	}
	salt, v, err := srp.NewVerifier(s.random, p.id, username, password)
	if err != nil {
		return passwordMaterial{}, err
	}
	return passwordMaterial{hash: h, salt: salt, verifier: s.sealer.Seal(v, []byte("srp-verifier:"+p.id+":"+username))}, nil
}

func (pm passwordMaterial) apply(u *user) {
	u.doc.PasswordHash = pm.hash
	u.doc.SRPSalt = pm.salt
	u.doc.SRPVerifier = pm.verifier
}

// setPassword stores a password in a user record that is not yet in a
// transaction.
func (s *Service) setPassword(p *pool, u *user, password string) error {
	pm, err := s.newPasswordMaterial(p, u.rec.Username, password)
	if err != nil {
		return err
	}
	pm.apply(u)
	return nil
}

// srpVerifier opens the user's sealed SRP verifier.
func (s *Service) srpVerifier(p *pool, u *user) ([]byte, error) {
	return s.sealer.Open(u.doc.SRPVerifier, []byte("srp-verifier:"+p.id+":"+u.rec.Username))
}
