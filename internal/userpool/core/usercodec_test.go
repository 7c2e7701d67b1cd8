package core

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func sampleDocs() map[string]*UserDoc {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	return map[string]*UserDoc{
		"empty": {},
		"typical": {
			Attributes: map[string]string{"sub": "3f6e", "email": "jane@example.com", "email_verified": "true", "custom:tier": "gold"},
			Status:     StatusConfirmed, Enabled: true,
			PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
			SRPSalt:      []byte{0, 1, 2, 255}, SRPVerifier: "c2VhbGVk",
		},
		"everything": {
			Attributes:          map[string]string{"sub": "x", "name": "ünïcødé ✓", "": "empty name"},
			Status:              StatusForceChangePassword,
			TempPasswordExpires: t0,
			Pending:             map[string]string{"email": "new@example.com"},
			Codes: map[string]*CodeDoc{
				"email":  {MAC: []byte("mac"), Expires: t0.Add(time.Hour), Tries: 3, Value: "new@example.com"},
				"signup": {MAC: []byte{}, Expires: t0},
			},
			Sends:          map[string][]time.Time{"email": {t0, t0.Add(time.Minute)}, "forgot": {}},
			RevokedBefore:  1795631434,
			RevokedOrigins: map[string]int64{"jti-1": 1795700000, "jti-2": -5},
			FailedSignIns:  6,
			LockedUntil:    t0.Add(2 * time.Second),
			Extra: &UserExtra{
				MFAOptions: []MFAOption{{DeliveryMedium: "SMS", AttributeName: "phone_number"}},
				AuthEvents: []AuthEvent{{ID: "e1", Type: "SignIn", Created: t0, Response: "Fail", Challenge: "Password", Outcome: "Failure", IP: "10.0.0.1"}},
			},
		},
	}
}

// normal maps empty collections to nil, as decoding does.
func normal(d *UserDoc) *UserDoc {
	c := *d
	if len(c.Attributes) == 0 {
		c.Attributes = nil
	}
	if c.Extra != nil && c.Extra.empty() {
		c.Extra = nil
	}
	if len(c.Pending) == 0 {
		c.Pending = nil
	}
	if len(c.SRPSalt) == 0 {
		c.SRPSalt = nil
	}
	if len(c.Codes) == 0 {
		c.Codes = nil
	}
	for k, code := range c.Codes {
		cc := *code
		if len(cc.MAC) == 0 {
			cc.MAC = []byte{}
		}
		c.Codes[k] = &cc
	}
	if len(c.Sends) == 0 {
		c.Sends = nil
	}
	if len(c.RevokedOrigins) == 0 {
		c.RevokedOrigins = nil
	}
	return &c
}

func TestUserDocRoundTrip(t *testing.T) {
	for name, doc := range sampleDocs() {
		t.Run(name, func(t *testing.T) {
			var got UserDoc
			if err := decodeUserDoc(encodeUserDoc(doc), &got); err != nil {
				t.Fatal(err)
			}
			if want := normal(doc); !reflect.DeepEqual(normal(&got), want) {
				t.Errorf("round trip:\n got %+v\nwant %+v", normal(&got), want)
			}
		})
	}
}

// TestUserDocReadsOlderVersions keeps version 1 (no lockout fields) and
// version 2 (no Extra) documents readable.
func TestUserDocReadsOlderVersions(t *testing.T) {
	doc := sampleDocs()["typical"]
	v3 := encodeUserDoc(doc)
	// Version 2 is version 3 without its trailing empty Extra (one byte);
	// version 1 also lacks the two lockout varints (one byte each).
	for _, old := range [][]byte{
		append([]byte{userDocV2}, v3[1:len(v3)-1]...),
		append([]byte{userDocV1}, v3[1:len(v3)-3]...),
	} {
		var got UserDoc
		if err := decodeUserDoc(old, &got); err != nil {
			t.Fatalf("version %d: %v", old[0], err)
		}
		if !reflect.DeepEqual(normal(&got), normal(doc)) {
			t.Errorf("version %d decoded as %+v", old[0], got)
		}
	}
}

// TestUserDocReadsJSON keeps documents written as JSON readable.
func TestUserDocReadsJSON(t *testing.T) {
	doc := sampleDocs()["everything"]
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var got UserDoc
	if err := decodeUserDoc(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Codes["email"].Tries != 3 || got.Pending["email"] != "new@example.com" || !got.TempPasswordExpires.Equal(doc.TempPasswordExpires) {
		t.Errorf("legacy JSON document decoded as %+v", got)
	}
}

func TestUserDocRejectsCorruption(t *testing.T) {
	good := encodeUserDoc(sampleDocs()["everything"])
	tests := map[string][]byte{
		"empty":         {},
		"wrong version": append([]byte{0x7f}, good[1:]...),
		"truncated":     good[:len(good)-1],
		"trailing":      append(append([]byte{}, good...), 0),
		"huge length":   {userDocV2, 0xff, 0xff, 0xff, 0xff, 0x0f},
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			var d UserDoc
			if err := decodeUserDoc(b, &d); err == nil {
				t.Errorf("decoded %q without error", b)
			}
		})
	}
}

func FuzzUserDoc(f *testing.F) {
	for _, d := range sampleDocs() {
		f.Add(encodeUserDoc(d))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d UserDoc
		if decodeUserDoc(b, &d) != nil || len(b) == 0 || b[0] < userDocV1 || b[0] > userDocV3 {
			return
		}
		var again UserDoc
		if err := decodeUserDoc(encodeUserDoc(&d), &again); err != nil {
			t.Fatalf("re-encoding a decoded document fails: %v", err)
		}
		if !reflect.DeepEqual(normal(&d), normal(&again)) {
			t.Fatalf("not stable: %+v vs %+v", d, again)
		}
	})
}

func BenchmarkUserDocDecode(b *testing.B) {
	data := encodeUserDoc(sampleDocs()["typical"])
	b.ReportAllocs()
	for b.Loop() {
		var d UserDoc
		if err := decodeUserDoc(data, &d); err != nil {
			b.Fatal(err)
		}
	}
}
