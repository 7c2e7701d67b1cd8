package mfa

import (
	"bytes"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1, truncated to 6 digits.
func TestHOTPVectors(t *testing.T) {
	key := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	} {
		if got := hotp(key, uint64(tc.unix/totpStep)); got != tc.want {
			t.Errorf("T=%d: %s, want %s", tc.unix, got, tc.want)
		}
	}
}

func TestMatchTOTPWindowAndReuse(t *testing.T) {
	secret := secretEncoding.EncodeToString([]byte("12345678901234567890"))
	now := time.Unix(1111111109, 0) // step 37037036
	cur := now.Unix() / totpStep
	key := []byte("12345678901234567890")
	for _, tc := range []struct {
		name string
		step int64
		last int64
		want int64
	}{
		{"current", cur, 0, cur},
		{"previous step", cur - 1, 0, cur - 1},
		{"next step", cur + 1, 0, cur + 1},
		{"two steps back", cur - 2, 0, 0},
		{"two steps ahead", cur + 2, 0, 0},
		{"already used", cur, cur, 0},
		{"older than the last used", cur - 1, cur, 0},
	} {
		if got := matchTOTP(secret, hotp(key, uint64(tc.step)), now, tc.last); got != tc.want {
			t.Errorf("%s: step %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := matchTOTP(secret, "12345", now, 0); got != 0 {
		t.Errorf("5-digit code matched step %d", got)
	}
	if got := matchTOTP("not base32!", "287082", now, 0); got != 0 {
		t.Errorf("bad secret matched step %d", got)
	}
}

func TestNewSecret(t *testing.T) {
	s, err := newSecret(bytes.NewReader(make([]byte, 32)))
	if err != nil || len(s) != 52 || s != "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" {
		t.Fatalf("newSecret = %q, %v", s, err)
	}
}
