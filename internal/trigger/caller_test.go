package trigger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// steppingClock advances one millisecond per reading, so durations are
// deterministic.
func steppingClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Millisecond)
		return t
	}
}

func newFake(t *testing.T) *lambdafake.Server {
	t.Helper()
	fake := lambdafake.New()
	t.Cleanup(fake.Close)
	return fake
}

func newCaller(t *testing.T, fake *lambdafake.Server, logger *slog.Logger, timeout time.Duration) *trigger.Caller {
	t.Helper()
	inv, err := trigger.NewLambdaInvoker(trigger.LambdaConfig{Endpoint: fake.URL, Region: "eu-west-2", HTTPClient: &http.Client{}})
	if err != nil {
		t.Fatalf("NewLambdaInvoker: %v", err)
	}
	return trigger.NewCaller(inv, "eu-west-2", logger, timeout, steppingClock())
}

func str(s string) *string { return &s }

func customMessageEvent(c *trigger.Caller) trigger.CustomMessageEvent {
	return trigger.CustomMessageEvent{
		Event: c.Header(trigger.SourceCustomMessageUpdateUserAttribute, "eu-west-2_itQT3MKZj",
			"26e2d294-80b1-709e-51e1-27beb70d3cee",
			trigger.CallerContext{AWSSDKVersion: "aws-sdk-js-2.1639.0", ClientID: "56mo66skn061vgpqj8mg154g5h"}),
		Request: trigger.CustomMessageRequest{
			UserAttributes: map[string]string{
				"sub":                 "26e2d294-80b1-709e-51e1-27beb70d3cee",
				"email_verified":      "false",
				"cognito:user_status": "CONFIRMED",
				"email":               "new@example.com",
			},
			CodeParameter:  "{####}",
			LinkParameter:  "{##Click Here##}",
			ClientMetadata: map[string]string{"k": "v"},
		},
	}
}

func TestCustomMessageRoundTrip(t *testing.T) {
	fake := newFake(t)
	fake.Handle("custom-message", lambdafake.Echo(func(ev map[string]any) {
		resp := ev["response"].(map[string]any)
		resp["emailSubject"] = "Your code"
		resp["emailMessage"] = "Code: " + ev["request"].(map[string]any)["codeParameter"].(string)
	}))
	c := newCaller(t, fake, nil, 0)

	var out trigger.CustomMessageEvent
	if err := c.Call(context.Background(), trigger.TriggerCustomMessage, "custom-message", customMessageEvent(c), &out); err != nil {
		t.Fatalf("Call: %v", err)
	}
	if out.Response.EmailSubject == nil || *out.Response.EmailSubject != "Your code" {
		t.Errorf("emailSubject = %v, want Your code", out.Response.EmailSubject)
	}
	if out.Response.EmailMessage == nil || *out.Response.EmailMessage != "Code: {####}" {
		t.Errorf("emailMessage = %v, want Code: {####}", out.Response.EmailMessage)
	}
	if out.Response.SMSMessage != nil {
		t.Errorf("smsMessage = %q, want nil (null kept)", *out.Response.SMSMessage)
	}

	events := fake.Events("custom-message")
	if len(events) != 1 {
		t.Fatalf("fake received %d events, want 1", len(events))
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, events[0], "", "  "); err != nil {
		t.Fatalf("event is not JSON: %v", err)
	}
	pretty.WriteByte('\n')
	golden := filepath.Join("testdata", "custom_message_event.json")
	if *update {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("event sent differs from %s:\ngot:\n%s\nwant:\n%s", golden, pretty.Bytes(), want)
	}
}

func TestCallErrorMapping(t *testing.T) {
	tests := []struct {
		name     string
		trigger  string
		handler  lambdafake.HandlerFunc // nil: function not registered
		wantCode cognito.Code
		wantMsg  string
	}{
		{
			name:     "function error",
			trigger:  trigger.TriggerCustomMessage,
			handler:  lambdafake.FunctionError("Error", "boom"),
			wantCode: cognito.UserLambdaValidation,
			wantMsg:  "CustomMessage failed with error boom.",
		},
		{
			name:     "function error in another trigger",
			trigger:  trigger.TriggerPreSignUp,
			handler:  lambdafake.FunctionError("Error", "Email domain not allowed"),
			wantCode: cognito.UserLambdaValidation,
			wantMsg:  "PreSignUp failed with error Email domain not allowed.",
		},
		{
			name:    "function error payload not JSON",
			trigger: trigger.TriggerCustomMessage,
			handler: func([]byte) (int, http.Header, []byte) {
				return 200, http.Header{"X-Amz-Function-Error": {"Unhandled"}}, []byte("Process exited before completing request")
			},
			wantCode: cognito.UserLambdaValidation,
			wantMsg:  "CustomMessage failed with error Process exited before completing request.",
		},
		{
			name:     "function not found",
			trigger:  trigger.TriggerCustomMessage,
			wantCode: cognito.UnexpectedLambda,
			wantMsg:  "CustomMessage invocation failed due to error ResourceNotFoundException.",
		},
		{
			name:     "access denied",
			trigger:  trigger.TriggerCustomMessage,
			handler:  lambdafake.APIError(403, "AccessDeniedException", "not allowed"),
			wantCode: cognito.UnexpectedLambda,
			wantMsg:  "CustomMessage invocation failed due to error AccessDeniedException.",
		},
		{
			name:     "throttled",
			trigger:  trigger.TriggerPostConfirmation,
			handler:  lambdafake.APIError(429, "TooManyRequestsException", "Rate Exceeded."),
			wantCode: cognito.UnexpectedLambda,
			wantMsg:  "PostConfirmation invocation failed due to error TooManyRequestsException.",
		},
		{
			name:     "garbage bytes",
			trigger:  trigger.TriggerCustomMessage,
			handler:  lambdafake.Raw([]byte("\x00\xffnot json{")),
			wantCode: cognito.InvalidLambdaResponse,
			wantMsg:  "Invalid lambda function output : Invalid JSON",
		},
		{
			name:     "empty output",
			trigger:  trigger.TriggerCustomMessage,
			handler:  lambdafake.Raw(nil),
			wantCode: cognito.InvalidLambdaResponse,
			wantMsg:  "Invalid lambda function output : Invalid JSON",
		},
		{
			name:     "null output",
			trigger:  trigger.TriggerCustomMessage,
			handler:  lambdafake.Raw([]byte("null")),
			wantCode: cognito.InvalidLambdaResponse,
			wantMsg:  "Unrecognizable lambda output",
		},
		{
			name:     "string output",
			trigger:  trigger.TriggerCustomMessage,
			handler:  lambdafake.Raw([]byte(`"hello"`)),
			wantCode: cognito.InvalidLambdaResponse,
			wantMsg:  "Unrecognizable lambda output",
		},
		{
			name:     "array output",
			trigger:  trigger.TriggerCustomMessage,
			handler:  lambdafake.Raw([]byte(`[{}]`)),
			wantCode: cognito.InvalidLambdaResponse,
			wantMsg:  "Unrecognizable lambda output",
		},
		{
			name:     "response member of wrong type",
			trigger:  trigger.TriggerCustomMessage,
			handler:  lambdafake.Raw([]byte(`{"response":{"smsMessage":42}}`)),
			wantCode: cognito.InvalidLambdaResponse,
			wantMsg:  "Unrecognizable lambda output",
		},
		{
			name:     "response not an object",
			trigger:  trigger.TriggerCustomMessage,
			handler:  lambdafake.Raw([]byte(`{"response":"ok"}`)),
			wantCode: cognito.InvalidLambdaResponse,
			wantMsg:  "Unrecognizable lambda output",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			if tt.handler != nil {
				fake.Handle("fn", tt.handler)
			}
			c := newCaller(t, fake, nil, 0)
			var out trigger.CustomMessageEvent
			err := c.Call(context.Background(), tt.trigger, "fn", customMessageEvent(c), &out)
			assertCognito(t, err, tt.wantCode, tt.wantMsg)
			if n := len(fake.Events("fn")); n != 1 {
				t.Errorf("fake received %d events, want 1 (no retries)", n)
			}
		})
	}
}

func assertCognito(t *testing.T, err error, code cognito.Code, msg string) {
	t.Helper()
	ce, ok := cognito.As(err)
	if !ok {
		t.Fatalf("error = %v (%T), want *cognito.Error %s", err, err, code)
	}
	if ce.Code != code || ce.Message != msg {
		t.Errorf("error = %s %q, want %s %q", ce.Code, ce.Message, code, msg)
	}
}

func TestDeadlineEnforced(t *testing.T) {
	fake := newFake(t)
	release := make(chan struct{})
	fake.Handle("slow", lambdafake.Blocking(release, []byte(`{}`)))
	t.Cleanup(func() { close(release) }) // runs before fake.Close
	c := newCaller(t, fake, nil, 50*time.Millisecond)

	// The handler cannot answer before release is closed, which happens only
	// after Call has returned: Call returning at all proves the deadline.
	err := c.Call(context.Background(), trigger.TriggerCustomMessage, "slow", customMessageEvent(c), &trigger.CustomMessageEvent{})
	assertCognito(t, err, cognito.UnexpectedLambda,
		"CustomMessage invocation failed due to error Socket timeout while invoking Lambda function.")
}

func TestParentContextCanceled(t *testing.T) {
	fake := newFake(t)
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fake.Handle("fn", func([]byte) (int, http.Header, []byte) {
		cancel()
		<-release
		return 200, nil, []byte(`{}`)
	})
	t.Cleanup(func() { close(release) })
	c := newCaller(t, fake, nil, time.Minute)

	err := c.Call(ctx, trigger.TriggerCustomMessage, "fn", customMessageEvent(c), &trigger.CustomMessageEvent{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if _, ok := cognito.As(err); ok {
		t.Errorf("error %v is a Cognito error; a canceled request must not be mapped", err)
	}
}

func TestFunctionByARN(t *testing.T) {
	fake := newFake(t)
	const arn = "arn:aws:lambda:eu-west-2:123456789012:function:custom-message"
	fake.Handle(arn, lambdafake.Echo(nil))
	c := newCaller(t, fake, nil, 0)
	if err := c.Call(context.Background(), trigger.TriggerCustomMessage, arn, customMessageEvent(c), &trigger.CustomMessageEvent{}); err != nil {
		t.Fatalf("Call: %v", err)
	}
	if n := len(fake.Events(arn)); n != 1 {
		t.Errorf("fake received %d events for the ARN, want 1", n)
	}
}

func TestNoEndpointInvoker(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	c := trigger.NewCaller(trigger.NoEndpointInvoker{Logger: logger}, "us-east-1", nil, 0, steppingClock())
	err := c.Call(context.Background(), trigger.TriggerPreSignUp, "presignup", trigger.PreSignUpEvent{}, &trigger.PreSignUpEvent{})
	assertCognito(t, err, cognito.UnexpectedLambda, "PreSignUp invocation failed due to error ResourceNotFoundException.")
	if !strings.Contains(logs.String(), "no Lambda endpoint") || !strings.Contains(logs.String(), `"function":"presignup"`) {
		t.Errorf("NoEndpointInvoker did not log why: %s", logs.String())
	}
}

func TestLogsNeverHoldPayload(t *testing.T) {
	const password = "hunter2-S3cret!"
	tests := []struct {
		name        string
		handler     lambdafake.HandlerFunc
		wantOutcome string
	}{
		{"ok", lambdafake.Echo(nil), `"outcome":"ok"`},
		{"function error echoing the password", lambdafake.FunctionError("Error", "bad password "+password), `"outcome":"function_error"`},
		{"invalid output", lambdafake.Raw([]byte(password)), `"outcome":"invalid_response"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			fake.Handle("migrate", tt.handler)
			var logs bytes.Buffer
			c := newCaller(t, fake, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), 0)
			ev := trigger.UserMigrationEvent{
				Event:   c.Header(trigger.SourceUserMigrationAuthentication, "pool", "alice", trigger.CallerContext{ClientID: "client"}),
				Request: trigger.UserMigrationRequest{Password: password},
			}
			_ = c.Call(context.Background(), trigger.TriggerUserMigration, "migrate", ev, &trigger.UserMigrationEvent{})
			got := logs.String()
			if strings.Contains(got, "hunter2") {
				t.Errorf("log contains the password: %s", got)
			}
			for _, want := range []string{tt.wantOutcome, `"function":"migrate"`, `"source":"UserMigration_Authentication"`, `"trigger":"UserMigration"`, `"duration"`} {
				if !strings.Contains(got, want) {
					t.Errorf("log lacks %s: %s", want, got)
				}
			}
		})
	}
}
