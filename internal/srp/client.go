package srp

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"
)

// clientSecretLen is the size in bytes of the random private value a, as in
// amazon-cognito-identity-js and pycognito (then reduced mod N).
const clientSecretLen = 128

// Client is the user side of Cognito's SRP exchange, for tests and the
// `cognate sign-in` command. A Client holds one ephemeral key pair (a, A)
// and must be used for a single sign-in.
type Client struct {
	gr       *group
	poolName string
	a        *big.Int // private ephemeral
	bigA     *big.Int // A = g^a mod N
}

// NewClient draws the private value a from random and computes A = g^a mod N
// for a sign-in to the given user pool.
func NewClient(random io.Reader, userPoolID string) (*Client, error) {
	gr := newGroup()
	buf := make([]byte, clientSecretLen)
	for {
		if _, err := io.ReadFull(random, buf); err != nil {
			return nil, fmt.Errorf("srp: reading client secret: %w", err)
		}
		a := new(big.Int).SetBytes(buf)
		a.Mod(a, gr.n)
		if a.Sign() != 0 {
			return newClientWithSecret(gr, userPoolID, a), nil
		}
	}
}

// newClientWithSecret builds a Client from a chosen private value; a is used
// as given (not reduced), which the published .NET vectors rely on.
func newClientWithSecret(gr *group, userPoolID string, a *big.Int) *Client {
	return &Client{
		gr:       gr,
		poolName: PoolName(userPoolID),
		a:        a,
		bigA:     new(big.Int).Exp(gr.g, a, gr.n),
	}
}

// SrpAHex returns A in lower-case hex without padding, the SRP_A auth parameter.
func (c *Client) SrpAHex() string {
	return c.bigA.Text(16)
}

// Respond answers a PASSWORD_VERIFIER challenge: from the challenge's
// SALT, SRP_B and SECRET_BLOCK it returns the TIMESTAMP (now, formatted) and
// the PASSWORD_CLAIM_SIGNATURE in standard base64. userIDForSRP is the
// challenge's USER_ID_FOR_SRP.
func (c *Client) Respond(userIDForSRP, password, saltHex, srpBHex, secretBlock string, now time.Time) (timestamp, signatureB64 string, err error) {
	timestamp = FormatTimestamp(now)
	sig, err := c.sign(userIDForSRP, password, saltHex, srpBHex, secretBlock, timestamp)
	if err != nil {
		return "", "", err
	}
	return timestamp, base64.StdEncoding.EncodeToString(sig), nil
}

// passwordKey returns the HKDF key the client derives, or an error when the
// server's values are unusable.
func (c *Client) passwordKey(userIDForSRP, password, saltHex, srpBHex string) ([]byte, error) {
	bigB, ok := new(big.Int).SetString(srpBHex, 16)
	if !ok || bigB.Sign() < 0 {
		return nil, errors.New("srp: SRP_B is not hex")
	}
	if new(big.Int).Mod(bigB, c.gr.n).Sign() == 0 {
		return nil, errors.New("srp: SRP_B mod N is zero")
	}
	salt, ok := new(big.Int).SetString(saltHex, 16)
	if !ok || salt.Sign() < 0 {
		return nil, errors.New("srp: SALT is not hex")
	}
	u := hashInts(c.bigA, bigB)
	if u.Sign() == 0 {
		return nil, errors.New("srp: u is zero")
	}
	x := computeX(c.poolName, userIDForSRP, password, salt)
	return deriveKey(c.gr.clientS(bigB, x, c.a, u), u), nil
}

func (c *Client) sign(userIDForSRP, password, saltHex, srpBHex, secretBlock, timestamp string) ([]byte, error) {
	key, err := c.passwordKey(userIDForSRP, password, saltHex, srpBHex)
	if err != nil {
		return nil, err
	}
	block, err := base64.StdEncoding.DecodeString(secretBlock)
	if err != nil {
		return nil, fmt.Errorf("srp: SECRET_BLOCK is not base64: %w", err)
	}
	return claimSignature(key, c.poolName, userIDForSRP, block, timestamp), nil
}

// hexOf is used for SALT: the plain hex of the stored bytes, as Cognito sends.
func hexOf(b []byte) string { return hex.EncodeToString(b) }
