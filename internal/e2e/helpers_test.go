package e2e

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

// env is one server with one user pool and one app client; fake is the
// Lambda endpoint when newTriggerEnv made it.
type env struct {
	s      *testserver.Server
	fake   *lambdafake.Server
	pool   string
	client string
}

// newEnv starts a server with opts and creates a pool and an app client
// from the inputs (either may be nil).
func newEnv(t *testing.T, pool *cip.CreateUserPoolInput, client *cip.CreateUserPoolClientInput, opts ...testserver.Option) *env {
	t.Helper()
	s := testserver.Start(t, opts...)
	p := s.Pool(t, pool)
	return &env{s: s, pool: p, client: s.AppClient(t, p, client)}
}

// signIn signs in with USER_PASSWORD_AUTH and the client metadata md.
func (e *env) signIn(username, password string, md map[string]string) (*cip.InitiateAuthOutput, error) {
	return e.s.PasswordAuth(e.client, username, password, md)
}

// signInErr signs in as username with testserver.Password and returns the
// error.
func (e *env) signInErr(username string) error {
	_, err := e.signIn(username, testserver.Password, nil)
	return err
}

// adminUser returns the user's status and attributes, or the error.
func (e *env) adminUser(username string) (string, map[string]string, error) {
	out, err := e.s.Client.AdminGetUser(context.Background(), &cip.AdminGetUserInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(username),
	})
	if err != nil {
		return "", nil, err
	}
	return string(out.UserStatus), testserver.Attrs(out.UserAttributes), nil
}

// adminAttrs returns the user's attributes as AdminGetUser shows them.
func (e *env) adminAttrs(t *testing.T, username string) map[string]string {
	t.Helper()
	return e.s.UserAttrs(t, e.pool, username)
}

// wantEntries fails unless got has every entry of want; a zero want value
// ("" or nil) means the key must be absent.
func wantEntries[V any](t *testing.T, what string, got, want map[string]V) {
	t.Helper()
	for k, v := range want {
		g, ok := got[k]
		absent := reflect.ValueOf(&v).Elem().IsZero()
		switch {
		case absent && ok:
			t.Errorf("%s: %s = %#v, want absent", what, k, g)
		case !absent && (!ok || !reflect.DeepEqual(g, v)):
			t.Errorf("%s: %s = %#v (present %v), want %#v", what, k, g, ok, v)
		}
	}
}

// noErr fails the test at once on err.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
