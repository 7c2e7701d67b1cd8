package trigger

import (
	"encoding/json"
	"sync"
	"time"
)

// DefaultCallLogSize is how many calls a CallLog keeps when NewCallLog
// gets no size.
const DefaultCallLogSize = 500

// Call is one recorded trigger invocation.
type Call struct {
	Time     time.Time
	PoolID   string
	Trigger  string // TriggerCustomMessage, ...
	Function string // the function name or ARN the pool names
	Source   string // the event's triggerSource
	// Event is the JSON sent, with passwords replaced by "(redacted)";
	// Response is what the function returned (empty when it failed).
	Event    json.RawMessage
	Response json.RawMessage
	Duration time.Duration
	// Error is the Cognito error the call became, empty when it succeeded.
	Error string
}

// CallLog keeps the most recent trigger calls in memory for people to
// inspect (the console's trigger log). It is per process and never
// persisted: a restart empties it and each node of a cluster sees only the
// calls it made. It holds what the functions saw and answered, codes and
// the private parameters of custom challenges among them, so it is shown
// under the same lock as the outbox: to admins when admin credentials are
// configured, to anyone who reaches the server otherwise (local use).
type CallLog struct {
	mu    sync.Mutex
	calls []Call // ring buffer
	next  int
	full  bool
}

// NewCallLog returns a CallLog that keeps the last size calls (size <= 0
// means DefaultCallLogSize).
func NewCallLog(size int) *CallLog {
	if size <= 0 {
		size = DefaultCallLogSize
	}
	return &CallLog{calls: make([]Call, size)}
}

// Record adds c, dropping the oldest call when the log is full.
func (l *CallLog) Record(c Call) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls[l.next] = c
	l.next++
	if l.next == len(l.calls) {
		l.next, l.full = 0, true
	}
}

// Recent returns up to limit calls (all when limit <= 0), newest first,
// only those of poolID when it is not empty.
func (l *CallLog) Recent(poolID string, limit int) []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.next
	if l.full {
		n = len(l.calls)
	}
	var out []Call
	for i := 0; i < n; i++ {
		c := l.calls[(l.next-1-i+len(l.calls))%len(l.calls)]
		if poolID != "" && c.PoolID != poolID {
			continue
		}
		out = append(out, c)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}

// redactPayload returns the event JSON with the cleartext password of a
// UserMigration event replaced, so the log never holds passwords.
func redactPayload(payload []byte) json.RawMessage {
	var ev map[string]json.RawMessage
	if json.Unmarshal(payload, &ev) != nil {
		return json.RawMessage(payload)
	}
	var req map[string]json.RawMessage
	if json.Unmarshal(ev["request"], &req) != nil {
		return json.RawMessage(payload)
	}
	if _, ok := req["password"]; !ok {
		return json.RawMessage(payload)
	}
	req["password"] = json.RawMessage(`"(redacted)"`)
	ev["request"], _ = json.Marshal(req)
	b, err := json.Marshal(ev)
	if err != nil {
		return nil
	}
	return b
}
