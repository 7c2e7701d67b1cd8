package lambdafake_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

func TestServer(t *testing.T) {
	s := lambdafake.New()
	defer s.Close()
	s.Handle("echo", lambdafake.Echo(func(ev map[string]any) { ev["seen"] = true }))
	s.Handle("boom", lambdafake.FunctionError("Error", "boom"))
	client := &http.Client{}

	tests := []struct {
		name, function, invocationType string
		wantStatus                     int
		wantHeader, wantHeaderValue    string
		wantBody                       string
	}{
		{"echo", "echo", "RequestResponse", 200, "Content-Type", "application/json", `{"a":1,"seen":true}`},
		{"function error", "boom", "", 200, "X-Amz-Function-Error", "Unhandled", `{"errorMessage":"boom","errorType":"Error"}`},
		{"unknown function", "nope", "", 404, "X-Amzn-ErrorType", "ResourceNotFoundException", `{"Type":"User","message":"Function not found: nope"}`},
		{"async invocation refused", "echo", "Event", 400, "X-Amzn-ErrorType", "InvalidParameterValueException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/2015-03-31/functions/"+tt.function+"/invocations", bytes.NewReader([]byte(`{"a":1}`)))
			if tt.invocationType != "" {
				req.Header.Set("X-Amz-Invocation-Type", tt.invocationType)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || resp.Header.Get(tt.wantHeader) != tt.wantHeaderValue {
				t.Errorf("status %d %s=%q, want %d %q", resp.StatusCode, tt.wantHeader, resp.Header.Get(tt.wantHeader), tt.wantStatus, tt.wantHeaderValue)
			}
			if tt.wantBody != "" && string(body) != tt.wantBody {
				t.Errorf("body %s, want %s", body, tt.wantBody)
			}
		})
	}
	if got := s.Events("echo"); len(got) != 1 || string(got[0]) != `{"a":1}` {
		t.Errorf("Events(echo) = %q, want one event (refused async call not recorded)", got)
	}
	if got := s.Events("nope"); len(got) != 1 {
		t.Errorf("Events(nope) = %q, want the unhandled call recorded", got)
	}
}
