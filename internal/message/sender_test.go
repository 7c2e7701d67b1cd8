package message

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// recordingSender is a Sender that records what it is given and fails
// with err when err is set.
type recordingSender struct {
	mu   sync.Mutex
	sent []Message
	err  error
}

func (r *recordingSender) Send(_ context.Context, m Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	return r.err
}

func (r *recordingSender) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

func TestLogSenderNeverLogsSecrets(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want []string
	}{
		{"email", Message{ID: "m1", PoolID: "us-east-1_P", Username: "jane", AttributeName: "email", Medium: Email,
			Destination: "victimsemail@gmail.com", Subject: "Subj", Body: "Your code is 918273", Code: "918273"},
			[]string{"us-east-1_P", "jane", "email", "EMAIL", "v***@g***", "m1"}},
		{"sms", Message{ID: "m2", PoolID: "us-east-1_P", Username: "bob", AttributeName: "phone_number", Medium: SMS,
			Destination: "+12065551212", Body: "Code 564738", Code: "564738"},
			[]string{"bob", "phone_number", "SMS", "+*******1212"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			s := LogSender{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
			if err := s.Send(context.Background(), tt.m); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("log %q lacks %q", out, w)
				}
			}
			for _, secret := range []string{tt.m.Code, tt.m.Body, tt.m.Destination} {
				if strings.Contains(out, secret) {
					t.Errorf("log %q contains %q", out, secret)
				}
			}
		})
	}
	if err := (LogSender{}).Send(context.Background(), Message{}); err != nil {
		t.Errorf("LogSender with nil logger: %v", err)
	}
}

func TestRouter(t *testing.T) {
	email := Message{ID: "e", Medium: Email, Destination: "a@b.c", Code: "111111"}
	sms := Message{ID: "s", Medium: SMS, Destination: "+12065551212", Code: "222222"}
	boom := errors.New("transport down")
	tests := []struct {
		name        string
		router      func(e, s *recordingSender) Router
		msg         Message
		wantOutcome Outcome
		wantErr     error // nil, boom, or errAny
		wantEmail   int
		wantSMS     int
	}{
		{"email to email sender", func(e, s *recordingSender) Router { return Router{Email: e, SMS: s} },
			email, Sent, nil, 1, 0},
		{"sms to sms sender", func(e, s *recordingSender) Router { return Router{Email: e, SMS: s} },
			sms, Sent, nil, 0, 1},
		{"sandbox suppresses unlisted number", func(e, s *recordingSender) Router {
			return Router{Email: e, SMS: s, SMSSandbox: true, SandboxNumbers: []string{"+447700900123"}}
		}, sms, Suppressed, nil, 0, 0},
		{"sandbox sends listed number", func(e, s *recordingSender) Router {
			return Router{Email: e, SMS: s, SMSSandbox: true, SandboxNumbers: []string{"+1 206-555-1212"}}
		}, sms, Sent, nil, 0, 1},
		{"sandbox does not affect email", func(e, s *recordingSender) Router {
			return Router{Email: e, SMS: s, SMSSandbox: true}
		}, email, Sent, nil, 1, 0},
		{"send error passes through", func(e, s *recordingSender) Router { e.err = boom; return Router{Email: e, SMS: s} },
			email, "", boom, 1, 0},
		{"no sms sender", func(e, s *recordingSender) Router { return Router{Email: e} },
			sms, "", errAny, 0, 0},
		{"unknown medium", func(e, s *recordingSender) Router { return Router{Email: e, SMS: s} },
			Message{Medium: "FAX"}, "", errAny, 0, 0},
		{"nested router reports suppression", func(e, s *recordingSender) Router {
			return Router{Email: e, SMS: Router{SMS: s, SMSSandbox: true}}
		}, sms, Suppressed, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, s := &recordingSender{}, &recordingSender{}
			r := tt.router(e, s)
			var logs bytes.Buffer
			r.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			got, err := r.Deliver(context.Background(), tt.msg)
			switch {
			case tt.wantErr == errAny && err == nil, tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("Deliver error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.wantOutcome {
				t.Errorf("outcome = %q, want %q", got, tt.wantOutcome)
			}
			if e.count() != tt.wantEmail || s.count() != tt.wantSMS {
				t.Errorf("email sends %d, sms sends %d; want %d, %d", e.count(), s.count(), tt.wantEmail, tt.wantSMS)
			}
			if sendErr := r.Send(context.Background(), tt.msg); (sendErr == nil) != (err == nil) {
				t.Errorf("Send error %v disagrees with Deliver error %v", sendErr, err)
			}
			if tt.wantOutcome == Suppressed && r.SMSSandbox && !strings.Contains(logs.String(), "suppressed") {
				t.Errorf("suppression not logged: %s", logs.String())
			}
			if strings.Contains(logs.String(), tt.msg.Code) && tt.msg.Code != "" {
				t.Errorf("log contains the code: %s", logs.String())
			}
		})
	}
}

// errAny stands for "some error" in tables.
var errAny = errors.New("any error")
