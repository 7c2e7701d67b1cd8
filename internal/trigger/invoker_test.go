package trigger_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

func TestLambdaInvokerErrors(t *testing.T) {
	tests := []struct {
		name       string
		handler    lambdafake.HandlerFunc
		wantFn     *trigger.FunctionError
		wantReason string
	}{
		{name: "function error", handler: lambdafake.FunctionError("TypeError", "x is undefined"),
			wantFn: &trigger.FunctionError{Message: "x is undefined", Type: "TypeError"}},
		{name: "not found", wantReason: "ResourceNotFoundException"},
		{name: "access denied", handler: lambdafake.APIError(403, "AccessDeniedException", "denied"), wantReason: "AccessDeniedException"},
		{name: "service failure", handler: lambdafake.APIError(500, "ServiceException", "oops"), wantReason: "ServiceException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			if tt.handler != nil {
				fake.Handle("fn", tt.handler)
			}
			inv, err := trigger.NewLambdaInvoker(trigger.LambdaConfig{Endpoint: fake.URL})
			if err != nil {
				t.Fatal(err)
			}
			_, err = inv.Invoke(context.Background(), "fn", []byte(`{}`))
			if tt.wantFn != nil {
				var fe *trigger.FunctionError
				if !errors.As(err, &fe) || *fe != *tt.wantFn {
					t.Fatalf("error = %#v, want %#v", err, tt.wantFn)
				}
				return
			}
			var ie *trigger.InvokeError
			if !errors.As(err, &ie) || ie.Reason != tt.wantReason {
				t.Fatalf("error = %v, want InvokeError reason %s", err, tt.wantReason)
			}
		})
	}
}

func TestLambdaInvokerReturnsOutput(t *testing.T) {
	fake := newFake(t)
	fake.Handle("fn", lambdafake.Raw([]byte(`{"a":1}`)))
	inv, err := trigger.NewLambdaInvoker(trigger.LambdaConfig{Endpoint: fake.URL + "/", AccessKeyID: "AKID", SecretAccessKey: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := inv.Invoke(context.Background(), "fn", []byte(`{"in":true}`))
	if err != nil || string(out) != `{"a":1}` {
		t.Fatalf("Invoke = %q, %v; want {\"a\":1}", out, err)
	}
	if ev := fake.Events("fn"); len(ev) != 1 || string(ev[0]) != `{"in":true}` {
		t.Errorf("fake received %q, want the payload once", ev)
	}
}

func TestConnectionRefused(t *testing.T) {
	fake := lambdafake.New()
	url := fake.URL
	fake.Close()
	inv, err := trigger.NewLambdaInvoker(trigger.LambdaConfig{Endpoint: url})
	if err != nil {
		t.Fatal(err)
	}
	_, err = inv.Invoke(context.Background(), "fn", []byte(`{}`))
	var ie *trigger.InvokeError
	if !errors.As(err, &ie) || ie.Reason != "ServiceException" || ie.Err == nil {
		t.Fatalf("error = %v, want InvokeError ServiceException with a cause", err)
	}
}

func TestNewLambdaInvokerRejectsBadEndpoint(t *testing.T) {
	for _, endpoint := range []string{"", "localhost:3001", "ftp://x", "http://", "::"} {
		t.Run(endpoint, func(t *testing.T) {
			if _, err := trigger.NewLambdaInvoker(trigger.LambdaConfig{Endpoint: endpoint}); err == nil {
				t.Errorf("NewLambdaInvoker(%q) succeeded, want error", endpoint)
			}
		})
	}
}

func TestAWSSDKVersion(t *testing.T) {
	tests := []struct{ name, ua, want string }{
		{"go v2", "aws-sdk-go-v2/1.30.0 ua/2.1 os/linux lang/go#1.22.5 md/GOOS#linux api/cognitoidentityprovider#1.43.0", "aws-sdk-go-v2-1.30.0"},
		{"js v3", "aws-sdk-js/3.540.0 ua/2.0 os/darwin#23.4.0 lang/js md/nodejs#20.11.1 api/cognito-identity-provider#3.540.0", "aws-sdk-js-3.540.0"},
		{"js v2", "aws-sdk-js/2.1639.0 promise", "aws-sdk-js-2.1639.0"},
		{"java after other products", "Apache-HttpClient/4.5 aws-sdk-java/2.25.0 Linux/6.1", "aws-sdk-java-2.25.0"},
		{"empty", "", "aws-sdk-unknown-unknown"},
		{"browser", "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0", "aws-sdk-unknown-unknown"},
		{"boto3", "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 Botocore/1.34.0", "aws-sdk-unknown-unknown"},
		{"no version", "aws-sdk-go-v2/ os/linux", "aws-sdk-unknown-unknown"},
		{"injection", `aws-sdk-go-v2/1.0"} os/linux`, "aws-sdk-unknown-unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trigger.AWSSDKVersion(tt.ua); got != tt.want {
				t.Errorf("AWSSDKVersion(%q) = %q, want %q", tt.ua, got, tt.want)
			}
		})
	}
}
