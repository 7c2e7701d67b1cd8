package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// attrEnv is one server with one pool and app client, for the attribute
// tests.
type attrEnv struct {
	s      *testserver.Server
	pool   string
	client string
}

// newAttrEnv starts a server and creates a pool and client from the inputs
// (either may be nil).
func newAttrEnv(t *testing.T, pool *cip.CreateUserPoolInput, client *cip.CreateUserPoolClientInput) *attrEnv {
	t.Helper()
	s := testserver.Start(t)
	p := s.Pool(t, pool)
	return &attrEnv{s: s, pool: p, client: s.AppClient(t, p, client)}
}

// signedIn creates a confirmed user with attrs (name, value pairs) and
// returns its access token.
func (e *attrEnv) signedIn(t *testing.T, username string, attrs ...string) string {
	t.Helper()
	e.s.User(t, e.pool, username, attrs...)
	return aws.ToString(e.s.SignIn(t, e.client, username).AccessToken)
}

// attrList builds an attribute list from name, value pairs.
func attrList(kv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// update calls UpdateUserAttributes with name, value pairs.
func (e *attrEnv) update(tok string, kv ...string) (*cip.UpdateUserAttributesOutput, error) {
	return e.s.Client.UpdateUserAttributes(context.Background(), &cip.UpdateUserAttributesInput{
		AccessToken: aws.String(tok), UserAttributes: attrList(kv...),
	})
}

// adminUpdate calls AdminUpdateUserAttributes with name, value pairs.
func (e *attrEnv) adminUpdate(username string, kv ...string) error {
	_, err := e.s.Client.AdminUpdateUserAttributes(context.Background(), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(username), UserAttributes: attrList(kv...),
	})
	return err
}

// verify calls VerifyUserAttribute.
func (e *attrEnv) verify(tok, attr, code string) error {
	_, err := e.s.Client.VerifyUserAttribute(context.Background(), &cip.VerifyUserAttributeInput{
		AccessToken: aws.String(tok), AttributeName: aws.String(attr), Code: aws.String(code),
	})
	return err
}

// adminAttrs returns the user's attributes as AdminGetUser shows them.
func (e *attrEnv) adminAttrs(t *testing.T, username string) map[string]string {
	t.Helper()
	out, err := e.s.Client.AdminGetUser(context.Background(), &cip.AdminGetUserInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(username),
	})
	if err != nil {
		t.Fatalf("AdminGetUser(%s): %v", username, err)
	}
	return attrMap(out.UserAttributes)
}

// getUser returns the attributes GetUser shows for tok.
func (e *attrEnv) getUser(t *testing.T, tok string) map[string]string {
	t.Helper()
	out, err := e.s.Client.GetUser(context.Background(), &cip.GetUserInput{AccessToken: aws.String(tok)})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	return attrMap(out.UserAttributes)
}

// signInErr tries USER_PASSWORD_AUTH with username and returns the error.
func (e *attrEnv) signInErr(username string) error {
	_, err := e.s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(e.client),
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": testserver.Password},
	})
	return err
}

func attrMap(list []types.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range list {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

// attrClaims decodes a JWT's payload without verifying it.
func attrClaims(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
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

// attrAPIError is what every typed SDK exception provides.
type attrAPIError interface {
	error
	ErrorMessage() string
}

// attrWantErr fails unless err is the SDK exception E with exactly msg.
func attrWantErr[E attrAPIError](t *testing.T, err error, msg string) {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want %T %q", err, e, msg)
	}
	if got := e.ErrorMessage(); got != msg {
		t.Fatalf("%T message = %q, want %q", e, got, msg)
	}
}

// attrNoValidation removes the SDK's client-side input validation so that
// malformed requests reach the server.
func attrNoValidation(o *cip.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		_, err := st.Initialize.Remove("OperationInputValidation")
		return err
	})
}

// attrWant fails unless got has every want entry; an empty want value
// means the attribute must be absent.
func attrWant(t *testing.T, what string, got map[string]string, want map[string]string) {
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
