package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/testserver"
)

const seedFile = `{"Pools": [{
  "Id": "us-east-1_Fixture01", "PoolName": "fixtures",
  "Schema": [{"Name": "tier", "AttributeDataType": "String", "Mutable": true}],
  "Clients": [
    {"ClientId": "fixtureclient0000000000001", "ClientName": "web",
     "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
    {"ClientName": "server", "GenerateSecret": true}
  ],
  "Groups": [{"GroupName": "admins", "Precedence": 1, "Description": "Administrators"}],
  "Users": [
    {"Username": "jane", "Password": "Passw0rd!", "Attributes": {"email": "jane@example.com", "email_verified": "true", "custom:tier": "gold"},
     "Groups": ["admins"]},
    {"Username": "bob"}
  ]
}]}`

// TestSeedFile starts a server with a seed file, signs in as a seeded
// user, and restarts on the same data with the same file: nothing is
// duplicated and nothing that changed meanwhile is reset.
func TestSeedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(path, []byte(seedFile), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	withSeed := testserver.WithConfig(func(c *config.Config) { c.Seed = path })
	ctx := context.Background()

	s := testserver.Start(t, testserver.WithDataDir(data), withSeed)
	const pool, client = "us-east-1_Fixture01", "fixtureclient0000000000001"
	res := s.SignIn(t, client, "jane")
	id := testserver.JWTClaims(t, aws.ToString(res.IdToken))
	wantEntries(t, "seeded user's ID token", id, map[string]any{
		"cognito:groups": []any{"admins"}, "email": "jane@example.com", "custom:tier": "gold", "email_verified": true,
		"iss": s.URL + "/" + pool,
	})
	clients, err := s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool)})
	noErr(t, err)
	if len(clients.UserPoolClients) != 2 {
		t.Errorf("%d clients, want 2", len(clients.UserPoolClients))
	}
	// A change made while the server runs survives a restart with the seed.
	_, err = s.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("jane"),
		Password: aws.String("Changed-Passw0rd!"), Permanent: true})
	noErr(t, err)
	s.Close()

	s2 := testserver.Start(t, testserver.WithDataDir(data), withSeed)
	pools, err := s2.Client.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	noErr(t, err)
	if len(pools.UserPools) != 1 {
		t.Errorf("%d pools after a restart with the seed, want 1", len(pools.UserPools))
	}
	clients, err = s2.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool)})
	noErr(t, err)
	if len(clients.UserPoolClients) != 2 {
		t.Errorf("%d clients after a restart, want 2", len(clients.UserPoolClients))
	}
	if _, err := s2.PasswordAuth(client, "jane", "Changed-Passw0rd!", nil); err != nil {
		t.Errorf("the changed password no longer works: %v", err)
	}
	if status, _, err := (&env{s: s2, pool: pool}).adminUser("bob"); err != nil || status != "FORCE_CHANGE_PASSWORD" {
		t.Errorf("bob (no password in the seed): %s, %v", status, err)
	}
}
