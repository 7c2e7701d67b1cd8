package srp

import (
	"crypto/hmac"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"
)

// ErrInvalidA is returned by Begin when SRP_A is not hex, is too long, or
// is 0 mod N.
var ErrInvalidA = errors.New("srp: invalid SRP_A")

// ErrBadProof is returned by Verify for every failure: wrong password,
// forged, expired or misdirected SECRET_BLOCK, bad TIMESTAMP or signature.
// The returned error wraps it with a reason meant for logs only.
var ErrBadProof = errors.New("srp: password claim rejected")

// Defaults for the Server options.
const (
	DefaultSecretBlockTTL = 5 * time.Minute
	DefaultTimestampSkew  = 5 * time.Minute
)

// serverSecretLen is the size in bytes of the server's private value b.
// 256 bits is the minimum RFC 5054 section 3.1 recommends for a and b; it
// keeps g^b and S = (A·v^u)^b at a fraction of a full-size exponentiation.
const serverSecretLen = 32

// maxAHexLen bounds SRP_A so a client cannot make the server multiply huge
// numbers; a legitimate A is below N and has at most 768 hex digits.
const maxAHexLen = 1024

// Challenge is what Begin returns: the SALT, SRP_B and SECRET_BLOCK challenge
// parameters of PASSWORD_VERIFIER.
type Challenge struct {
	SaltHex     string // plain lower-case hex of the stored salt
	SrpBHex     string // B in lower-case hex, no padding
	SecretBlock string // sealed server state, standard base64
}

// Option changes a Server setting.
type Option func(*Server)

// SecretBlockTTL sets how long a SECRET_BLOCK is accepted after Begin issued
// it (default DefaultSecretBlockTTL). Non-positive values are ignored.
func SecretBlockTTL(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.ttl = d
		}
	}
}

// TimestampSkew sets how far the client's TIMESTAMP may be from the server
// clock, either way (default DefaultTimestampSkew). Non-positive values are
// ignored.
func TimestampSkew(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.skew = d
		}
	}
}

// Server is the Cognito side of the SRP exchange. It keeps no per-sign-in
// state: Begin seals b, A, B and the sign-in's identity into the
// SECRET_BLOCK, which the client returns with its proof. A Server is safe
// for concurrent use if its random reader is.
type Server struct {
	gr     *group
	sealer *sealer
	random io.Reader
	now    func() time.Time
	ttl    time.Duration
	skew   time.Duration
}

// NewServer returns a Server that seals SECRET_BLOCKs with AES-256-GCM under
// a key derived from sealKey (at least 32 bytes, kept secret and stable
// across restarts and replicas so blocks survive them). random supplies b
// and nonces; now is the clock.
func NewServer(sealKey []byte, random io.Reader, now func() time.Time, opts ...Option) (*Server, error) {
	if random == nil || now == nil {
		return nil, errors.New("srp: NewServer needs a random reader and a clock")
	}
	sl, err := newSealer(sealKey)
	if err != nil {
		return nil, err
	}
	s := &Server{
		gr:     newGroup(),
		sealer: sl,
		random: random,
		now:    now,
		ttl:    DefaultSecretBlockTTL,
		skew:   DefaultTimestampSkew,
	}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Begin answers USER_SRP_AUTH for a user whose salt and verifier are known:
// it checks A, picks b, computes B = (k·v + g^b) mod N and seals the state
// into the SECRET_BLOCK. It returns an error wrapping ErrInvalidA for an
// unusable SRP_A; any other error (a stored verifier outside (0, N), a
// failing random reader) is the server's fault, not the client's.
func (s *Server) Begin(userPoolID, userIDForSRP string, salt, verifier []byte, srpAHex string) (Challenge, error) {
	if len(srpAHex) == 0 || len(srpAHex) > maxAHexLen {
		return Challenge{}, fmt.Errorf("%w: length %d", ErrInvalidA, len(srpAHex))
	}
	bigA, ok := new(big.Int).SetString(srpAHex, 16)
	if !ok || bigA.Sign() < 0 {
		return Challenge{}, fmt.Errorf("%w: not hex", ErrInvalidA)
	}
	if new(big.Int).Mod(bigA, s.gr.n).Sign() == 0 {
		return Challenge{}, fmt.Errorf("%w: A mod N is zero", ErrInvalidA)
	}
	v, err := s.verifierInt(verifier)
	if err != nil {
		return Challenge{}, err
	}
	var b, bigB *big.Int
	buf := make([]byte, serverSecretLen)
	for {
		if _, err := io.ReadFull(s.random, buf); err != nil {
			return Challenge{}, fmt.Errorf("srp: reading server secret: %w", err)
		}
		b = new(big.Int).SetBytes(buf)
		if b.Sign() == 0 {
			continue
		}
		bigB = s.gr.publicB(v, b)
		// B mod N = 0 would leak nothing but break the client; u = 0 would
		// make S independent of the password. Both have negligible odds;
		// drawing again costs nothing.
		if bigB.Sign() != 0 && hashInts(bigA, bigB).Sign() != 0 {
			break
		}
	}
	st := blockState{
		issued:      s.now(),
		b:           b,
		bigA:        bigA,
		bigB:        bigB,
		fingerprint: credentialFingerprint(salt, verifier),
		poolID:      userPoolID,
		user:        userIDForSRP,
	}
	block, err := s.sealer.seal(s.random, st)
	if err != nil {
		return Challenge{}, err
	}
	return Challenge{
		SaltHex:     hexOf(salt),
		SrpBHex:     bigB.Text(16),
		SecretBlock: base64.StdEncoding.EncodeToString(block),
	}, nil
}

// Verify checks a PASSWORD_VERIFIER response against the user's current salt
// and verifier. It returns nil when the signature proves knowledge of the
// password for the exchange sealed in secretBlock, and an error wrapping
// ErrBadProof otherwise.
//
// The server is stateless, so a captured (SECRET_BLOCK, TIMESTAMP,
// signature) triple is accepted again until the block expires; a caller
// that needs single use must remember accepted blocks for SecretBlockTTL.
func (s *Server) Verify(userPoolID, userIDForSRP string, salt, verifier []byte, secretBlock, timestamp, signatureB64 string) error {
	now := s.now()
	block, err := base64.StdEncoding.DecodeString(secretBlock)
	if err != nil {
		return badProof("secret block is not base64")
	}
	st, err := s.sealer.open(block)
	if err != nil {
		return badProof(err.Error())
	}
	if st.poolID != userPoolID || st.user != userIDForSRP {
		return badProof("secret block issued for another pool or user")
	}
	if age := now.Sub(st.issued); age > s.ttl {
		return badProof("secret block expired")
	} else if age < -s.skew {
		return badProof("secret block issued in the future")
	}
	if subtle.ConstantTimeCompare(st.fingerprint, credentialFingerprint(salt, verifier)) != 1 {
		return badProof("credentials changed since the challenge")
	}
	ts, err := ParseTimestamp(timestamp)
	if err != nil {
		return badProof("timestamp unparsable")
	}
	if d := ts.Sub(now); d > s.skew || d < -s.skew {
		return badProof("timestamp outside allowed skew")
	}
	sig, err := base64.StdEncoding.DecodeString(signatureB64)
	if err != nil {
		return badProof("signature is not base64")
	}
	v, err := s.verifierInt(verifier)
	if err != nil {
		return badProof(err.Error())
	}
	u := hashInts(st.bigA, st.bigB)
	if u.Sign() == 0 {
		return badProof("u is zero")
	}
	key := deriveKey(s.gr.serverS(st.bigA, v, u, st.b), u)
	want := claimSignature(key, PoolName(userPoolID), userIDForSRP, block, timestamp)
	if !hmac.Equal(sig, want) {
		return badProof("signature mismatch")
	}
	return nil
}

// verifierInt parses a stored verifier, which must lie in (0, N).
func (s *Server) verifierInt(verifier []byte) (*big.Int, error) {
	v := new(big.Int).SetBytes(verifier)
	if v.Sign() == 0 || v.Cmp(s.gr.n) >= 0 {
		return nil, errors.New("srp: stored verifier out of range")
	}
	return v, nil
}

func badProof(reason string) error {
	return fmt.Errorf("%w: %s", ErrBadProof, reason)
}
