package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/middleware"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// signedIn creates a confirmed user with attrs (name, value pairs) and
// returns its access token.
func (e *env) signedIn(t *testing.T, username string, attrs ...string) string {
	t.Helper()
	e.s.User(t, e.pool, username, attrs...)
	return aws.ToString(e.s.SignIn(t, e.client, username).AccessToken)
}

// update calls UpdateUserAttributes with name, value pairs.
func (e *env) update(tok string, kv ...string) (*cip.UpdateUserAttributesOutput, error) {
	return e.s.Client.UpdateUserAttributes(context.Background(), &cip.UpdateUserAttributesInput{
		AccessToken: aws.String(tok), UserAttributes: testserver.AttrList(kv...),
	})
}

// adminUpdate calls AdminUpdateUserAttributes with name, value pairs.
func (e *env) adminUpdate(username string, kv ...string) error {
	_, err := e.s.Client.AdminUpdateUserAttributes(context.Background(), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(username), UserAttributes: testserver.AttrList(kv...),
	})
	return err
}

// verify calls VerifyUserAttribute.
func (e *env) verify(tok, attr, code string) error {
	_, err := e.s.Client.VerifyUserAttribute(context.Background(), &cip.VerifyUserAttributeInput{
		AccessToken: aws.String(tok), AttributeName: aws.String(attr), Code: aws.String(code),
	})
	return err
}

// getUser returns the attributes GetUser shows for tok.
func (e *env) getUser(t *testing.T, tok string) map[string]string {
	t.Helper()
	out, err := e.s.Client.GetUser(context.Background(), &cip.GetUserInput{AccessToken: aws.String(tok)})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	return testserver.Attrs(out.UserAttributes)
}

// attrNoValidation removes the SDK's client-side input validation so that
// malformed requests reach the server.
func attrNoValidation(o *cip.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		_, err := st.Initialize.Remove("OperationInputValidation")
		return err
	})
}
