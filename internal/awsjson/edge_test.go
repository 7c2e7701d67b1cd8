package awsjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
)

func testEdge(t *testing.T, logs *bytes.Buffer) *Edge {
	t.Helper()
	return NewEdge(map[string]Handler{
		"DescribeUserPool": func(_ context.Context, in any) (any, error) {
			id := model.StringValue(in.(*model.DescribeUserPoolRequest).UserPoolId)
			switch id {
			case "us-east-1_secret":
				return nil, errors.New("database password is hunter2")
			case "us-east-1_panic":
				panic("boom")
			case "us-east-1_unicode":
				return nil, cognito.New(cognito.InvalidParameter, "bad value “ü”\nnext line")
			case "us-east-1_fault":
				return nil, cognito.New(cognito.InternalError, "Internal server error.")
			case "us-east-1_empty":
				return nil, nil
			}
			return &model.DescribeUserPoolResponse{UserPool: &model.UserPoolType{Id: model.String(id)}}, nil
		},
	}, Options{Logger: slog.New(slog.NewTextHandler(logs, nil)), MaxBody: 1024})
}

func post(e *Edge, target, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}

func TestEdge(t *testing.T) {
	t.Parallel()
	const prefix = "AWSCognitoIdentityProviderService."
	for _, tc := range []struct {
		name, target, body string
		status             int
		typ, message       string // typ "" means success
	}{
		{"ok", prefix + "DescribeUserPool", `{"UserPoolId":"us-east-1_abc"}`, 200, "", ""},
		{"nil output is {}", prefix + "DescribeUserPool", `{"UserPoolId":"us-east-1_empty"}`, 200, "", ""},
		{"unknown members", prefix + "DescribeUserPool", `{"UserPoolId":"us-east-1_abc","X":[1]}`, 200, "", ""},
		{"cognito error", prefix + "DescribeUserPool", `{"UserPoolId":"us-east-1_unicode"}`, 400, "InvalidParameterException", "bad value “ü”\nnext line"},
		{"internal error hides details", prefix + "DescribeUserPool", `{"UserPoolId":"us-east-1_secret"}`, 500, "InternalErrorException", "Internal server error."},
		{"panic", prefix + "DescribeUserPool", `{"UserPoolId":"us-east-1_panic"}`, 500, "InternalErrorException", "Internal server error."},
		{"declared fault", prefix + "DescribeUserPool", `{"UserPoolId":"us-east-1_fault"}`, 500, "InternalErrorException", "Internal server error."},
		{"validation", prefix + "DescribeUserPool", `{}`, 400, "InvalidParameterException",
			"1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{"malformed", prefix + "DescribeUserPool", `{"UserPoolId"`, 400, "SerializationException", "Request body is not valid JSON."},
		{"array", prefix + "DescribeUserPool", `[]`, 400, "SerializationException", "Start of structure or map found where not expected."},
		{"wrong type", prefix + "DescribeUserPool", `{"UserPoolId":true}`, 400, "SerializationException", "Unexpected value type in payload for member UserPoolId."},
		{"too large", prefix + "DescribeUserPool", `{"UserPoolId":"` + strings.Repeat("x", 2000) + `"}`, 400, "SerializationException", "Request body is too large."},
		{"not implemented", prefix + "AdminLinkProviderForUser", `{}`, 400, "UnsupportedOperationException", "Operation AdminLinkProviderForUser is not implemented by Cognate."},
		{"unknown operation", prefix + "Nope", `{}`, 400, "UnknownOperationException", "Unknown operation."},
		{"no target", "", `{}`, 400, "UnknownOperationException", "X-Amz-Target must name an operation of AWSCognitoIdentityProviderService."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			w := post(testEdge(t, &logs), tc.target, tc.body)
			if w.Code != tc.status {
				t.Errorf("status = %d, want %d (%s)", w.Code, tc.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != ContentType {
				t.Errorf("Content-Type = %q", ct)
			}
			if w.Header().Get("x-amzn-RequestId") == "" {
				t.Errorf("no request id")
			}
			var body map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", w.Body, err)
			}
			if tc.typ == "" {
				if _, ok := body["__type"]; ok {
					t.Errorf("success body has __type: %v", body)
				}
				return
			}
			if body["__type"] != tc.typ || body["message"] != tc.message || len(body) != 2 {
				t.Errorf("body = %v, want %s %q", body, tc.typ, tc.message)
			}
			if et := w.Header().Get("x-amzn-ErrorType"); et != tc.typ+":" {
				t.Errorf("x-amzn-ErrorType = %q", et)
			}
			if strings.Contains(w.Body.String(), "hunter2") {
				t.Errorf("internal error leaked: %s", w.Body)
			}
			if tc.status == 500 && !strings.Contains(logs.String(), w.Header().Get("x-amzn-RequestId")) && tc.name != "declared fault" {
				t.Errorf("internal error not logged with the request id: %s", logs.String())
			}
		})
	}
}

func TestErrorMessageHeader(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	e := testEdge(t, &logs)
	w := post(e, "AWSCognitoIdentityProviderService.DescribeUserPool", `{"UserPoolId":"us-east-1_unicode"}`)
	if h := w.Header().Get("x-amzn-ErrorMessage"); h != "" {
		t.Errorf("non-ASCII message sent in a header: %q", h)
	}
	w = post(e, "AWSCognitoIdentityProviderService.DescribeUserPool", `{}`)
	if h := w.Header().Get("x-amzn-ErrorMessage"); !strings.HasPrefix(h, "1 validation error detected") {
		t.Errorf("x-amzn-ErrorMessage = %q", h)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	for code, want := range map[cognito.Code]int{
		cognito.NotAuthorized: 400, cognito.ResourceNotFound: 400, cognito.UserNotFound: 400,
		cognito.TooManyRequests: 400, cognito.InternalError: 500, "InternalServerException": 500,
	} {
		if got := Status(code); got != want {
			t.Errorf("Status(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestImplemented(t *testing.T) {
	t.Parallel()
	e := testEdge(t, &bytes.Buffer{})
	if !e.Implemented("DescribeUserPool") || e.Implemented("AdminLinkProviderForUser") {
		t.Errorf("Implemented is wrong")
	}
}
