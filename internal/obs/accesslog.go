package obs

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"sync"
	"time"
	"unicode"
)

// Request is what the access log and the metrics learn of one request.
type Request struct {
	Operation string // the API operation, or "" for other paths
	Method    string // for other paths
	Path      string // for other paths
	Status    int
	ErrorType string // the exception name, "" on success
	Duration  time.Duration
	RequestID string
}

// AccessLog writes one info-level line per request, in the server log's
// format (slog's text or JSON form), through a buffer flushed every
// interval (and when full), so a busy server does not pay one write
// system call per request. Up to interval of lines can be lost in a
// crash; other log lines are written at once, as before. Lines are
// formatted by hand: this runs on every request.
type AccessLog struct {
	json bool
	mu   sync.Mutex
	buf  *bufio.Writer
	line []byte // scratch, under mu
}

// NewAccessLog returns an access log writing to w, in JSON when json is
// set, flushing every interval until ctx ends.
func NewAccessLog(ctx context.Context, w io.Writer, json bool, interval time.Duration) *AccessLog {
	a := &AccessLog{json: json, buf: bufio.NewWriterSize(w, 64<<10)}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				a.Flush()
				return
			case <-t.C:
				a.Flush()
			}
		}
	}()
	return a
}

// Log writes the line of one request.
func (a *AccessLog) Log(r Request) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	b := a.line[:0]
	if a.json {
		b = append(b, `{"time":"`...)
		b = now.AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","level":"INFO","msg":"request"`...)
		if r.Operation != "" {
			b = appendJSONField(b, "operation", r.Operation)
		} else {
			b = appendJSONField(b, "method", r.Method)
			b = appendJSONField(b, "path", r.Path)
		}
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(r.Status), 10)
		if r.ErrorType != "" {
			b = appendJSONField(b, "error_type", r.ErrorType)
		}
		b = append(b, `,"duration":`...)
		b = strconv.AppendInt(b, int64(r.Duration), 10)
		if r.RequestID != "" {
			b = appendJSONField(b, "request_id", r.RequestID)
		}
		b = append(b, "}\n"...)
	} else {
		b = append(b, "time="...)
		b = now.AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
		b = append(b, " level=INFO msg=request"...)
		if r.Operation != "" {
			b = appendTextField(b, "operation", r.Operation)
		} else {
			b = appendTextField(b, "method", r.Method)
			b = appendTextField(b, "path", r.Path)
		}
		b = append(b, " status="...)
		b = strconv.AppendInt(b, int64(r.Status), 10)
		if r.ErrorType != "" {
			b = appendTextField(b, "error_type", r.ErrorType)
		}
		b = append(b, " duration="...)
		b = append(b, r.Duration.String()...)
		if r.RequestID != "" {
			b = appendTextField(b, "request_id", r.RequestID)
		}
		b = append(b, '\n')
	}
	a.line = b
	_, _ = a.buf.Write(b)
}

// appendTextField appends " key=value", quoting value as slog's text
// handler does when it is empty or holds spaces, quotes, '=' or
// non-printing characters.
func appendTextField(b []byte, key, value string) []byte {
	b = append(b, ' ')
	b = append(b, key...)
	b = append(b, '=')
	if needsQuoting(value) {
		return strconv.AppendQuote(b, value)
	}
	return append(b, value...)
}

func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if r <= ' ' || r == '=' || r == '"' || r == 0x7f || !unicode.IsPrint(r) {
			return true
		}
	}
	return false
}

func appendJSONField(b []byte, key, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	v, _ := json.Marshal(value)
	return append(b, v...)
}

// Flush writes out the buffered lines.
func (a *AccessLog) Flush() {
	a.mu.Lock()
	_ = a.buf.Flush()
	a.mu.Unlock()
}
