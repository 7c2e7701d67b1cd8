package token

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// golden compares got with testdata/name, rewriting the file under -update.
func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// TestSignGolden pins the exact bytes of a signed access token: header
// member order, claim order and encoding, and the signature (RSASSA-PKCS1-v1_5
// is deterministic), so a change of signing code cannot move the wire shape.
func TestSignGolden(t *testing.T) {
	raw := mustSign(t, testKey(t, "a"), accessClaims("c8588610-fe04-42fe-ab81-e6d1eb0523a3", "admin", "r&d"))
	want := golden(t, "access-token.golden", []byte(raw+"\n"))
	if raw+"\n" != string(want) {
		t.Errorf("Sign =\n%s\nwant\n%s", raw, want)
	}
}

// refreshPlaintext is what testdata/refresh-v1.golden seals, under the
// sealer key of 32 bytes of 1.
const refreshPlaintext = `{"pool":"us-east-1_AbCdEf123","client":"7hopjdad9ohj6n1v9h93c4eo3c","id":"54c65243-8302-47c9-9605-ef494f0b5c84"}`

// TestOpenJWEGolden: a refresh token sealed by an earlier release still
// opens, so upgrading never signs users out.
func TestOpenJWEGolden(t *testing.T) {
	s := newTestSealer(t, 1, WithRandom(seededReader()))
	var fresh []byte
	if *update {
		fresh = []byte(s.SealJWE([]byte(refreshPlaintext)) + "\n")
	}
	tok := strings.TrimSpace(string(golden(t, "refresh-v1.golden", fresh)))
	got, err := s.OpenJWE(tok)
	if err != nil {
		t.Fatalf("OpenJWE of the golden refresh token: %v", err)
	}
	if !bytes.Equal(got, []byte(refreshPlaintext)) {
		t.Errorf("OpenJWE = %s", got)
	}
	if again := s.SealJWE([]byte(refreshPlaintext)); strings.Split(again, ".")[0] != strings.Split(tok, ".")[0] || len(again) != len(tok) {
		t.Errorf("a fresh seal has another shape:\n%s\n%s", again, tok)
	}
}
