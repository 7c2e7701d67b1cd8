package message

import (
	"strings"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/store"
)

func TestMask(t *testing.T) {
	tests := []struct {
		name   string
		medium Medium
		in     string
		want   string
	}{
		{"email from spec", Email, "victimsemail@gmail.com", "v***@g***"},
		{"email short", Email, "a@b.co", "a***@b***"},
		{"email keeps case", Email, "Jane.Doe@Example.com", "J***@E***"},
		{"email unicode local part", Email, "élodie@exemple.fr", "é***@e***"},
		{"email quoted local part with @", Email, `"a@b"@c.org`, `"***@c***`},
		{"email without @", Email, "nobody", "n***@***"},
		{"phone from spec", SMS, "+12065551212", "+*******1212"},
		{"phone uk", SMS, "+447700900123", "+********0123"},
		{"phone ignores punctuation", SMS, "+1 (206) 555-1212", "+*******1212"},
		{"phone five digits", SMS, "+12345", "+*2345"},
		{"phone four digits hidden", SMS, "+1234", "+****"},
		{"phone empty", SMS, "", "+"},
		{"unknown medium", Medium("FAX"), "12345", "*****"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Mask(tt.medium, tt.in); got != tt.want {
				t.Errorf("Mask(%s, %q) = %q, want %q", tt.medium, tt.in, got, tt.want)
			}
		})
	}
}

func TestRecordRoundTrip(t *testing.T) {
	created := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	m := Message{
		ID: "id-1", PoolID: "eu-west-2_abc", Username: "u1", AttributeName: "email",
		Medium: Email, Destination: "a@b.c", Subject: "s", Body: "b 123456", Code: "123456", Created: created,
	}
	rec := m.ToRecord()
	want := store.Message{
		ID: "id-1", PoolID: "eu-west-2_abc", Username: "u1", AttributeName: "email",
		DeliveryMedium: "EMAIL", Destination: "a@b.c", Subject: "s", Body: "b 123456", Code: "123456",
		Created: created, State: StatePending,
	}
	if rec != want {
		t.Fatalf("ToRecord = %+v, want %+v", rec, want)
	}
	rec.State, rec.Attempts, rec.LastError = StateFailed, 3, "boom"
	if got := FromRecord(rec); got != m {
		t.Fatalf("FromRecord = %+v, want %+v", got, m)
	}
}

func TestCompose(t *testing.T) {
	tests := []struct {
		name        string
		tmpl        Templates
		medium      Medium
		code, user  string
		wantSubject string
		wantBody    string
	}{
		{"email defaults", Templates{}, Email, "123456", "jane",
			"Your verification code", "Your verification code is 123456. "},
		{"sms default", Templates{}, SMS, "654321", "jane", "", "Your verification code is 654321. "},
		{"email custom", Templates{EmailSubject: "Hi {username}", EmailMessage: "<p>{username}, code {####}</p>"}, Email, "111222", "jane",
			"Hi jane", "<p>jane, code 111222</p>"},
		{"sms custom ignores email fields", Templates{EmailMessage: "no", SMSMessage: "Code: {####} ({####})"}, SMS, "000001", "x",
			"", "Code: 000001 (000001)"},
		{"email subject only", Templates{EmailSubject: "Verify"}, Email, "999999", "x",
			"Verify", "Your verification code is 999999. "},
		{"username containing placeholder is not replaced twice", Templates{EmailMessage: "{username}: {####}"}, Email, "424242", "{####}",
			"Your verification code", "{####}: 424242"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, b := Compose(tt.tmpl, tt.medium, tt.code, tt.user)
			if s != tt.wantSubject || b != tt.wantBody {
				t.Errorf("Compose = (%q, %q), want (%q, %q)", s, b, tt.wantSubject, tt.wantBody)
			}
		})
	}
}

func TestValidateCustom(t *testing.T) {
	const pattern = `[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`
	long := "{####}" + strings.Repeat("x", 135)
	huge := strings.Repeat("a", 20001)
	b141 := strings.Repeat("b", 141)
	tests := []struct {
		name    string
		medium  Medium
		body    string
		wantMsg string // "" means valid
	}{
		{"email with placeholder", Email, "Your code is {####}.", ""},
		{"email html", Email, "<html><body><b>{####}</b>\n</body></html>", ""},
		{"email unicode", Email, "Votre code : {####} — merci ✓", ""},
		{"sms at limit", SMS, "{####}" + strings.Repeat("é", 134), ""},
		{"email without placeholder", Email, "Your code is 123",
			"1 validation error detected: Value 'Your code is 123' at 'emailBody' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern},
		{"sms without placeholder", SMS, "no code",
			"1 validation error detected: Value 'no code' at 'smsMessage' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern},
		{"empty email", Email, "",
			"1 validation error detected: Value '' at 'emailBody' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern},
		{"control character", Email, "code\x00{####}",
			"1 validation error detected: Value 'code\x00{####}' at 'emailBody' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern},
		{"sms too long", SMS, long,
			"1 validation error detected: Value '" + long + "' at 'smsMessage' failed to satisfy constraint: Member must have length less than or equal to 140"},
		{"email too long and no placeholder", Email, huge,
			"2 validation errors detected: Value '" + huge + "' at 'emailBody' failed to satisfy constraint: Member must have length less than or equal to 20000; Value '" + huge + "' at 'emailBody' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern},
		{"sms too long and no placeholder", SMS, b141,
			"2 validation errors detected: Value '" + b141 + "' at 'smsMessage' failed to satisfy constraint: Member must have length less than or equal to 140; Value '" + b141 + "' at 'smsMessage' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern},
		{"email at limit", Email, "{####}" + strings.Repeat("c", 19994), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateCustom(tt.medium, tt.body)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("ValidateCustom = %v, want nil", err)
				}
				return
			}
			e, ok := cognito.As(err)
			if !ok || e.Code != cognito.InvalidParameter {
				t.Fatalf("ValidateCustom = %v, want InvalidParameterException", err)
			}
			if e.Message != tt.wantMsg {
				t.Errorf("message =\n%q\nwant\n%q", e.Message, tt.wantMsg)
			}
		})
	}
}

func FuzzMask(f *testing.F) {
	f.Add("victimsemail@gmail.com", "+12065551212")
	f.Add("", "")
	f.Add("@@", "++1")
	f.Fuzz(func(t *testing.T, email, phone string) {
		if got := Mask(Email, email); !strings.Contains(got, "***@") || !strings.HasSuffix(got, "***") {
			t.Errorf("Mask(EMAIL, %q) = %q", email, got)
		}
		got := Mask(SMS, phone)
		digits := strings.Count(got, "*")
		shown := strings.TrimLeft(got[1:], "*")
		if got[0] != '+' || len(shown) > 4 || (digits == 0 && shown != "") {
			t.Errorf("Mask(SMS, %q) = %q", phone, got)
		}
	})
}
