package srp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"
)

// SECRET_BLOCK wire form (before base64):
//
//	version (1 byte, blockVersion) ‖ nonce (12 bytes) ‖ AES-256-GCM ciphertext+tag
//
// with the version byte as additional data. The plaintext is
//
//	issued (int64 Unix nanoseconds, big-endian)
//	fingerprint (32 bytes, credentialFingerprint)
//	b, A, B, pool ID, USER_ID_FOR_SRP (each uint16 length ‖ bytes)
const blockVersion = 1

// sealKeyInfo separates the AES key from any other use of the caller's key.
const sealKeyInfo = "cognate/srp/secret-block/v1"

// MinSealKeyLen is the minimum length of the key given to NewServer.
const MinSealKeyLen = 32

// blockState is what a SECRET_BLOCK carries from Begin to Verify.
type blockState struct {
	issued      time.Time
	fingerprint []byte // binds the block to the salt and verifier in use
	b           *big.Int
	bigA        *big.Int
	bigB        *big.Int
	poolID      string
	user        string
}

type sealer struct {
	aead cipher.AEAD
}

func newSealer(sealKey []byte) (*sealer, error) {
	if len(sealKey) < MinSealKeyLen {
		return nil, fmt.Errorf("srp: seal key must be at least %d bytes, got %d", MinSealKeyLen, len(sealKey))
	}
	m := hmac.New(sha256.New, sealKey)
	m.Write([]byte(sealKeyInfo))
	block, err := aes.NewCipher(m.Sum(nil)) // 32 bytes: AES-256
	if err != nil {
		return nil, fmt.Errorf("srp: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("srp: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// credentialFingerprint hashes the salt and verifier so that Verify can tell
// a password change between Begin and Verify from a wrong password.
func credentialFingerprint(salt, verifier []byte) []byte {
	h := sha256.New()
	var n [2]byte
	binary.BigEndian.PutUint16(n[:], uint16(len(salt)))
	h.Write(n[:])
	h.Write(salt)
	h.Write(verifier)
	return h.Sum(nil)
}

func (sl *sealer) seal(random io.Reader, st blockState) ([]byte, error) {
	pt := binary.BigEndian.AppendUint64(nil, uint64(st.issued.UnixNano()))
	pt = append(pt, st.fingerprint...)
	for _, f := range [][]byte{st.b.Bytes(), st.bigA.Bytes(), st.bigB.Bytes(), []byte(st.poolID), []byte(st.user)} {
		if len(f) > 0xffff {
			return nil, errors.New("srp: secret block field too long")
		}
		pt = binary.BigEndian.AppendUint16(pt, uint16(len(f)))
		pt = append(pt, f...)
	}
	ns := sl.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(pt)+sl.aead.Overhead())
	out[0] = blockVersion
	if _, err := io.ReadFull(random, out[1:]); err != nil {
		return nil, fmt.Errorf("srp: reading nonce: %w", err)
	}
	return sl.aead.Seal(out, out[1:], pt, out[:1]), nil
}

func (sl *sealer) open(block []byte) (blockState, error) {
	ns := sl.aead.NonceSize()
	if len(block) < 1+ns+sl.aead.Overhead() || block[0] != blockVersion {
		return blockState{}, errors.New("secret block malformed")
	}
	pt, err := sl.aead.Open(nil, block[1:1+ns], block[1+ns:], block[:1])
	if err != nil {
		return blockState{}, errors.New("secret block not authentic")
	}
	// From here the plaintext is our own output, but parse defensively.
	const fixed = 8 + sha256.Size
	if len(pt) < fixed {
		return blockState{}, errors.New("secret block truncated")
	}
	st := blockState{
		issued:      time.Unix(0, int64(binary.BigEndian.Uint64(pt))),
		fingerprint: pt[8:fixed],
	}
	rest := pt[fixed:]
	fields := make([][]byte, 5)
	for i := range fields {
		if len(rest) < 2 {
			return blockState{}, errors.New("secret block truncated")
		}
		n := int(binary.BigEndian.Uint16(rest))
		if len(rest) < 2+n {
			return blockState{}, errors.New("secret block truncated")
		}
		fields[i], rest = rest[2:2+n], rest[2+n:]
	}
	if len(rest) != 0 {
		return blockState{}, errors.New("secret block has trailing data")
	}
	st.b = new(big.Int).SetBytes(fields[0])
	st.bigA = new(big.Int).SetBytes(fields[1])
	st.bigB = new(big.Int).SetBytes(fields[2])
	st.poolID = string(fields[3])
	st.user = string(fields[4])
	return st, nil
}
