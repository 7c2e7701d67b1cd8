package e2e

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

// Function ARNs the trigger tests configure; the fake Lambda sees them as
// the function name.
const (
	fnCustomMessage = "arn:aws:lambda:us-east-1:123456789012:function:custom-message"
	fnPreSignUp     = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"
	fnPostConfirm   = "arn:aws:lambda:us-east-1:123456789012:function:post-confirmation"
	fnPreAuth       = "arn:aws:lambda:us-east-1:123456789012:function:pre-auth"
	fnPostAuth      = "arn:aws:lambda:us-east-1:123456789012:function:post-auth"
	fnPreToken      = "arn:aws:lambda:us-east-1:123456789012:function:pre-token"
	fnMigration     = "arn:aws:lambda:us-east-1:123456789012:function:user-migration"
)

// sdkVersion is callerContext.awsSdkVersion for calls made by the test's
// aws-sdk-go-v2 client.
const sdkVersion = "aws-sdk-go-v2-" + aws.SDKVersion

// newTriggerEnv starts a fake Lambda endpoint and a server pointed at it,
// and creates a pool with the given LambdaConfig (plus pool, when set).
func newTriggerEnv(t *testing.T, lambda *types.LambdaConfigType, pool *cip.CreateUserPoolInput, client *cip.CreateUserPoolClientInput) *env {
	t.Helper()
	fake := lambdafake.New()
	t.Cleanup(fake.Close)
	if pool == nil {
		pool = &cip.CreateUserPoolInput{}
	}
	pool.LambdaConfig = lambda
	e := newEnv(t, pool, client, testserver.WithLambdaEndpoint(fake.URL))
	e.fake = fake
	return e
}

// events decodes every event function received.
func (e *env) events(t *testing.T, function string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, raw := range e.fake.Events(function) {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("event of %s is not JSON: %s", function, raw)
		}
		out = append(out, m)
	}
	return out
}

// onlyEvent returns the one event function received, failing otherwise.
func (e *env) onlyEvent(t *testing.T, function string) map[string]any {
	t.Helper()
	evs := e.events(t, function)
	if len(evs) != 1 {
		t.Fatalf("%s received %d events, want 1: %s", function, len(evs), testserver.String(evs))
	}
	return evs[0]
}

// lastEvent returns the newest event function received, failing when
// there is none.
func (e *env) lastEvent(t *testing.T, function string) map[string]any {
	t.Helper()
	evs := e.events(t, function)
	if len(evs) == 0 {
		t.Fatalf("%s did not run", function)
	}
	return evs[len(evs)-1]
}

// wantHeader checks the common header of an event.
func (e *env) wantHeader(t *testing.T, ev map[string]any, version, source, userName, clientID string) {
	t.Helper()
	want := map[string]any{
		"version": version, "triggerSource": source, "region": strings.SplitN(e.pool, "_", 2)[0],
		"userPoolId": e.pool, "userName": userName,
		"callerContext": map[string]any{"awsSdkVersion": sdkVersion, "clientId": clientID},
	}
	for k, v := range want {
		if !reflect.DeepEqual(ev[k], v) {
			t.Errorf("event %s = %s, want %s", k, testserver.String(ev[k]), testserver.String(v))
		}
	}
}

// wantJSON fails unless got marshals to the same JSON value as want.
func wantJSON(t *testing.T, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want for %s: %v", what, err)
	}
	g, _ := json.Marshal(got)
	var gv any
	_ = json.Unmarshal(g, &gv)
	if !reflect.DeepEqual(gv, w) {
		t.Errorf("%s = %s, want %s", what, g, want)
	}
}

// member returns the object member name of an event ("request", "response").
func member(ev map[string]any, name string) map[string]any {
	m, _ := ev[name].(map[string]any)
	return m
}

// stringMap turns a decoded JSON object of strings into a map.
func stringMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := map[string]string{}
	for k, x := range m {
		s, _ := x.(string)
		out[k] = s
	}
	return out
}

// echoResponse answers with the event whose response member is replaced
// by resp (a JSON object).
func echoResponse(resp string) lambdafake.HandlerFunc {
	return lambdafake.Echo(func(ev map[string]any) {
		var r any
		if err := json.Unmarshal([]byte(resp), &r); err != nil {
			panic(err)
		}
		ev["response"] = r
	})
}
