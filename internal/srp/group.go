package srp

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"math/big"
	"strings"
)

// nHex is the 3072-bit MODP prime of RFC 3526 section 4 (also RFC 5054
// appendix A), the group Cognito uses with generator 2.
const nHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// hkdfInfo is the HKDF info string Cognito uses for the password
// authentication key.
const hkdfInfo = "Caldera Derived Key"

// keyLen is the length in bytes of the derived password authentication key.
const keyLen = 16

// group holds the SRP group parameters. It is built once per Server, Client
// or NewVerifier call and never mutated afterwards, so it is safe to share
// between goroutines (math/big only reads its operands).
type group struct {
	n *big.Int // the safe prime N
	g *big.Int // the generator, 2
	k *big.Int // the multiplier k = H(pad(N) ‖ pad(g))
}

func newGroup() *group {
	n, ok := new(big.Int).SetString(nHex, 16)
	if !ok {
		panic("srp: bad group prime constant")
	}
	g := big.NewInt(2)
	return &group{n: n, g: g, k: hashInts(n, g)}
}

// pad returns the big-endian bytes of a non-negative x as Cognito's
// clients encode it: the shortest two's-complement form, that is a 0x00 byte
// is prepended when the top bit is set, and zero is one 0x00 byte.
func pad(x *big.Int) []byte {
	b := x.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}

// hashInts returns SHA-256(pad(a) ‖ pad(b)) as an integer; it gives k and u.
func hashInts(a, b *big.Int) *big.Int {
	h := sha256.New()
	h.Write(pad(a))
	h.Write(pad(b))
	return new(big.Int).SetBytes(h.Sum(nil))
}

// PoolName returns the part of a user pool ID after the first underscore
// ("us-east-1_AbC" → "AbC"), which is the name SRP hashes into x and into the
// claim signature. An ID without an underscore is returned unchanged.
func PoolName(userPoolID string) string {
	_, name, ok := strings.Cut(userPoolID, "_")
	if !ok {
		return userPoolID
	}
	return name
}

// computeX returns x = H(pad(salt) ‖ H(poolName ‖ user ‖ ":" ‖ password)).
// The salt is taken as an integer, as every Cognito client parses the SALT
// hex: leading zero bytes of a stored salt do not enter the hash.
func computeX(poolName, userIDForSRP, password string, salt *big.Int) *big.Int {
	inner := sha256.Sum256([]byte(poolName + userIDForSRP + ":" + password))
	h := sha256.New()
	h.Write(pad(salt))
	h.Write(inner[:])
	return new(big.Int).SetBytes(h.Sum(nil))
}

// publicB returns B = (k·v + g^b) mod N.
func (gr *group) publicB(v, b *big.Int) *big.Int {
	kv := new(big.Int).Mul(gr.k, v)
	gb := new(big.Int).Exp(gr.g, b, gr.n)
	kv.Add(kv, gb)
	return kv.Mod(kv, gr.n)
}

// serverS returns S = (A · v^u)^b mod N.
func (gr *group) serverS(a, v, u, b *big.Int) *big.Int {
	vu := new(big.Int).Exp(v, u, gr.n)
	vu.Mul(vu, a)
	vu.Mod(vu, gr.n)
	return vu.Exp(vu, b, gr.n)
}

// clientS returns S = ((B − k·g^x) mod N)^(a + u·x) mod N.
func (gr *group) clientS(bigB, x, a, u *big.Int) *big.Int {
	base := new(big.Int).Exp(gr.g, x, gr.n)
	base.Mul(base, gr.k)
	base.Sub(bigB, base)
	base.Mod(base, gr.n) // Mod is Euclidean: the result is non-negative
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, a)
	return base.Exp(base, exp, gr.n)
}

// deriveKey returns the 16-byte password authentication key:
// HKDF-SHA256 with salt pad(u), input key material pad(S) and info
// "Caldera Derived Key". A single HKDF block is needed for 16 bytes, so this
// equals HMAC(HMAC(pad(u), pad(S)), info ‖ 0x01)[:16].
func deriveKey(s, u *big.Int) []byte {
	key, err := hkdf.Key(sha256.New, pad(s), pad(u), hkdfInfo, keyLen)
	if err != nil {
		// Only possible for an output longer than 255 hash blocks.
		panic("srp: hkdf: " + err.Error())
	}
	return key
}

// claimSignature returns HMAC-SHA256(key, poolName ‖ user ‖ block ‖ timestamp),
// the raw PASSWORD_CLAIM_SIGNATURE before base64.
func claimSignature(key []byte, poolName, userIDForSRP string, block []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(poolName))
	m.Write([]byte(userIDForSRP))
	m.Write(block)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}
