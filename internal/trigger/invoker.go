package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// Invoker runs a Lambda function synchronously: payload in, the function's
// returned JSON out. Failures are *FunctionError (the function ran and
// failed) or *InvokeError (it could not be run); ctx carries the deadline.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// FunctionError reports that the function ran and raised an error (Lambda's
// X-Amz-Function-Error), with the errorMessage and errorType it returned.
type FunctionError struct {
	Message string
	Type    string
}

// Error describes the failure for logs; it is not the Cognito message.
func (e *FunctionError) Error() string {
	return "lambda function error " + e.Type + ": " + e.Message
}

// ReasonTimeout is the InvokeError reason when the deadline passes, as
// Cognito words it.
const ReasonTimeout = "Socket timeout while invoking Lambda function"

// reasonService is used for failures that carry no AWS error code
// (connection refused, malformed response from the endpoint).
const reasonService = "ServiceException"

// InvokeError reports that the function could not be invoked. Reason is the
// AWS error code (ResourceNotFoundException, AccessDeniedException,
// TooManyRequestsException, ...), ReasonTimeout for a deadline, or
// "ServiceException" for failures without a code; Err is the cause, for logs.
type InvokeError struct {
	Reason string
	Err    error
}

// Error describes the failure and its cause for logs.
func (e *InvokeError) Error() string {
	if e.Err == nil {
		return "lambda invoke failed: " + e.Reason
	}
	return "lambda invoke failed: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *InvokeError) Unwrap() error { return e.Err }

// dummyAccessKey and dummySecretKey sign requests when no credentials are
// configured: AWS SAM local and LocalStack accept any signature.
const (
	dummyAccessKey = "cognate"
	dummySecretKey = "cognate"
	defaultRegion  = "us-east-1"
)

// LambdaConfig configures a LambdaInvoker.
type LambdaConfig struct {
	// Endpoint is the Lambda API base URL, e.g. http://127.0.0.1:3001 (SAM
	// local), http://localhost:4566 (LocalStack) or
	// https://lambda.eu-west-2.amazonaws.com. Required.
	Endpoint string
	// Region signs the requests; default us-east-1.
	Region string
	// AccessKeyID, SecretAccessKey and SessionToken are static credentials;
	// when AccessKeyID is empty, dummy ones are used.
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// HTTPClient sends the requests; nil means the SDK's own client (never
	// http.DefaultClient).
	HTTPClient *http.Client
	// FunctionNameOnly sends the function name instead of the ARN a pool
	// names: AWS SAM local looks functions up by name only.
	FunctionNameOnly bool
}

// LambdaInvoker invokes functions through the Lambda Invoke API
// (POST /2015-03-31/functions/<name-or-arn>/invocations) with
// InvocationType RequestResponse. It does not retry: a throttled or failed
// invoke is reported at once, as Cognito reports it.
type LambdaInvoker struct {
	client   *lambda.Client
	nameOnly bool
}

// NewLambdaInvoker builds a LambdaInvoker; it fails when the endpoint is not
// an absolute http(s) URL.
func NewLambdaInvoker(cfg LambdaConfig) (*LambdaInvoker, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("trigger: lambda endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	region := cfg.Region
	if region == "" {
		region = defaultRegion
	}
	key, secret, token := cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken
	if key == "" {
		key, secret, token = dummyAccessKey, dummySecretKey, ""
	}
	opts := lambda.Options{
		Region:       region,
		BaseEndpoint: aws.String(strings.TrimRight(cfg.Endpoint, "/")),
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, token),
		Retryer:      aws.NopRetryer{},
	}
	if cfg.HTTPClient != nil {
		opts.HTTPClient = cfg.HTTPClient
	}
	return &LambdaInvoker{client: lambda.New(opts), nameOnly: cfg.FunctionNameOnly}, nil
}

// Invoke runs function (name, partial or full ARN) with payload and returns
// the function's output.
func (l *LambdaInvoker) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	if l.nameOnly {
		function = FunctionName(function)
	}
	out, err := l.client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(function),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        payload,
	})
	if err != nil {
		return nil, invokeError(ctx, err)
	}
	if out.FunctionError != nil {
		return nil, functionError(*out.FunctionError, out.Payload)
	}
	return out.Payload, nil
}

// FunctionName returns the bare function name of a function ARN
// (arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]); any
// other string is returned unchanged.
func FunctionName(function string) string {
	parts := strings.Split(function, ":")
	if len(parts) >= 7 && parts[0] == "arn" && parts[5] == "function" {
		return parts[6]
	}
	return function
}

// functionError decodes Lambda's error payload; a payload that is not the
// usual {"errorMessage","errorType"} object becomes the message itself.
func functionError(kind string, payload []byte) *FunctionError {
	var body struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if err := json.Unmarshal(payload, &body); err != nil || body.ErrorMessage == nil {
		return &FunctionError{Message: strings.TrimSpace(string(payload)), Type: kind}
	}
	if body.ErrorType == "" {
		body.ErrorType = kind
	}
	return &FunctionError{Message: *body.ErrorMessage, Type: body.ErrorType}
}

// invokeError classifies an SDK error: deadline first (the SDK wraps it in
// transport errors), then the AWS error code.
func invokeError(ctx context.Context, err error) *InvokeError {
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(ctx.Err(), context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return &InvokeError{Reason: ReasonTimeout, Err: err}
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() != "" {
		return &InvokeError{Reason: apiErr.ErrorCode(), Err: err}
	}
	return &InvokeError{Reason: reasonService, Err: err}
}

// NoEndpointInvoker stands in when no Lambda endpoint is configured: every
// call logs why and fails as a missing function does on AWS.
type NoEndpointInvoker struct {
	Logger *slog.Logger
}

// Invoke logs and returns *InvokeError{Reason: "ResourceNotFoundException"}.
func (n NoEndpointInvoker) Invoke(ctx context.Context, function string, _ []byte) ([]byte, error) {
	if n.Logger != nil {
		n.Logger.WarnContext(ctx, "lambda trigger not invoked: no Lambda endpoint is configured; set the Lambda endpoint (AWS SAM local, LocalStack or AWS) to run user-pool triggers",
			"function", function)
	}
	return nil, &InvokeError{Reason: "ResourceNotFoundException", Err: errors.New("no Lambda endpoint configured")}
}
