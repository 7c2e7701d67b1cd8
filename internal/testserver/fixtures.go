package testserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Password is a password that meets the default policy.
const Password = "Passw0rd!"

// Pool creates a pool from in (PoolName defaults to "test") and returns its ID.
func (s *Server) Pool(t testing.TB, in *cip.CreateUserPoolInput) string {
	t.Helper()
	if in == nil {
		in = &cip.CreateUserPoolInput{}
	}
	if in.PoolName == nil {
		in.PoolName = aws.String("test")
	}
	out, err := s.Client.CreateUserPool(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	return *out.UserPool.Id
}

// AppClient creates an app client allowing password, SRP and refresh
// sign-in unless in sets ExplicitAuthFlows, and returns its ID.
func (s *Server) AppClient(t testing.TB, poolID string, in *cip.CreateUserPoolClientInput) string {
	t.Helper()
	if in == nil {
		in = &cip.CreateUserPoolClientInput{}
	}
	in.UserPoolId = aws.String(poolID)
	if in.ClientName == nil {
		in.ClientName = aws.String("app")
	}
	if in.ExplicitAuthFlows == nil {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
			"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"}
	}
	out, err := s.Client.CreateUserPoolClient(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return *out.UserPoolClient.ClientId
}

// User creates a CONFIRMED user with Password and the given attributes
// (name, value pairs).
func (s *Server) User(t testing.TB, poolID, username string, attrs ...string) {
	t.Helper()
	s.TempUser(t, poolID, username, Password, attrs...)
	_, err := s.Client.AdminSetUserPassword(context.Background(), &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username), Password: aws.String(Password), Permanent: true,
	})
	if err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
}

// TempUser creates a FORCE_CHANGE_PASSWORD user with the temporary
// password and the given attributes (name, value pairs), sending no
// invitation.
func (s *Server) TempUser(t testing.TB, poolID, username, tempPassword string, attrs ...string) {
	t.Helper()
	_, err := s.Client.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username), TemporaryPassword: aws.String(tempPassword),
		UserAttributes: AttrList(attrs...), MessageAction: types.MessageActionTypeSuppress,
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
}

// UserAttrs returns the user's attributes as AdminGetUser shows them.
func (s *Server) UserAttrs(t testing.TB, poolID, username string) map[string]string {
	t.Helper()
	out, err := s.Client.AdminGetUser(context.Background(), &cip.AdminGetUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username),
	})
	if err != nil {
		t.Fatalf("AdminGetUser(%s): %v", username, err)
	}
	return Attrs(out.UserAttributes)
}

// PasswordAuth calls InitiateAuth with USER_PASSWORD_AUTH and the client
// metadata (which may be nil), returning whatever the server answers.
func (s *Server) PasswordAuth(clientID, username, password string, metadata map[string]string) (*cip.InitiateAuthOutput, error) {
	return s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(clientID),
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password}, ClientMetadata: metadata,
	})
}

// SignIn signs in with USER_PASSWORD_AUTH and Password and returns the
// tokens, failing the test on an error or a challenge.
func (s *Server) SignIn(t testing.TB, clientID, username string) *types.AuthenticationResultType {
	t.Helper()
	out, err := s.PasswordAuth(clientID, username, Password, nil)
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: challenge %s instead of tokens", out.ChallengeName)
	}
	return out.AuthenticationResult
}

// Message is an outbox entry as GET /_cognate/messages shows it.
type Message struct {
	Id, UserPoolId, Username, AttributeName, DeliveryMedium, Destination, Subject, Body, Code string
	CreatedAt                                                                                 float64
}

// Messages reads the outbox, newest first, filtered by pool, username and
// attribute ("" matches all).
func (s *Server) Messages(t testing.TB, poolID, username, attribute string) []Message {
	t.Helper()
	q := url.Values{}
	for k, v := range map[string]string{"userPoolId": poolID, "username": username, "attributeName": attribute} {
		if v != "" {
			q.Set(k, v)
		}
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(s.URL + "/_cognate/messages?" + q.Encode())
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("outbox: status %d", resp.StatusCode)
	}
	var body struct{ Messages []Message }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("outbox: %v", err)
	}
	return body.Messages
}

// LastCode returns the code of the newest message for the user and
// attribute, failing the test when there is none.
func (s *Server) LastCode(t testing.TB, poolID, username, attribute string) string {
	t.Helper()
	ms := s.Messages(t, poolID, username, attribute)
	if len(ms) == 0 {
		t.Fatalf("no message for %s/%s/%s", poolID, username, attribute)
	}
	return ms[0].Code
}

// String formats a value for test failure messages.
func String(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
