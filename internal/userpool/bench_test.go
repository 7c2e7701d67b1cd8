package userpool

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
	"github.com/cognate-idp/cognate/internal/userpool/users"
)

// benchService returns a service on a temp SQLite store with one pool
// (custom:tier), one client and n confirmed users signed in; it returns
// their access tokens.
func benchService(b *testing.B, n int) (*Service, []string) {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	key := make([]byte, 32)
	rand.Read(key)
	s, err := New(Options{Store: st, SecretKey: key, PublicURL: "http://bench", PasswordHash: passwords.HashParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		b.Fatal(err)
	}
	pool, err := s.Pools.CreateUserPool(ctx, &model.CreateUserPoolRequest{PoolName: model.String("bench"),
		Schema: []model.SchemaAttributeType{{Name: model.String("tier"), AttributeDataType: model.String("String")}}})
	if err != nil {
		b.Fatal(err)
	}
	cl, err := s.Pools.CreateUserPoolClient(ctx, &model.CreateUserPoolClientRequest{UserPoolId: pool.UserPool.Id,
		ClientName: model.String("bench"), ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	if err != nil {
		b.Fatal(err)
	}
	var tokens []string
	for i := range n {
		name := fmt.Sprintf("user%d", i)
		if _, err := s.Users.AdminCreateUser(ctx, &model.AdminCreateUserRequest{UserPoolId: pool.UserPool.Id,
			Username: model.String(name), MessageAction: model.String("SUPPRESS")}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Users.AdminSetUserPassword(ctx, &model.AdminSetUserPasswordRequest{UserPoolId: pool.UserPool.Id,
			Username: model.String(name), Password: model.String("Passw0rd!"), Permanent: model.Bool(true)}); err != nil {
			b.Fatal(err)
		}
		out, err := s.Auth.InitiateAuth(ctx, &model.InitiateAuthRequest{AuthFlow: model.String("USER_PASSWORD_AUTH"),
			ClientId: cl.UserPoolClient.ClientId, AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": "Passw0rd!"}})
		if err != nil {
			b.Fatal(err)
		}
		tokens = append(tokens, *out.AuthenticationResult.AccessToken)
	}
	return s, tokens
}

// BenchmarkUpdateUserAttributes measures the service side of the hot
// operation (no HTTP): token check, attribute checks and a durable write,
// from parallel callers so group commit shares the fsyncs.
func BenchmarkUpdateUserAttributes(b *testing.B) {
	s, tokens := benchService(b, 64)
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		i := int(next.Add(1))
		for pb.Next() {
			i++
			_, err := s.Users.UpdateUserAttributes(ctx, &model.UpdateUserAttributesRequest{
				AccessToken: model.String(tokens[i%len(tokens)]),
				UserAttributes: []model.AttributeType{
					{Name: model.String("custom:tier"), Value: model.String(fmt.Sprint("t", i))},
					{Name: model.String("given_name"), Value: model.String(fmt.Sprint("g", i))},
				},
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkGetUser measures the service side of GetUser, with few and
// with many distinct signed-in users (the second does not fit the CPU's
// private caches).
func BenchmarkGetUser(b *testing.B) {
	for _, n := range []int{64, 1024} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			s, tokens := benchService(b, n)
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				i := int(next.Add(1)) * 7919
				for pb.Next() {
					i++
					if _, err := s.Users.GetUser(ctx, &model.GetUserRequest{AccessToken: model.String(tokens[i%len(tokens)])}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkCheckAttributes measures attribute validation alone.
func BenchmarkCheckAttributes(b *testing.B) {
	p := core.BuildPool("us-east-1_bench", time.Time{}, &model.UserPoolType{SchemaAttributes: mustSchema(b)})
	in := []model.AttributeType{
		{Name: model.String("custom:tier"), Value: model.String("gold")},
		{Name: model.String("given_name"), Value: model.String("Jane")},
		{Name: model.String("email"), Value: model.String("jane@example.com")},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := users.CheckAttributes(p, users.Writer{}, in, "", "user.", false); err != nil {
			b.Fatal(err)
		}
	}
}

func mustSchema(b *testing.B) []model.SchemaAttributeType {
	s, err := core.BuildSchema([]model.SchemaAttributeType{{Name: model.String("tier"), AttributeDataType: model.String("String")}})
	if err != nil {
		b.Fatal(err)
	}
	return s
}
