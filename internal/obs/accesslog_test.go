package obs

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestAccessLogFormats(t *testing.T) {
	var text, js bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tl := NewAccessLog(ctx, &text, false, time.Hour)
	jl := NewAccessLog(ctx, &js, true, time.Hour)
	reqs := []Request{
		{Operation: "GetUser", Status: 400, ErrorType: "NotAuthorizedException", Duration: 1500 * time.Microsecond, RequestID: "r-1"},
		{Method: "GET", Path: `/a b="c"`, Status: 404, Duration: time.Millisecond},
	}
	for _, r := range reqs {
		tl.Log(r)
		jl.Log(r)
	}
	tl.Flush()
	jl.Flush()

	lines := strings.Split(strings.TrimSpace(text.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("text lines: %q", text.String())
	}
	if want := " level=INFO msg=request operation=GetUser status=400 error_type=NotAuthorizedException duration=1.5ms request_id=r-1"; !strings.HasPrefix(lines[0], "time=") || !strings.HasSuffix(lines[0], want) {
		t.Errorf("text line %q, want suffix %q", lines[0], want)
	}
	if want := ` method=GET path="/a b=\"c\"" status=404 duration=1ms`; !strings.HasSuffix(lines[1], want) {
		t.Errorf("text line %q, want suffix %q", lines[1], want)
	}

	dec := json.NewDecoder(&js)
	for i, r := range reqs {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("JSON line %d: %v", i, err)
		}
		if _, err := time.Parse(time.RFC3339Nano, m["time"].(string)); err != nil || m["level"] != "INFO" || m["msg"] != "request" ||
			m["status"] != float64(r.Status) || m["duration"] != float64(r.Duration) {
			t.Errorf("JSON line %d = %v", i, m)
		}
		if r.Operation != "" && (m["operation"] != r.Operation || m["error_type"] != r.ErrorType || m["request_id"] != r.RequestID) {
			t.Errorf("JSON line %d = %v", i, m)
		}
		if r.Path != "" && (m["path"] != r.Path || m["method"] != r.Method) {
			t.Errorf("JSON line %d = %v", i, m)
		}
	}
}
