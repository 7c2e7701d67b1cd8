package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
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

// triggerEnv is a server wired to a fake Lambda endpoint, with one pool
// (configured with lambda) and one app client.
type triggerEnv struct {
	s      *testserver.Server
	fake   *lambdafake.Server
	pool   string
	client string
}

// newTriggerEnv starts a fake Lambda endpoint and a server pointed at it,
// and creates a pool with the given LambdaConfig (plus pool, when set).
func newTriggerEnv(t *testing.T, lambda *types.LambdaConfigType, pool *cip.CreateUserPoolInput, client *cip.CreateUserPoolClientInput) *triggerEnv {
	t.Helper()
	fake := lambdafake.New()
	t.Cleanup(fake.Close)
	s := testserver.Start(t, testserver.WithLambdaEndpoint(fake.URL))
	if pool == nil {
		pool = &cip.CreateUserPoolInput{}
	}
	pool.LambdaConfig = lambda
	p := s.Pool(t, pool)
	return &triggerEnv{s: s, fake: fake, pool: p, client: s.AppClient(t, p, client)}
}

// events decodes every event function received.
func (e *triggerEnv) events(t *testing.T, function string) []map[string]any {
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
func (e *triggerEnv) onlyEvent(t *testing.T, function string) map[string]any {
	t.Helper()
	evs := e.events(t, function)
	if len(evs) != 1 {
		t.Fatalf("%s received %d events, want 1: %s", function, len(evs), testserver.String(evs))
	}
	return evs[0]
}

// wantHeader checks the common header of an event.
func (e *triggerEnv) wantHeader(t *testing.T, ev map[string]any, version, source, userName, clientID string) {
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

// signIn signs in with USER_PASSWORD_AUTH and ClientMetadata.
func (e *triggerEnv) signIn(username, password string, md map[string]string) (*cip.InitiateAuthOutput, error) {
	return e.s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(e.client),
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password}, ClientMetadata: md,
	})
}

// adminUser returns the user's status and attributes, or the error.
func (e *triggerEnv) adminUser(username string) (string, map[string]string, error) {
	out, err := e.s.Client.AdminGetUser(context.Background(), &cip.AdminGetUserInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(username),
	})
	if err != nil {
		return "", nil, err
	}
	return string(out.UserStatus), trigAttrMap(out.UserAttributes), nil
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

// attrs returns the user's attributes as AdminGetUser shows them.
func (e *triggerEnv) attrs(t *testing.T, username string) map[string]string {
	t.Helper()
	_, a, err := e.adminUser(username)
	if err != nil {
		t.Fatalf("AdminGetUser %s: %v", username, err)
	}
	return a
}

// trigAttrs builds an attribute list from name, value pairs.
func trigAttrs(kv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// trigAttrMap turns an attribute list into a map.
func trigAttrMap(list []types.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range list {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

// trigWantAttrs fails unless got has every want entry; an empty want value
// means the attribute must be absent.
func trigWantAttrs(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		g, ok := got[k]
		switch {
		case v == "" && ok:
			t.Errorf("%s: %s = %q, want absent", what, k, g)
		case v != "" && g != v:
			t.Errorf("%s: %s = %q (present %v), want %q", what, k, g, ok, v)
		}
	}
}

// trigWantErr fails unless err is the SDK exception E with exactly msg.
func trigWantErr[E interface {
	error
	ErrorMessage() string
}](t *testing.T, err error, msg string) {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want %T %q", err, e, msg)
	}
	if got := e.ErrorMessage(); got != msg {
		t.Fatalf("%T message = %q, want %q", e, got, msg)
	}
}

// trigJWT decodes a JWT's payload without verifying it.
func trigJWT(t *testing.T, raw *string) map[string]any {
	t.Helper()
	parts := strings.Split(aws.ToString(raw), ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", aws.ToString(raw))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return m
}
