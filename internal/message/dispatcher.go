package message

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// Dispatcher sends outbox messages and records the outcome. Sends happen
// outside any transaction: the message is read in one View, sent, and its
// state written in a separate Update.
type Dispatcher struct {
	st     store.Store
	sender Sender
	logger *slog.Logger
	now    func() time.Time

	// Timeout bounds one send (default 10s).
	Timeout time.Duration
	// MaxAge is how old a message may be and still be retried (default
	// 24h, the life of a verification code).
	MaxAge time.Duration
	// PendingGrace is how long a pending message is left to the request
	// that created it before the retry loop sends it (default 1m), so the
	// two do not send it twice.
	PendingGrace time.Duration
	// Backoff is the wait after the first failed attempt; it doubles with
	// every attempt up to MaxBackoff (defaults 30s and 1h).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// MaxAttempts is how many attempts a message gets (default 8).
	MaxAttempts int
	// ScanLimit bounds how many of the newest messages one retry pass
	// examines (default 5000).
	ScanLimit int
	// Interval is the pause between retry passes in Run (default 30s).
	Interval time.Duration
	// OnFailure, when set, is called for each failed delivery attempt.
	OnFailure func()
}

// NewDispatcher returns a dispatcher with default settings. A nil logger
// discards.
func NewDispatcher(st store.Store, s Sender, logger *slog.Logger, now func() time.Time) *Dispatcher {
	return &Dispatcher{
		st: st, sender: s, logger: orDiscard(logger), now: now,
		Timeout:      DefaultSendTimeout,
		MaxAge:       24 * time.Hour,
		PendingGrace: time.Minute,
		Backoff:      30 * time.Second,
		MaxBackoff:   time.Hour,
		MaxAttempts:  8,
		ScanLimit:    5000,
		Interval:     30 * time.Second,
	}
}

// Deliver sends the stored message id and records it as sent, suppressed
// or failed (with LastError and one more attempt). A message already sent
// or suppressed is not sent again. It returns the send error, which the
// caller maps to CodeDeliveryFailureException, or an error loading the
// message (wrapping store.ErrNotFound for an unknown id). Failing to record
// the outcome is logged, not returned: the send's result is what the
// caller must act on.
func (d *Dispatcher) Deliver(ctx context.Context, id string) error {
	var rec store.Message
	if err := d.st.View(ctx, func(tx store.Tx) error {
		var err error
		rec, err = tx.GetMessage(id)
		return err
	}); err != nil {
		return fmt.Errorf("message: load %s: %w", id, err)
	}
	if rec.State == StateSent || rec.State == StateSuppressed {
		return nil
	}
	m := FromRecord(rec)
	outcome, sendErr := d.send(ctx, m)
	state, lastErr := string(outcome), ""
	if sendErr != nil {
		state, lastErr = StateFailed, truncate(sendErr.Error(), 1000)
		if d.OnFailure != nil {
			d.OnFailure()
		}
		d.logger.WarnContext(ctx, "verification message delivery failed",
			append(logAttrs(m), slog.Int("attempt", rec.Attempts+1), slog.String("error", lastErr))...)
	}
	// The send is done; record it even if the caller's context has ended.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.timeout())
	defer cancel()
	err := d.st.Update(rctx, func(tx store.Tx) error {
		cur, err := tx.GetMessage(id)
		if err != nil {
			return err
		}
		cur.State = state
		cur.Attempts++
		cur.LastError = lastErr
		return tx.PutMessage(cur)
	})
	if err != nil {
		// The outcome is lost; a message still pending will be retried.
		d.logger.ErrorContext(ctx, "cannot record verification message delivery",
			append(logAttrs(m), slog.String("state", state), slog.String("error", err.Error()))...)
	}
	return sendErr
}

func (d *Dispatcher) timeout() time.Duration {
	if d.Timeout <= 0 {
		return DefaultSendTimeout
	}
	return d.Timeout
}

func (d *Dispatcher) send(ctx context.Context, m Message) (Outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	if dl, ok := d.sender.(Deliverer); ok {
		return dl.Deliver(ctx, m)
	}
	if err := d.sender.Send(ctx, m); err != nil {
		return "", err
	}
	return Sent, nil
}

// RetryPending sends every pending or failed message that is younger than
// MaxAge, has attempts left and whose backoff has elapsed. It returns how
// many it tried and the first store error; send failures are recorded and
// logged, not returned.
func (d *Dispatcher) RetryPending(ctx context.Context) (int, error) {
	var recs []store.Message
	if err := d.st.View(ctx, func(tx store.Tx) error {
		var err error
		recs, err = tx.ListMessages(store.MessageFilter{Limit: d.ScanLimit})
		return err
	}); err != nil {
		return 0, fmt.Errorf("message: list outbox: %w", err)
	}
	now := d.now()
	tried := 0
	for _, r := range recs {
		if ctx.Err() != nil {
			return tried, ctx.Err()
		}
		if !d.due(r, now) {
			continue
		}
		tried++
		if err := d.Deliver(ctx, r.ID); err != nil && errors.Is(err, store.ErrNotFound) {
			continue // deleted with its pool meanwhile
		}
	}
	return tried, nil
}

// due reports whether r should be attempted at now. Attempt n (counting
// from 0) is due PendingGrace + Backoff·(2ⁿ−1) after creation, each step
// capped at MaxBackoff; the schedule needs no last-attempt time.
func (d *Dispatcher) due(r store.Message, now time.Time) bool {
	if r.State != StatePending && r.State != StateFailed {
		return false
	}
	if d.MaxAttempts > 0 && r.Attempts >= d.MaxAttempts {
		return false
	}
	if d.MaxAge > 0 && now.Sub(r.Created) > d.MaxAge {
		return false
	}
	wait := d.PendingGrace
	step := d.Backoff
	for i := 0; i < r.Attempts; i++ {
		wait += step
		if step *= 2; d.MaxBackoff > 0 && step > d.MaxBackoff {
			step = d.MaxBackoff
		}
	}
	return !now.Before(r.Created.Add(wait))
}

// Run calls RetryPending every Interval until ctx ends, then returns nil.
func (d *Dispatcher) Run(ctx context.Context) error {
	interval := d.Interval
	if interval <= 0 {
		interval = 30 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := d.RetryPending(ctx); err != nil && ctx.Err() == nil {
			d.logger.ErrorContext(ctx, "outbox retry pass failed", slog.String("error", err.Error()))
		} else if n > 0 {
			d.logger.InfoContext(ctx, "outbox retry pass", slog.Int("attempted", n))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
