package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate-idp/cognate/internal/api"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/userpool"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// rawResponse is an HTTP answer read in full.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// rawCall posts body to the server as the awsJson1_1 operation op ("" sends
// no X-Amz-Target), without any signature.
func rawCall(t *testing.T, s *testserver.Server, method, op string, body io.Reader, hdr map[string]string) rawResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, s.URL+"/", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if op != "" {
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: buf}
}

// wantWireError checks the complete shape of an error response.
func wantWireError(t *testing.T, r rawResponse, status int, typ, message string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type = %q", ct)
	}
	if et := r.header.Get("x-amzn-ErrorType"); et != typ+":" {
		t.Errorf("x-amzn-ErrorType = %q, want %q", et, typ+":")
	}
	if id := r.header.Get("x-amzn-RequestId"); !uuidPattern.MatchString(id) {
		t.Errorf("x-amzn-RequestId = %q, not a UUID", id)
	}
	var body map[string]any
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("error body %q is not JSON: %v", r.body, err)
	}
	if len(body) != 2 {
		t.Errorf("error body has members %v, want exactly __type and message", body)
	}
	if body["__type"] != typ {
		t.Errorf("__type = %v, want %s", body["__type"], typ)
	}
	msg, ok := body["message"].(string)
	if !ok {
		t.Fatalf("message = %v, want a string", body["message"])
	}
	if message != "" && msg != message {
		t.Errorf("message = %q, want %q", msg, message)
	}
	if message == "" && msg == "" {
		t.Errorf("message is empty")
	}
}

func TestFoundationWire(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	pool := s.Pool(t, nil)

	t.Run("success headers and body", func(t *testing.T) {
		r := rawCall(t, s, http.MethodPost, "DescribeUserPool", strings.NewReader(`{"UserPoolId":"`+pool+`"}`), nil)
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
			t.Errorf("Content-Type = %q", ct)
		}
		if id := r.header.Get("x-amzn-RequestId"); !uuidPattern.MatchString(id) {
			t.Errorf("x-amzn-RequestId = %q", id)
		}
		if strings.Contains(string(r.body), "null") {
			t.Errorf("body carries null members: %s", r.body)
		}
	})
	t.Run("cognito error", func(t *testing.T) {
		r := rawCall(t, s, http.MethodPost, "DescribeUserPool", strings.NewReader(`{"UserPoolId":"us-east-1_nope"}`), nil)
		wantWireError(t, r, 400, "ResourceNotFoundException", "User pool us-east-1_nope does not exist.")
		if m := r.header.Get("x-amzn-ErrorMessage"); m != "User pool us-east-1_nope does not exist." {
			t.Errorf("x-amzn-ErrorMessage = %q", m)
		}
	})
	t.Run("request ids differ", func(t *testing.T) {
		a := rawCall(t, s, http.MethodPost, "ListUserPools", strings.NewReader(`{"MaxResults":1}`), nil)
		b := rawCall(t, s, http.MethodPost, "ListUserPools", strings.NewReader(`{"MaxResults":1}`), nil)
		if a.header.Get("x-amzn-RequestId") == b.header.Get("x-amzn-RequestId") {
			t.Errorf("two requests share request id %s", a.header.Get("x-amzn-RequestId"))
		}
	})
	t.Run("unknown operation", func(t *testing.T) {
		r := rawCall(t, s, http.MethodPost, "MakeCoffee", strings.NewReader(`{}`), nil)
		wantWireError(t, r, 400, "UnknownOperationException", "")
	})
	t.Run("missing target", func(t *testing.T) {
		r := rawCall(t, s, http.MethodPost, "", strings.NewReader(`{}`), nil)
		wantWireError(t, r, 400, "UnknownOperationException", "")
	})
	t.Run("wrong target prefix", func(t *testing.T) {
		r := rawCall(t, s, http.MethodPost, "", strings.NewReader(`{}`), map[string]string{"X-Amz-Target": "DynamoDB_20120810.ListTables"})
		wantWireError(t, r, 400, "UnknownOperationException", "")
	})
	t.Run("unimplemented model operation", func(t *testing.T) {
		handlers := api.Handlers(&userpool.Service{})
		for _, name := range model.OperationNames() {
			if _, ok := handlers[name]; !ok {
				r := rawCall(t, s, http.MethodPost, name, strings.NewReader(`{}`), nil)
				wantWireError(t, r, 400, "UnsupportedOperationException", "Operation "+name+" is not implemented by Cognate.")
				return
			}
		}
		t.Skip("every operation of the model is implemented; internal/awsjson's edge test covers the answer for one that is not")
	})
	for _, tc := range []struct {
		name, body, message string
	}{
		{"malformed json", `{"UserPoolId":`, ""},
		{"not an object", `[1,2]`, ""},
		{"trailing garbage", `{"UserPoolId":"x"} {`, ""},
		{"null body", `null`, ""},
		{"wrong member type", `{"UserPoolId":42}`, "Unexpected value type in payload for member UserPoolId."},
		{"wrong nested type", `{"UserPoolId":"` + pool + `","Limit":"ten"}`, "Unexpected value type in payload for member Limit."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op := "DescribeUserPool"
			if strings.Contains(tc.body, "Limit") {
				op = "ListUsers"
			}
			r := rawCall(t, s, http.MethodPost, op, strings.NewReader(tc.body), nil)
			wantWireError(t, r, 400, "SerializationException", tc.message)
		})
	}
	t.Run("body over the limit", func(t *testing.T) {
		big := `{"UserPoolId":"` + pool + `","Filter":"` + strings.Repeat("a", 2<<20) + `"}`
		r := rawCall(t, s, http.MethodPost, "ListUsers", strings.NewReader(big), nil)
		wantWireError(t, r, 400, "SerializationException", "Request body is too large.")
	})
	t.Run("empty body is {}", func(t *testing.T) {
		r := rawCall(t, s, http.MethodPost, "DescribeUserPool", strings.NewReader(""), nil)
		wantWireError(t, r, 400, "InvalidParameterException",
			"1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null")
	})
	t.Run("unknown members ignored", func(t *testing.T) {
		r := rawCall(t, s, http.MethodPost, "DescribeUserPool",
			strings.NewReader(`{"UserPoolId":"`+pool+`","Bogus":{"a":[1,2]},"Other":null}`), nil)
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	})
	t.Run("validation error", func(t *testing.T) {
		r := rawCall(t, s, http.MethodPost, "ListUserPools", strings.NewReader(`{"MaxResults":0}`), nil)
		wantWireError(t, r, 400, "InvalidParameterException",
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")
	})
	t.Run("unsigned call without Authorization", func(t *testing.T) {
		r := rawCall(t, s, http.MethodPost, "CreateUserPool", strings.NewReader(`{"PoolName":"raw"}`), nil)
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	})
	t.Run("signed call through the SDK", func(t *testing.T) {
		// testserver.Client signs with SigV4 (static credentials).
		out, err := s.Client.DescribeUserPool(context.Background(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.UserPool.Id) != pool {
			t.Errorf("Id = %s", aws.ToString(out.UserPool.Id))
		}
	})
	t.Run("GET / describes the server, not an operation", func(t *testing.T) {
		r := rawCall(t, s, http.MethodGet, "", nil, nil)
		var doc map[string]string
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" || json.Unmarshal(r.body, &doc) != nil ||
			doc["server"] != "cognate" || doc["service"] != "cognito-idp" {
			t.Errorf("GET /: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
		}
	})
	t.Run("cors preflight", func(t *testing.T) {
		r := rawCall(t, s, http.MethodOptions, "", nil, map[string]string{
			"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent",
		})
		if r.status != http.StatusNoContent && r.status != http.StatusOK {
			t.Errorf("status %d", r.status)
		}
		if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("Allow-Origin = %q", got)
		}
		if got := r.header.Get("Access-Control-Allow-Methods"); !strings.Contains(got, "POST") {
			t.Errorf("Allow-Methods = %q", got)
		}
		if got := strings.ToLower(r.header.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "x-amz-target") {
			t.Errorf("Allow-Headers = %q", got)
		}
	})
	t.Run("no cors on an open admin call", func(t *testing.T) {
		r := rawCall(t, s, http.MethodPost, "DescribeUserPool", strings.NewReader(`{"UserPoolId":"`+pool+`"}`),
			map[string]string{"Origin": "http://localhost:3000"})
		if got := r.header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Allow-Origin = %q on an unauthenticated admin operation", got)
		}
	})
	t.Run("no cors on the outbox", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/_cognate/messages", nil)
		req.Header.Set("Origin", "https://evil.example")
		resp, err := (&http.Client{}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Allow-Origin = %q on the outbox", got)
		}
	})
	t.Run("cors on a call", func(t *testing.T) {
		r := rawCall(t, s, http.MethodPost, "GetUser", strings.NewReader(`{"AccessToken":"x.y.z"}`),
			map[string]string{"Origin": "http://localhost:3000"})
		if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("Allow-Origin = %q", got)
		}
		if got := r.header.Get("Access-Control-Expose-Headers"); !strings.Contains(got, "x-amzn-RequestId") {
			t.Errorf("Expose-Headers = %q", got)
		}
	})
	t.Run("health", func(t *testing.T) {
		resp, err := http.Get(s.URL + "/health")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || body["status"] != "ok" {
			t.Errorf("health = %d %v", resp.StatusCode, body)
		}
	})
}
