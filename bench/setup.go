package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/cognate-idp/cognate/internal/model"
)

// benchPassword satisfies the default password policy.
const benchPassword = "Bench-Passw0rd!"

// fixture is what setup made; it is saved as bench.json in the data
// directory so a later run with -data reuses it.
type fixture struct {
	PoolID   string `json:"poolId"`
	ClientID string `json:"clientId"`
	Password string `json:"password"`
	Users    int    `json:"users"`
	Bulk     bool   `json:"bulk"`
	// OAuth is the token endpoint setup of -op oauthtoken, made on first use.
	OAuth *oauthFixture `json:"oauth,omitempty"`
}

const fixtureFile = "bench.json"

func loadFixture(dir string) (*fixture, error) {
	b, err := os.ReadFile(filepath.Join(dir, fixtureFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	fx := &fixture{}
	if err := json.Unmarshal(b, fx); err != nil {
		return nil, fmt.Errorf("%s: %w", fixtureFile, err)
	}
	return fx, nil
}

func saveFixture(dir string, fx *fixture) error {
	b, err := json.MarshalIndent(fx, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, fixtureFile), b, 0o600)
}

// userName is the username of bench user i.
func userName(i int) string { return fmt.Sprintf("user%07d", i) }

// userEmail is user i's email, unique in the pool, for filtered ListUsers.
func userEmail(name string) string { return name + "@bench.example" }

// benchGroup holds every bench user, for the group-membership cases.
const benchGroup = "bench"

// createPool creates a pool with the custom attribute tier and an app
// client allowing USER_PASSWORD_AUTH and refresh.
func createPool(ctx context.Context, api *apiClient) (*fixture, error) {
	var pool model.CreateUserPoolResponse
	err := api.call(ctx, "CreateUserPool", &model.CreateUserPoolRequest{
		PoolName: model.String("bench"),
		Schema: []model.SchemaAttributeType{{
			Name: model.String("tier"), AttributeDataType: model.String("String"), Mutable: model.Bool(true),
		}},
	}, &pool)
	if err != nil {
		return nil, err
	}
	poolID := model.StringValue(pool.UserPool.Id)
	var cl model.CreateUserPoolClientResponse
	err = api.call(ctx, "CreateUserPoolClient", &model.CreateUserPoolClientRequest{
		UserPoolId: model.String(poolID), ClientName: model.String("bench"),
		ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	}, &cl)
	if err != nil {
		return nil, err
	}
	err = api.call(ctx, "CreateGroup", &model.CreateGroupRequest{UserPoolId: model.String(poolID),
		GroupName: model.String(benchGroup), Precedence: model.Int32(1)}, nil)
	if err != nil {
		return nil, err
	}
	return &fixture{PoolID: poolID, ClientID: model.StringValue(cl.UserPoolClient.ClientId), Password: benchPassword}, nil
}

// parallel runs fn(i) for i in [0, n) on conc goroutines and returns the
// first error; it stops handing out work after one.
func parallel(parent context.Context, n, conc int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range min(conc, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		return parent.Err()
	}
	return first
}

// createUsers makes users [0, n) through the API: AdminCreateUser with a
// suppressed invitation, membership of the bench group, then a permanent
// password.
func createUsers(ctx context.Context, api *apiClient, fx *fixture, n, conc int) error {
	return parallel(ctx, n, conc, func(ctx context.Context, i int) error {
		name := userName(i)
		err := api.call(ctx, "AdminCreateUser", &model.AdminCreateUserRequest{
			UserPoolId: model.String(fx.PoolID), Username: model.String(name), MessageAction: model.String("SUPPRESS"),
			UserAttributes: []model.AttributeType{
				{Name: model.String("given_name"), Value: model.String("bench")},
				{Name: model.String("custom:tier"), Value: model.String("0")},
				{Name: model.String("email"), Value: model.String(userEmail(name))},
			},
		}, nil)
		if err != nil {
			return err
		}
		err = api.call(ctx, "AdminAddUserToGroup", &model.AdminAddUserToGroupRequest{UserPoolId: model.String(fx.PoolID),
			Username: model.String(name), GroupName: model.String(benchGroup)}, nil)
		if err != nil {
			return err
		}
		return api.call(ctx, "AdminSetUserPassword", &model.AdminSetUserPasswordRequest{
			UserPoolId: model.String(fx.PoolID), Username: model.String(name),
			Password: model.String(fx.Password), Permanent: model.Bool(true),
		}, nil)
	})
}

// signIn signs users [0, n) in with USER_PASSWORD_AUTH and returns them
// with their access tokens.
func signIn(ctx context.Context, api *apiClient, fx *fixture, n, conc int) ([]*vuser, error) {
	users := make([]*vuser, n)
	err := parallel(ctx, n, conc, func(ctx context.Context, i int) error {
		var out model.InitiateAuthResponse
		name := userName(i)
		err := api.call(ctx, "InitiateAuth", &model.InitiateAuthRequest{
			AuthFlow: model.String("USER_PASSWORD_AUTH"), ClientId: model.String(fx.ClientID),
			AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": fx.Password},
		}, &out)
		if err != nil {
			return err
		}
		if out.AuthenticationResult == nil || out.AuthenticationResult.AccessToken == nil {
			return fmt.Errorf("InitiateAuth %s: no tokens (challenge %s)", name, model.StringValue(out.ChallengeName))
		}
		users[i] = newVUser(name, *out.AuthenticationResult.AccessToken, fx)
		return nil
	})
	return users, err
}
