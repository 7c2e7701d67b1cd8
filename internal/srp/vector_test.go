package srp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"testing"
	"time"
)

const specK = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"

func TestGroupConstants(t *testing.T) {
	gr := newGroup()
	tests := []struct {
		name string
		got  *big.Int
		want *big.Int
	}{
		{"N matches spec text", gr.n, refN()},
		{"N is 3072 bits", big.NewInt(int64(gr.n.BitLen())), big.NewInt(3072)},
		{"g", gr.g, big.NewInt(2)},
		{"k (package) matches spec constant", gr.k, refInt(specK)},
		{"k (reference) matches spec constant", refK(), refInt(specK)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got.Cmp(tc.want) != 0 {
				t.Errorf("got %x, want %x", tc.got, tc.want)
			}
		})
	}
}

func TestPad(t *testing.T) {
	tests := []struct {
		name string
		in   string // hex of the integer
		want string // hex of pad(in)
	}{
		{"zero", "0", "00"},
		{"one nibble", "1", "01"},
		{"odd length low nibble", "abc", "0abc"},
		{"odd length never gets 00", "fff", "0fff"},
		{"even length below 8", "7f", "7f"},
		{"even length high nibble 8", "80", "0080"},
		{"even length high nibble f", "ff01", "00ff01"},
		{"even length high nibble 1", "1234", "1234"},
		{"high nibble 9 long", "9e1c84594b0d82ad6193b379862e8092", "009e1c84594b0d82ad6193b379862e8092"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := refInt(tc.in)
			if got := refPad(x); got != tc.want {
				t.Errorf("refPad(%s) = %s, want %s", tc.in, got, tc.want)
			}
			if got := hex.EncodeToString(pad(x)); got != tc.want {
				t.Errorf("pad(%s) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestPoolName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"region and id", "us-east-1_AbC", "AbC"},
		{"long region", "ap-southeast-2_Pj8nlkpKR", "Pj8nlkpKR"},
		{"no underscore", "Pj8nlkpKR", "Pj8nlkpKR"},
		{"first underscore only", "local_a_b", "a_b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PoolName(tc.in); got != tc.want {
				t.Errorf("PoolName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestFixedVector checks each intermediate value of one exchange, from the
// reference computation and from the package, against the pinned hex.
func TestFixedVector(t *testing.T) {
	gr := newGroup()
	a, b, salt := refInt(vecA), refInt(vecB), refInt(vecSalt)
	saltBytes, _ := hex.DecodeString(vecSalt)
	blockBytes, _ := base64.StdEncoding.DecodeString(vecBlock)

	x := computeX(vecPoolName, vecUser, vecPassword, salt)
	v := verifierFor(gr, vecPoolName, vecUser, vecPassword, saltBytes)
	c := newClientWithSecret(gr, vecPoolID, a)
	bigB := gr.publicB(v, b)
	u := hashInts(c.bigA, bigB)
	sClient := gr.clientS(bigB, x, a, u)
	sServer := gr.serverS(c.bigA, v, u, b)
	key := deriveKey(sServer, u)
	sig := claimSignature(key, vecPoolName, vecUser, blockBytes, vecTimestamp)

	rx := refX(vecPoolName, vecUser, vecPassword, vecSalt)
	rv := refPow(refG(), rx)
	rA := refPow(refG(), a)
	rB := refB(rv, b)
	ru := refU(rA, rB)
	rS := refClientS(rB, rx, a, ru)
	rkey := refKey(rS, ru)

	tests := []struct {
		name string
		got  string
		want string
	}{
		{"x/ref", rx.Text(16), vecX},
		{"x/pkg", x.Text(16), vecX},
		{"v/ref", rv.Text(16), vecV},
		{"v/pkg", v.Text(16), vecV},
		{"A/ref", rA.Text(16), vecBigA},
		{"A/pkg", c.SrpAHex(), vecBigA},
		{"B/ref", rB.Text(16), vecBigB},
		{"B/pkg", bigB.Text(16), vecBigB},
		{"u/ref", ru.Text(16), vecU},
		{"u/pkg", u.Text(16), vecU},
		{"S/ref client", rS.Text(16), vecS},
		{"S/ref server", refServerS(rA, rv, ru, b).Text(16), vecS},
		{"S/pkg client", sClient.Text(16), vecS},
		{"S/pkg server", sServer.Text(16), vecS},
		{"key/ref", hex.EncodeToString(rkey), vecKey},
		{"key/pkg", hex.EncodeToString(key), vecKey},
		{"signature/ref", refSignature(rkey, vecPoolName, vecUser, vecBlock, vecTimestamp), vecSig},
		{"signature/pkg", base64.StdEncoding.EncodeToString(sig), vecSig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got  %s\nwant %s", tc.got, tc.want)
			}
		})
	}
}

// TestFixedVectorPublicAPI drives the vector through the exported API: a
// Server whose random reader yields b first produces the pinned SRP_B, and
// the client signs the pinned SECRET_BLOCK with the pinned signature.
func TestFixedVectorPublicAPI(t *testing.T) {
	gr := newGroup()
	saltBytes, _ := hex.DecodeString(vecSalt)
	bBytes, _ := hex.DecodeString(vecB)
	verifier := verifierFor(gr, vecPoolName, vecUser, vecPassword, saltBytes).Bytes()

	t.Run("NewVerifier with fixed salt", func(t *testing.T) {
		salt, v, err := NewVerifier(bytes.NewReader(saltBytes), vecPoolID, vecUser, vecPassword)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(salt, saltBytes) || hex.EncodeToString(v) != vecV {
			t.Errorf("salt %x verifier %x", salt, v)
		}
	})
	t.Run("Begin with fixed b", func(t *testing.T) {
		random := bytes.NewReader(append(append([]byte{}, bBytes...), make([]byte, 12)...))
		srv, err := NewServer(bytes.Repeat([]byte{7}, 32), random, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := srv.Begin(vecPoolID, vecUser, saltBytes, verifier, vecBigA)
		if err != nil {
			t.Fatal(err)
		}
		if ch.SrpBHex != vecBigB {
			t.Errorf("SrpBHex = %s, want %s", ch.SrpBHex, vecBigB)
		}
		if ch.SaltHex != vecSalt {
			t.Errorf("SaltHex = %s, want %s", ch.SaltHex, vecSalt)
		}
	})
	t.Run("client signature", func(t *testing.T) {
		c := newClientWithSecret(gr, vecPoolID, refInt(vecA))
		ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
		gotTS, sig, err := c.Respond(vecUser, vecPassword, vecSalt, vecBigB, vecBlock, ts)
		if err != nil {
			t.Fatal(err)
		}
		if gotTS != vecTimestamp || sig != vecSig {
			t.Errorf("got (%q, %s), want (%q, %s)", gotTS, sig, vecTimestamp, vecSig)
		}
	})
}

// TestPublishedVectors checks the client against AWS's .NET vectors.
func TestPublishedVectors(t *testing.T) {
	gr := newGroup()
	aBytes := bytes.Repeat([]byte{2}, 1024)
	aBytes[1023] = 0
	a := new(big.Int).SetBytes(aBytes)
	c := newClientWithSecret(gr, "us-west-2_"+netPoolName, a)

	t.Run("password authentication key", func(t *testing.T) {
		key, err := c.passwordKey(netUser, netPassword, netSalt, netKeyB)
		if err != nil {
			t.Fatal(err)
		}
		if got := base64.StdEncoding.EncodeToString(key); got != netKey {
			t.Errorf("package key = %s, want %s", got, netKey)
		}
		rA := refPow(refG(), a)
		rB := refInt(netKeyB)
		ru := refU(rA, rB)
		rkey := refKey(refClientS(rB, refX(netPoolName, netUser, netPassword, netSalt), a, ru), ru)
		if got := base64.StdEncoding.EncodeToString(rkey); got != netKey {
			t.Errorf("reference key = %s, want %s", got, netKey)
		}
	})
	t.Run("password claim signature", func(t *testing.T) {
		sig, err := c.sign(netUser, netPassword, netSalt, netClaimB, netSecretBlock, netTimestamp)
		if err != nil {
			t.Fatal(err)
		}
		if got := base64.StdEncoding.EncodeToString(sig); got != netClaim {
			t.Errorf("signature = %s, want %s", got, netClaim)
		}
	})
	t.Run("timestamp of the published claim", func(t *testing.T) {
		if got := FormatTimestamp(time.Date(2017, 6, 15, 0, 0, 0, 0, time.FixedZone("PDT", -7*3600))); got != netTimestamp {
			t.Errorf("FormatTimestamp = %q, want %q", got, netTimestamp)
		}
	})
}
