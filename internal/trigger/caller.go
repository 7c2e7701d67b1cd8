package trigger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
)

// DefaultTimeout bounds one trigger invocation when NewCaller gets none.
// Cognito itself waits about 5 seconds.
const DefaultTimeout = 5 * time.Second

// Messages of the InvalidLambdaResponseException Cognito raises.
const (
	msgUnrecognizable = "Unrecognizable lambda output"
	msgInvalidJSON    = "Invalid lambda function output : Invalid JSON"
)

// Caller invokes triggers with a deadline, logs each call (never its
// payload) and maps failures to the Cognito exceptions.
type Caller struct {
	inv     Invoker
	region  string
	logger  *slog.Logger
	timeout time.Duration
	now     func() time.Time
	// Observe, when set, is told of each invocation's outcome: ok,
	// function_error, invoke_error or invalid_response.
	Observe func(trigger, outcome string)
	// Log, when set, records every call with its event and answer.
	Log *CallLog
}

func (c *Caller) observe(trigger, outcome string) {
	if c.Observe != nil {
		c.Observe(trigger, outcome)
	}
}

// NewCaller builds a Caller. region fills Event.Region (see Header);
// timeout <= 0 means DefaultTimeout; a nil logger discards, a nil now uses
// time.Now.
func NewCaller(inv Invoker, region string, logger *slog.Logger, timeout time.Duration, now func() time.Time) *Caller {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if now == nil {
		now = time.Now
	}
	return &Caller{inv: inv, region: region, logger: logger, timeout: timeout, now: now}
}

// Header returns the common event header for a version-1 event in the
// Caller's region.
func (c *Caller) Header(source, userPoolID, userName string, caller CallerContext) Event {
	return Event{
		Version:       EventVersion,
		TriggerSource: source,
		Region:        c.region,
		UserPoolID:    userPoolID,
		UserName:      userName,
		CallerContext: caller,
	}
}

// Call sends event to function and decodes the returned event into out
// (pass a fresh value, e.g. &CustomMessageEvent{}, so that nothing of the
// request leaks into the answer). trigger is the trigger name used in error
// messages (TriggerCustomMessage, ...). Errors:
//   - the function failed: UserLambdaValidationException
//     "<trigger> failed with error <errorMessage>."
//   - it could not be invoked or timed out: UnexpectedLambdaException
//     "<trigger> invocation failed due to error <reason>."
//   - its output is not JSON: InvalidLambdaResponseException
//     "Invalid lambda function output : Invalid JSON"
//   - its output is not an event-shaped object: InvalidLambdaResponseException
//     "Unrecognizable lambda output"
//
// If ctx itself ends, ctx's error is returned unmapped: the request is gone.
func (c *Caller) Call(ctx context.Context, trigger, function string, event, out any) error {
	payload, err := json.Marshal(event)
	if err != nil {
		return err // a programming error in the domain, not a Lambda failure
	}
	source, poolID := "", ""
	if s, ok := event.(interface{ header() Event }); ok {
		source, poolID = s.header().TriggerSource, s.header().UserPoolID
	}
	log := c.logger.With("trigger", trigger, "source", source, "function", function)

	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	start := c.now()
	output, err := c.inv.Invoke(callCtx, function, payload)
	cancel()
	took := c.now().Sub(start)
	err = c.finish(ctx, log, trigger, took, output, err, out)
	if c.Log != nil {
		call := Call{Time: start, PoolID: poolID, Trigger: trigger, Function: function, Source: source,
			Event: redactPayload(payload), Duration: took}
		if len(output) > 0 {
			call.Response = append(json.RawMessage(nil), output...)
		}
		if err != nil {
			call.Error = err.Error()
		}
		c.Log.Record(call)
	}
	return err
}

// finish maps the outcome of one invocation to what Call returns.
func (c *Caller) finish(ctx context.Context, log *slog.Logger, trigger string, took time.Duration, output []byte, err error, out any) error {
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			log.InfoContext(ctx, "lambda trigger abandoned", "duration", took, "outcome", "canceled")
			return ctxErr
		}
		return c.failure(ctx, log, trigger, took, err)
	}
	if err := decodeOutput(output, out); err != nil {
		c.observe(trigger, "invalid_response")
		log.WarnContext(ctx, "lambda trigger returned an unusable response", "duration", took,
			"outcome", "invalid_response", "bytes", len(output), "error_code", string(err.Code), "message", err.Message)
		return err
	}
	c.observe(trigger, "ok")
	log.InfoContext(ctx, "lambda trigger invoked", "duration", took, "outcome", "ok")
	return nil
}

// failure maps an Invoker error. The function's error message is not logged:
// functions may echo request data (codes, passwords) into it.
func (c *Caller) failure(ctx context.Context, log *slog.Logger, trigger string, took time.Duration, err error) error {
	var fe *FunctionError
	if errors.As(err, &fe) {
		c.observe(trigger, "function_error")
		log.WarnContext(ctx, "lambda trigger function failed", "duration", took,
			"outcome", "function_error", "error_type", fe.Type)
		return cognito.Errorf(cognito.UserLambdaValidation, "%s failed with error %s.", trigger, fe.Message)
	}
	var ie *InvokeError
	if !errors.As(err, &ie) {
		ie = &InvokeError{Reason: reasonService, Err: err}
		if errors.Is(err, context.DeadlineExceeded) {
			ie.Reason = ReasonTimeout
		}
	}
	c.observe(trigger, "invoke_error")
	log.WarnContext(ctx, "lambda trigger invocation failed", "duration", took,
		"outcome", "invoke_error", "reason", ie.Reason, "error", errString(ie.Err))
	return cognito.Errorf(cognito.UnexpectedLambda, "%s invocation failed due to error %s.", trigger, ie.Reason)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// decodeOutput checks that output is one JSON object whose members fit the
// event type, and decodes it into out. Numbers in untyped fields (V2 claim
// values) stay json.Number so large integers survive.
func decodeOutput(output []byte, out any) *cognito.Error {
	trimmed := bytes.TrimSpace(output)
	if !json.Valid(trimmed) {
		return cognito.New(cognito.InvalidLambdaResponse, msgInvalidJSON)
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return cognito.New(cognito.InvalidLambdaResponse, msgUnrecognizable)
	}
	if out == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return cognito.New(cognito.InvalidLambdaResponse, msgUnrecognizable)
	}
	if _, err := dec.Token(); err != io.EOF {
		return cognito.New(cognito.InvalidLambdaResponse, msgUnrecognizable)
	}
	return nil
}
