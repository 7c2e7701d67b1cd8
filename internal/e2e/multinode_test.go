package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// freshDatabase creates a database of its own on the server named by
// COGNATE_TEST_POSTGRES (skipping the test when it is unset), drops it
// when the test ends and returns its DSN.
func freshDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("COGNATE_TEST_POSTGRES")
	if base == "" {
		t.Skip("COGNATE_TEST_POSTGRES not set")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("COGNATE_TEST_POSTGRES must be a postgres:// URL: %v", err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "cognate_e2e_" + hex.EncodeToString(b[:])
	admin := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := admin("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// startNodes starts two servers on one fresh database with one secret
// file and one public URL, as two nodes behind a load balancer are.
func startNodes(t *testing.T) (a, b *testserver.Server) {
	t.Helper()
	dsn := freshDatabase(t)
	secret := filepath.Join(t.TempDir(), "shared.key")
	node := testserver.WithConfig(func(c *config.Config) {
		c.Database = dsn
		c.SecretFile = secret
		c.PublicURL = "http://cognito.lb.example"
	})
	a = testserver.Start(t, node)
	b = testserver.Start(t, node)
	return a, b
}

// get fetches url and returns status and body.
func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// TestMultiNode drives two nodes on one PostgreSQL database: whatever one
// node does, the other must see at once.
func TestMultiNode(t *testing.T) {
	t.Parallel()
	a, b := startNodes(t)
	ctx := context.Background()
	pool := a.Pool(t, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	})
	client := a.AppClient(t, pool, nil)
	a.User(t, pool, "jane", "email", "jane@example.com", "email_verified", "true")
	a.User(t, pool, "bob", "email", "bob@example.com", "email_verified", "true")
	var fromA *types.AuthenticationResultType // jane's tokens, issued by A

	steps := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"pool created on A is visible on B", func(t *testing.T) {
			out, err := b.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
			noErr(t, err)
			if aws.ToString(out.UserPool.Id) != pool {
				t.Errorf("B describes pool %q, want %q", aws.ToString(out.UserPool.Id), pool)
			}
			c, err := b.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{
				UserPoolId: aws.String(pool), ClientId: aws.String(client)})
			noErr(t, err)
			if aws.ToString(c.UserPoolClient.ClientId) != client {
				t.Errorf("B describes client %q, want %q", aws.ToString(c.UserPoolClient.ClientId), client)
			}
		}},
		{"user created on A signs in on B", func(t *testing.T) {
			tok := b.SignIn(t, client, "jane")
			if aws.ToString(tok.AccessToken) == "" || aws.ToString(tok.RefreshToken) == "" {
				t.Fatalf("B's sign-in returned %s", testserver.String(tok))
			}
		}},
		{"token issued by A is accepted by B", func(t *testing.T) {
			fromA = a.SignIn(t, client, "jane")
			out, err := b.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: fromA.AccessToken})
			noErr(t, err)
			if aws.ToString(out.Username) != "jane" {
				t.Errorf("B's GetUser: username %q", aws.ToString(out.Username))
			}
		}},
		{"JWKS is the same from A and B", func(t *testing.T) {
			sa, ja := get(t, a.URL+"/"+pool+"/.well-known/jwks.json")
			sb, jb := get(t, b.URL+"/"+pool+"/.well-known/jwks.json")
			if sa != http.StatusOK || sb != http.StatusOK {
				t.Fatalf("JWKS status A %d, B %d", sa, sb)
			}
			if !bytes.Equal(ja, jb) {
				t.Errorf("JWKS differ:\nA: %s\nB: %s", ja, jb)
			}
		}},
		{"code sent by A is verified on B", func(t *testing.T) {
			_, err := a.Client.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
				AccessToken: fromA.AccessToken, UserAttributes: testserver.AttrList("email", "jane.doe@example.com")})
			noErr(t, err)
			code := b.LastCode(t, pool, "jane", "email") // one outbox for both nodes
			if got := a.LastCode(t, pool, "jane", "email"); got != code {
				t.Fatalf("outbox differs between nodes: A %q, B %q", got, code)
			}
			_, err = b.Client.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{
				AccessToken: fromA.AccessToken, AttributeName: aws.String("email"), Code: aws.String(code)})
			noErr(t, err)
			got := a.UserAttrs(t, pool, "jane")
			if got["email"] != "jane.doe@example.com" || got["email_verified"] != "true" {
				t.Errorf("A sees jane's email %q verified %q after B verified it", got["email"], got["email_verified"])
			}
		}},
		{"pool updated on A is current on B", func(t *testing.T) {
			// B has the pool decoded in its cache by now.
			_, err := a.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(pool),
				AutoVerifiedAttributes: []types.VerifiedAttributeType{}})
			noErr(t, err)
			out, err := b.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
			noErr(t, err)
			if n := len(out.UserPool.AutoVerifiedAttributes); n != 0 {
				t.Errorf("B still sees AutoVerifiedAttributes %v", out.UserPool.AutoVerifiedAttributes)
			}
		}},
		{"refresh token from A works on B", func(t *testing.T) {
			out, err := b.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{
				AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(client),
				AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(fromA.RefreshToken)}})
			noErr(t, err)
			if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.AccessToken) == "" {
				t.Fatalf("B's refresh returned %s", testserver.String(out))
			}
			_, err = a.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
			noErr(t, err)
		}},
		{"group change on A is in B's tokens", func(t *testing.T) {
			_, err := a.Client.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("ops"),
				RoleArn: aws.String("arn:aws:iam::123456789012:role/ops")})
			noErr(t, err)
			_, err = a.Client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool),
				Username: aws.String("bob"), GroupName: aws.String("ops")})
			noErr(t, err)
			id := testserver.JWTClaims(t, aws.ToString(b.SignIn(t, client, "bob").IdToken))
			wantEntries(t, "B's ID token", id, map[string]any{
				"cognito:groups": []any{"ops"}, "cognito:preferred_role": "arn:aws:iam::123456789012:role/ops"})
			_, err = a.Client.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("ops")})
			noErr(t, err)
			id = testserver.JWTClaims(t, aws.ToString(b.SignIn(t, client, "bob").IdToken))
			wantEntries(t, "B's ID token after the delete", id, map[string]any{"cognito:groups": nil})
		}},
		{"GlobalSignOut on A revokes on B at once", func(t *testing.T) {
			_, err := a.Client.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: fromA.AccessToken})
			noErr(t, err)
			_, err = b.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: fromA.AccessToken})
			testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
			_, err = b.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{
				AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(client),
				AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(fromA.RefreshToken)}})
			testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
		}},
		{"challenge started on A is answered on B", func(t *testing.T) {
			a.TempUser(t, pool, "carol", "Temp0rary!")
			out, err := a.PasswordAuth(client, "carol", "Temp0rary!", nil)
			noErr(t, err)
			if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
				t.Fatalf("A's challenge %q, want NEW_PASSWORD_REQUIRED", out.ChallengeName)
			}
			res, err := b.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ChallengeName: out.ChallengeName, ClientId: aws.String(client), Session: out.Session,
				ChallengeResponses: map[string]string{"USERNAME": "carol", "NEW_PASSWORD": testserver.Password}})
			noErr(t, err)
			if res.AuthenticationResult == nil {
				t.Fatalf("B's answer returned %s", testserver.String(res))
			}
			a.SignIn(t, client, "carol")
		}},
		{"pool deleted on A is gone on B", func(t *testing.T) {
			bob := b.SignIn(t, client, "bob") // B caches the pool's keys
			_, err := a.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(pool)})
			noErr(t, err)
			msg := "User pool " + pool + " does not exist."
			_, err = b.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
			testserver.WantError[*types.ResourceNotFoundException](t, err, msg)
			_, err = b.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: bob.AccessToken})
			testserver.WantError[*types.ResourceNotFoundException](t, err, msg)
			_, err = b.PasswordAuth(client, "bob", testserver.Password, nil)
			if err == nil {
				t.Error("B signed bob in to a deleted pool")
			}
			sa, _ := get(t, a.URL+"/"+pool+"/.well-known/jwks.json")
			sb, _ := get(t, b.URL+"/"+pool+"/.well-known/jwks.json")
			if sa != sb || sb == http.StatusOK {
				t.Errorf("JWKS of a deleted pool: A status %d, B status %d", sa, sb)
			}
		}},
	}
	for _, st := range steps {
		if !t.Run(st.name, st.fn) {
			t.FailNow() // later steps build on earlier ones
		}
	}
}
