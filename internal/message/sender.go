package message

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
)

// Sender delivers one message. Send must honour ctx's deadline and must not
// be called inside a store transaction.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Outcome is what became of a message a Sender accepted.
type Outcome string

// Outcomes of a delivery.
const (
	// Sent means the message was handed to its transport.
	Sent Outcome = "sent"
	// Suppressed means the message was deliberately not sent (an SMS to a
	// number outside the sandbox list); Cognito answers as if it were sent.
	Suppressed Outcome = "suppressed"
)

// Deliverer is a Sender that can also say whether a message it accepted was
// sent or suppressed. The Dispatcher uses it, when available, to record the
// outcome in the outbox.
type Deliverer interface {
	Sender
	Deliver(ctx context.Context, m Message) (Outcome, error)
}

// logAttrs are the fields of m that may be logged: never the code, the
// body or the clear destination.
func logAttrs(m Message) []any {
	return []any{
		slog.String("message_id", m.ID),
		slog.String("pool_id", m.PoolID),
		slog.String("username", m.Username),
		slog.String("attribute", m.AttributeName),
		slog.String("medium", string(m.Medium)),
		slog.String("destination", m.MaskedDestination()),
	}
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// LogSender is the local-outbox mode: the message is already stored in the
// outbox by the caller, so sending only logs that it was queued. It never
// fails.
type LogSender struct {
	// Logger receives one Info record per message; nil discards.
	Logger *slog.Logger
}

// Send logs that m was queued (masked destination, no code or body).
func (s LogSender) Send(ctx context.Context, m Message) error {
	orDiscard(s.Logger).InfoContext(ctx, "verification message queued in local outbox", logAttrs(m)...)
	return nil
}

// Router sends each message through the Sender for its medium. In SMS
// sandbox mode, like SNS's sandbox, only numbers in SandboxNumbers are sent
// to; other SMS are suppressed: logged, not sent, and reported as success.
type Router struct {
	Email Sender
	SMS   Sender
	// SMSSandbox turns on suppression of SMS to unlisted numbers.
	SMSSandbox bool
	// SandboxNumbers are the E.164 numbers that may receive SMS in sandbox
	// mode; spaces, dashes and brackets are ignored when comparing.
	SandboxNumbers []string
	// Logger receives suppression notices; nil discards.
	Logger *slog.Logger
}

// Send delivers m through the sender for its medium; a suppressed SMS is
// not an error.
func (r Router) Send(ctx context.Context, m Message) error {
	_, err := r.Deliver(ctx, m)
	return err
}

// Deliver is Send that also reports whether m was sent or suppressed.
func (r Router) Deliver(ctx context.Context, m Message) (Outcome, error) {
	var s Sender
	switch m.Medium {
	case Email:
		s = r.Email
	case SMS:
		s = r.SMS
		if r.SMSSandbox && !r.inSandbox(m.Destination) {
			orDiscard(r.Logger).InfoContext(ctx, "SMS suppressed: number not in the SMS sandbox", logAttrs(m)...)
			return Suppressed, nil
		}
	default:
		return "", fmt.Errorf("message: unknown delivery medium %q", m.Medium)
	}
	if s == nil {
		return "", fmt.Errorf("message: no sender configured for %s", m.Medium)
	}
	if d, ok := s.(Deliverer); ok {
		return d.Deliver(ctx, m)
	}
	if err := s.Send(ctx, m); err != nil {
		return "", err
	}
	return Sent, nil
}

func (r Router) inSandbox(number string) bool {
	n := normalizePhone(number)
	return slices.ContainsFunc(r.SandboxNumbers, func(s string) bool { return normalizePhone(s) == n })
}

func normalizePhone(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '.':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}
