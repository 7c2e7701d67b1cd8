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
	"strings"
	"sync"

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
}

// Options configure an Edge.
type Options struct {
	Logger  *slog.Logger
	NewID   func() string // request IDs (UUIDs); nil means random UUIDs
	MaxBody int64         // 0 means DefaultMaxBody
	// Auth, when set, authenticates every operation the model signs;
	// nil accepts them unauthenticated (local development).
	Auth *SigV4
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
	return &Edge{handlers: handlers, log: opts.Logger, newID: opts.NewID, maxBody: opts.MaxBody, auth: opts.Auth}
}

// Implemented reports whether the edge has a handler for op.
func (e *Edge) Implemented(op string) bool {
	_, ok := e.handlers[op]
	return ok
}

func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := e.newID()
	w.Header().Set("x-amzn-RequestId", reqID)
	ctx := cognito.WithRequestInfo(r.Context(), cognito.RequestInfo{
		ID: reqID, UserAgent: r.Header.Get("User-Agent"), SourceIP: r.RemoteAddr,
	})
	out, opName, err := e.safeServe(ctx, r)
	if err != nil {
		e.writeError(w, reqID, opName, err)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// safeServe runs serve and turns a panic into an internal error, so a bug
// answers a clean InternalErrorException instead of a dropped connection.
func (e *Edge) safeServe(ctx context.Context, r *http.Request) (out []byte, op string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return e.serve(ctx, r)
}

// wireError is an error of the protocol itself (not a Cognito exception
// shape), such as an unknown operation or an unparsable body.
type wireError struct {
	Type    string
	Message string
	Status  int
}

func (e *wireError) Error() string { return e.Type + ": " + e.Message }

func (e *Edge) serve(ctx context.Context, r *http.Request) ([]byte, string, error) {
	if r.Method != http.MethodPost {
		return nil, "", &wireError{"UnknownOperationException", "Only POST is supported.", http.StatusBadRequest}
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, model.TargetPrefix+".")
	if !ok {
		return nil, "", &wireError{"UnknownOperationException",
			"X-Amz-Target must name an operation of " + model.TargetPrefix + ".", http.StatusBadRequest}
	}
	op, ok := model.LookupOperation(name)
	if !ok {
		return nil, "", &wireError{"UnknownOperationException", "Unknown operation.", http.StatusBadRequest}
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer putBodyBuffer(buf)
	if n := r.ContentLength; n > 0 && n <= e.maxBody {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom reads to EOF in one pass
	}
	_, err := buf.ReadFrom(io.LimitReader(r.Body, e.maxBody+1))
	body := buf.Bytes()
	if err != nil {
		return nil, name, &wireError{"SerializationException", "Could not read the request body.", http.StatusBadRequest}
	}
	if int64(len(body)) > e.maxBody {
		return nil, name, &wireError{"SerializationException", "Request body is too large.", http.StatusBadRequest}
	}
	if !op.NoAuth && e.auth != nil {
		if err := e.auth.Verify(r, body); err != nil {
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
		if err := decode(body, input); err != nil {
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
