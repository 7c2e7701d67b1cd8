package message

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

var t0 = time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)

func seed(t *testing.T, st *memStore, recs ...store.Message) {
	t.Helper()
	if err := st.Update(context.Background(), func(tx store.Tx) error {
		for _, r := range recs {
			if err := tx.CreateMessage(r); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// checkingSender records sends and checks that each runs outside a store
// transaction and with a deadline.
type checkingSender struct {
	st   *memStore
	err  error
	mu   sync.Mutex
	sent []Message
	bad  []string
}

func (c *checkingSender) Send(ctx context.Context, m Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.st.inTx.Load() {
		c.bad = append(c.bad, "send inside a transaction")
	}
	if _, ok := ctx.Deadline(); !ok {
		c.bad = append(c.bad, "send without a deadline")
	}
	c.sent = append(c.sent, m)
	return c.err
}

func TestDispatcherDeliver(t *testing.T) {
	msg := Message{ID: "m1", PoolID: "p", Username: "u", AttributeName: "phone_number", Medium: SMS,
		Destination: "+12065551212", Body: "Code 123456", Code: "123456", Created: t0}
	boom := errors.New("smtp: 451 try later")
	tests := []struct {
		name      string
		stored    func() store.Message
		sender    func(c *checkingSender) Sender
		sendErr   error
		deliverID string
		wantErr   error
		wantSends int
		want      store.Message // State, Attempts, LastError checked
	}{
		{name: "sent", sender: func(c *checkingSender) Sender { return c },
			wantSends: 1, want: store.Message{State: StateSent, Attempts: 1}},
		{name: "failed", sender: func(c *checkingSender) Sender { return c }, sendErr: boom, wantErr: boom,
			wantSends: 1, want: store.Message{State: StateFailed, Attempts: 1, LastError: boom.Error()}},
		{name: "failed again counts attempts",
			stored: func() store.Message {
				r := msg.ToRecord()
				r.State, r.Attempts, r.LastError = StateFailed, 2, "old"
				return r
			},
			sender: func(c *checkingSender) Sender { return c }, sendErr: boom, wantErr: boom,
			wantSends: 1, want: store.Message{State: StateFailed, Attempts: 3, LastError: boom.Error()}},
		{name: "retry after failure succeeds and clears error",
			stored: func() store.Message {
				r := msg.ToRecord()
				r.State, r.Attempts, r.LastError = StateFailed, 1, "old"
				return r
			},
			sender:    func(c *checkingSender) Sender { return c },
			wantSends: 1, want: store.Message{State: StateSent, Attempts: 2}},
		{name: "already sent is not resent",
			stored: func() store.Message {
				r := msg.ToRecord()
				r.State, r.Attempts = StateSent, 1
				return r
			},
			sender: func(c *checkingSender) Sender { return c }, wantSends: 0, want: store.Message{State: StateSent, Attempts: 1}},
		{name: "sandbox suppression is recorded",
			sender: func(c *checkingSender) Sender {
				return Router{SMS: c, SMSSandbox: true, SandboxNumbers: []string{"+15550000000"}}
			},
			wantSends: 0, want: store.Message{State: StateSuppressed, Attempts: 1}},
		{name: "unknown id", deliverID: "nope", sender: func(c *checkingSender) Sender { return c },
			wantErr: store.ErrNotFound, wantSends: 0, want: store.Message{State: StatePending}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore()
			rec := msg.ToRecord()
			if tt.stored != nil {
				rec = tt.stored()
			}
			seed(t, st, rec)
			c := &checkingSender{st: st, err: tt.sendErr}
			d := NewDispatcher(st, tt.sender(c), nil, func() time.Time { return t0 })
			id := msg.ID
			if tt.deliverID != "" {
				id = tt.deliverID
			}
			err := d.Deliver(context.Background(), id)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Deliver error = %v, want %v", err, tt.wantErr)
			}
			if len(c.sent) != tt.wantSends {
				t.Fatalf("sends = %d, want %d", len(c.sent), tt.wantSends)
			}
			if len(c.sent) == 1 && c.sent[0] != msg {
				t.Errorf("sent %+v, want %+v", c.sent[0], msg)
			}
			if len(c.bad) > 0 {
				t.Errorf("sender saw: %v", c.bad)
			}
			got := st.get(msg.ID)
			if got.State != tt.want.State || got.Attempts != tt.want.Attempts || got.LastError != tt.want.LastError {
				t.Errorf("stored state %q attempts %d error %q; want %q %d %q",
					got.State, got.Attempts, got.LastError, tt.want.State, tt.want.Attempts, tt.want.LastError)
			}
		})
	}
}

func TestDispatcherRetryPending(t *testing.T) {
	now := t0.Add(48 * time.Hour)
	rec := func(id, state string, attempts int, age time.Duration) store.Message {
		m := Message{ID: id, PoolID: "p", Username: "u", AttributeName: "email", Medium: Email,
			Destination: id + "@example.com", Body: "code {####}", Code: "000000", Created: now.Add(-age)}
		r := m.ToRecord()
		r.State, r.Attempts = state, attempts
		return r
	}
	tests := []struct {
		name string
		rec  store.Message
		due  bool
	}{
		{"pending within grace", rec("a", StatePending, 0, 30*time.Second), false},
		{"pending after grace", rec("b", StatePending, 0, 2*time.Minute), true},
		{"failed once, backoff running", rec("c", StateFailed, 1, 70*time.Second), false},
		{"failed once, backoff over", rec("d", StateFailed, 1, 2*time.Minute), true},
		{"failed twice, doubled backoff running", rec("e", StateFailed, 2, 2*time.Minute), false},
		{"failed twice, doubled backoff over", rec("f", StateFailed, 2, 150*time.Second), true},
		{"seven failures, long backoff running", rec("g", StateFailed, 7, time.Hour), false},
		{"seven failures, long backoff over", rec("l", StateFailed, 7, 65*time.Minute), true},
		{"sent", rec("h", StateSent, 1, time.Hour), false},
		{"suppressed", rec("i", StateSuppressed, 1, time.Hour), false},
		{"too old", rec("j", StateFailed, 1, 25*time.Hour), false},
		{"attempts exhausted", rec("k", StateFailed, 8, 20*time.Hour), false},
	}
	st := newMemStore()
	for _, tt := range tests {
		seed(t, st, tt.rec)
	}
	c := &checkingSender{st: st}
	d := NewDispatcher(st, c, nil, func() time.Time { return now })
	n, err := d.RetryPending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]bool{}
	for _, m := range c.sent {
		sent[m.ID] = true
	}
	wantN := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if sent[tt.rec.ID] != tt.due {
				t.Errorf("sent = %v, want %v", sent[tt.rec.ID], tt.due)
			}
			got := st.get(tt.rec.ID)
			wantState, wantAttempts := tt.rec.State, tt.rec.Attempts
			if tt.due {
				wantState, wantAttempts = StateSent, tt.rec.Attempts+1
			}
			if got.State != wantState || got.Attempts != wantAttempts {
				t.Errorf("state %q/%d, want %q/%d", got.State, got.Attempts, wantState, wantAttempts)
			}
		})
		if tt.due {
			wantN++
		}
	}
	if n != wantN {
		t.Errorf("RetryPending tried %d, want %d", n, wantN)
	}
	if len(c.bad) > 0 {
		t.Errorf("sender saw: %v", c.bad)
	}
}

// cancellingSender cancels the Run loop's context on its first send.
type cancellingSender struct {
	cancel context.CancelFunc
	sent   []string
}

func (c *cancellingSender) Send(_ context.Context, m Message) error {
	c.sent = append(c.sent, m.ID)
	c.cancel()
	return nil
}

func TestDispatcherRunStopsWithContext(t *testing.T) {
	st := newMemStore()
	r := Message{ID: "old", Medium: Email, Destination: "x@y.z", Created: t0}.ToRecord()
	seed(t, st, r)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &cancellingSender{cancel: cancel}
	d := NewDispatcher(st, s, nil, func() time.Time { return t0.Add(time.Hour) })
	if err := d.Run(ctx); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if strings.Join(s.sent, ",") != "old" {
		t.Errorf("sent %v, want [old]", s.sent)
	}
	if got := st.get("old"); got.State != StateSent {
		t.Errorf("state %q, want sent (recorded although the context ended)", got.State)
	}
}
