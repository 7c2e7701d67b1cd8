package awsjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
)

// ContentType is the media type of every request and response body.
const ContentType = "application/x-amz-json-1.1"

// DefaultMaxBody bounds a request body; Cognito's largest inputs (schemas,
// templates) are far below it.
const DefaultMaxBody = 1 << 20

// Handler serves one operation. input is a pointer to the operation's
// generated input struct, already validated; the result is marshalled as
// the output shape (nil marshals as {}).
type Handler func(ctx context.Context, input any) (any, error)

// Edge is an http.Handler for POST / with awsJson1_1 bodies.
type Edge struct {
	handlers map[string]Handler
	log      *slog.Logger
	newID    func() string
	maxBody  int64
	auth     *SigV4
	observe  func(Observation)
}

// Observation is what the edge reports of each answered call, for the
// access log and the metrics: never bodies.
type Observation struct {
	Operation string // "" when the target names none
	Status    int
	ErrorType string // "" on success
	Duration  time.Duration
	RequestID string
}

// Options configure an Edge.
type Options struct {
	Logger  *slog.Logger
	NewID   func() string // request IDs (UUIDs); nil means random UUIDs
	MaxBody int64         // 0 means DefaultMaxBody
	// Auth, when set, authenticates every operation the model signs;
	// nil accepts them unauthenticated (local development).
	Auth *SigV4
	// Observe, when set, is told of every answered call.
	Observe func(Observation)
}

// NewEdge returns an Edge that dispatches to handlers by operation name.
// Operations of the model without a handler answer a clear 400 error.
func NewEdge(handlers map[string]Handler, opts Options) *Edge {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.NewID == nil {
		opts.NewID = uuid.NewString
	}
	return &Edge{handlers: handlers, log: opts.Logger, newID: opts.NewID, maxBody: opts.MaxBody, auth: opts.Auth, observe: opts.Observe}
}

// Implemented reports whether the edge has a handler for op.
func (e *Edge) Implemented(op string) bool {
	_, ok := e.handlers[op]
	return ok
}

// Call is one awsJson1_1 request as the operations see it.
type Call struct {
	Target    string // the X-Amz-Target header
	Body      []byte // read only; not kept past the call
	UserAgent string
	SourceIP  string // the peer address, host:port
}

// Reply is the answer to a call.
type Reply struct {
	Status     int
	RequestID  string
	ErrorType  string // "" on success
	ErrorMsg   string
	Body       []byte
	headerSafe bool   // ErrorMsg may travel in a header
	op         string // the operation called, for Observe
}

// Header calls set for each response header in the canonical form and the
// order net/http writes them (Content-Type, X-Amzn-Errormessage,
// X-Amzn-Errortype, X-Amzn-Requestid).
func (r *Reply) Header(set func(key, value string)) {
	set("Content-Type", ContentType)
	if r.ErrorType != "" {
		if r.ErrorMsg != "" && r.headerSafe {
			set("X-Amzn-Errormessage", r.ErrorMsg)
		}
		set("X-Amzn-Errortype", r.ErrorType+":")
	}
	set("X-Amzn-Requestid", r.RequestID)
}

// Direct reports whether a call to target may be answered by Handle, with
// no HTTP request at hand: the operation exists and needs no signature
// check. Anything else goes through ServeHTTP.
func (e *Edge) Direct(target string) bool {
	_, op, _ := model.TargetOperation(target)
	return op != nil && (op.NoAuth || e.auth == nil)
}

// MaxBody is the largest request body the edge accepts.
func (e *Edge) MaxBody() int64 { return e.maxBody }

// Handle answers a call whose whole body has been read. A call that needs
// a signature check fails as unsigned: such calls belong to ServeHTTP.
func (e *Edge) Handle(ctx context.Context, c Call) Reply {
	if e.observe == nil {
		return e.reply(ctx, c, nil)
	}
	start := time.Now()
	rep := e.reply(ctx, c, nil)
	e.report(&rep, start)
	return rep
}

func (e *Edge) report(rep *Reply, start time.Time) {
	e.observe(Observation{Operation: rep.op, Status: rep.Status, ErrorType: rep.ErrorType,
		Duration: time.Since(start), RequestID: rep.RequestID})
}

func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c := Call{Target: r.Header.Get("X-Amz-Target"), UserAgent: r.Header.Get("User-Agent"), SourceIP: r.RemoteAddr}
	var rep Reply
	if r.Method != http.MethodPost {
		rep = e.errorReply(e.newID(), "", &wireError{"UnknownOperationException", "Only POST is supported.", http.StatusBadRequest})
	} else {
		buf := bodyBuffers.Get().(*bytes.Buffer)
		defer putBodyBuffer(buf)
		if n := r.ContentLength; n > 0 && n <= e.maxBody {
			buf.Grow(int(n) + bytes.MinRead) // ReadFrom reads to EOF in one pass
		}
		_, err := buf.ReadFrom(io.LimitReader(r.Body, e.maxBody+1))
		c.Body = buf.Bytes()
		switch {
		case err != nil:
			rep = e.errorReply(e.newID(), "", &wireError{"SerializationException", "Could not read the request body.", http.StatusBadRequest})
		case int64(len(c.Body)) > e.maxBody:
			rep = e.errorReply(e.newID(), "", &wireError{"SerializationException", "Request body is too large.", http.StatusBadRequest})
		default:
			rep = e.reply(r.Context(), c, r)
		}
	}
	h := w.Header()
	rep.Header(func(k, v string) { h[k] = []string{v} })
	w.WriteHeader(rep.Status)
	_, _ = w.Write(rep.Body)
	if e.observe != nil {
		e.report(&rep, start)
	}
}

// reply runs the call; r, when not nil, is the HTTP request for the
// signature check.
func (e *Edge) reply(ctx context.Context, c Call, r *http.Request) Reply {
	reqID := e.newID()
	ctx = cognito.WithRequestInfo(ctx, cognito.RequestInfo{ID: reqID, UserAgent: c.UserAgent, SourceIP: c.SourceIP})
	out, opName, err := e.safeServe(ctx, c, r)
	if err != nil {
		return e.errorReply(reqID, opName, err)
	}
	return Reply{Status: http.StatusOK, RequestID: reqID, Body: out, op: opName}
}

// safeServe runs serve and turns a panic into an internal error, so a bug
// answers a clean InternalErrorException instead of a dropped connection.
func (e *Edge) safeServe(ctx context.Context, c Call, r *http.Request) (out []byte, op string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return e.serve(ctx, c, r)
}

// wireError is an error of the protocol itself (not a Cognito exception
// shape), such as an unknown operation or an unparsable body.
type wireError struct {
	Type    string
	Message string
	Status  int
}

func (e *wireError) Error() string { return e.Type + ": " + e.Message }

func (e *Edge) serve(ctx context.Context, c Call, r *http.Request) ([]byte, string, error) {
	name, op, ok := model.TargetOperation(c.Target)
	if !ok {
		return nil, "", &wireError{"UnknownOperationException",
			"X-Amz-Target must name an operation of " + model.TargetPrefix + ".", http.StatusBadRequest}
	}
	if op == nil {
		return nil, "", &wireError{"UnknownOperationException", "Unknown operation.", http.StatusBadRequest}
	}
	if !op.NoAuth && e.auth != nil {
		if r == nil {
			return nil, name, authError("MissingAuthenticationTokenException", "Missing Authentication Token")
		}
		if err := e.auth.Verify(r, c.Body); err != nil {
			return nil, name, err
		}
	}
	h, ok := e.handlers[name]
	if !ok {
		return nil, name, cognito.Errorf(cognito.UnsupportedOperation,
			"Operation %s is not implemented by Cognate.", name)
	}
	var input any
	if op.NewInput != nil {
		input = op.NewInput()
		if err := decode(c.Body, input); err != nil {
			return nil, name, err
		}
		if err := model.Validate(input); err != nil {
			return nil, name, err
		}
	}
	out, err := h(ctx, input)
	if err != nil {
		if ce, ok := cognito.As(err); ok && !slices.Contains(op.Errors, string(ce.Code)) {
			// SDKs type only the exceptions the model lists for an
			// operation; any other arrives as a generic API error.
			e.log.Warn("exception not in the operation's model", "operation", name, "exception", ce.Code)
		}
		return nil, name, err
	}
	if out == nil {
		return []byte("{}"), name, nil
	}
	if a, ok := out.(model.Appender); ok {
		return a.AppendJSON(make([]byte, 0, 256)), name, nil
	}
	enc, err := json.Marshal(out)
	if err != nil {
		return nil, name, err
	}
	return enc, name, nil
}

// bodyBuffers holds request body buffers for reuse. A body is not kept past
// its request: the decoders copy what they keep.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBodyBuffer(b *bytes.Buffer) {
	if b.Cap() > 64<<10 {
		return // let rare large bodies go
	}
	b.Reset()
	bodyBuffers.Put(b)
}

// decode reads a JSON object into input. An empty body counts as {}; unknown
// members are ignored, as the real service does.
func decode(body []byte, input any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return &wireError{"SerializationException", "Start of structure or map found where not expected.", http.StatusBadRequest}
	}
	if err := model.Decode(body, input); err != nil {
		var de *model.DecodeError
		if errors.As(err, &de) && de.Reason == model.DecodeType && de.Member != "" {
			return &wireError{"SerializationException",
				"Unexpected value type in payload for member " + de.Member + ".", http.StatusBadRequest}
		}
		return &wireError{"SerializationException", "Request body is not valid JSON.", http.StatusBadRequest}
	}
	return nil
}
