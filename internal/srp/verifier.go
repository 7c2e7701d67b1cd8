package srp

import (
	"fmt"
	"io"
	"math/big"
)

// SaltLen is the length in bytes of the salt NewVerifier draws.
const SaltLen = 16

// NewVerifier draws a fresh SaltLen-byte salt from random and returns it with
// the SRP verifier for the password: the big-endian bytes of v = g^x mod N,
// x = H(pad(salt) ‖ H(PoolName(userPoolID) ‖ userIDForSRP ‖ ":" ‖ password)).
// userIDForSRP must be the value the server later sends as USER_ID_FOR_SRP
// (the internal user name), since clients hash exactly that string.
func NewVerifier(random io.Reader, userPoolID, userIDForSRP, password string) (salt []byte, verifier []byte, err error) {
	salt = make([]byte, SaltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return nil, nil, fmt.Errorf("srp: reading salt: %w", err)
	}
	v := verifierFor(newGroup(), PoolName(userPoolID), userIDForSRP, password, salt)
	return salt, v.Bytes(), nil
}

// verifierFor returns v = g^x mod N for the given salt bytes.
func verifierFor(gr *group, poolName, userIDForSRP, password string, salt []byte) *big.Int {
	x := computeX(poolName, userIDForSRP, password, new(big.Int).SetBytes(salt))
	return new(big.Int).Exp(gr.g, x, gr.n)
}
