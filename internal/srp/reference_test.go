package srp

// A deliberately plain reference for Cognito's SRP math, written from the
// spec formulas with hex strings and math/big, sharing no code with the
// package: every vector test checks both this and the package against
// hard-coded values.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
)

// refNHex is N as printed in the spec.
const refNHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

func refInt(h string) *big.Int {
	x, ok := new(big.Int).SetString(h, 16)
	if !ok {
		panic("refInt: bad hex " + h)
	}
	return x
}

func refN() *big.Int { return refInt(refNHex) }
func refG() *big.Int { return big.NewInt(2) }

// refPad: hex of x; "0" prefix if odd length, else "00" if the first nibble
// is 8 or more.
func refPad(x *big.Int) string {
	h := x.Text(16)
	if len(h)%2 == 1 {
		return "0" + h
	}
	if strings.ContainsRune("89abcdef", rune(h[0])) {
		return "00" + h
	}
	return h
}

// refHashHex hashes the bytes a hex string decodes to and returns hex.
func refHashHex(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return fmt.Sprintf("%064x", sum[:])
}

func refK() *big.Int { return refInt(refHashHex(refPad(refN()) + refPad(refG()))) }

func refX(poolName, user, password, saltHex string) *big.Int {
	inner := sha256.Sum256([]byte(poolName + user + ":" + password))
	innerHex := fmt.Sprintf("%064x", inner[:])
	return refInt(refHashHex(refPad(refInt(saltHex)) + innerHex))
}

func refPow(base, e *big.Int) *big.Int { return new(big.Int).Exp(base, e, refN()) }

func refB(v, b *big.Int) *big.Int {
	kv := new(big.Int).Mul(refK(), v)
	sum := new(big.Int).Add(kv, refPow(refG(), b))
	return sum.Mod(sum, refN())
}

func refU(bigA, bigB *big.Int) *big.Int { return refInt(refHashHex(refPad(bigA) + refPad(bigB))) }

func refClientS(bigB, x, a, u *big.Int) *big.Int {
	n := refN()
	base := new(big.Int).Sub(bigB, new(big.Int).Mul(refK(), refPow(refG(), x)))
	base.Rem(base, n)
	if base.Sign() < 0 {
		base.Add(base, n)
	}
	e := new(big.Int).Add(a, new(big.Int).Mul(u, x))
	return new(big.Int).Exp(base, e, n)
}

func refServerS(bigA, v, u, b *big.Int) *big.Int {
	n := refN()
	t := new(big.Int).Mul(bigA, new(big.Int).Exp(v, u, n))
	t.Mod(t, n)
	return new(big.Int).Exp(t, b, n)
}

func refKey(s, u *big.Int) []byte {
	ikm, _ := hex.DecodeString(refPad(s))
	salt, _ := hex.DecodeString(refPad(u))
	prk := hmac.New(sha256.New, salt)
	prk.Write(ikm)
	okm := hmac.New(sha256.New, prk.Sum(nil))
	okm.Write([]byte("Caldera Derived Key"))
	okm.Write([]byte{1})
	return okm.Sum(nil)[:16]
}

func refSignature(key []byte, poolName, user, secretBlockB64, timestamp string) string {
	block, err := base64.StdEncoding.DecodeString(secretBlockB64)
	if err != nil {
		panic(err)
	}
	msg := append([]byte(poolName+user), block...)
	msg = append(msg, []byte(timestamp)...)
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
