// Package seed applies a declarative seed file at server start: pools,
// app clients, groups and users with passwords and attributes, for CI
// fixtures and local development.
//
// Applying is idempotent: what the file names and the server lacks is
// created; what exists already is left as it is (never changed or
// deleted), so a server restarted with the same file keeps its data and
// its tokens stay valid. Pools and clients may pin their IDs (Id,
// ClientId) so that tests can hard-code them.
package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/userpool"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// File is a seed file: {"Pools": [...]}.
type File struct {
	Pools []Pool
}

// Pool is a CreateUserPool request with what belongs to the pool.
type Pool struct {
	Request *model.CreateUserPoolRequest
	Id      string // optional: the pool's ID, e.g. "us-east-1_Fixture01"
	Clients []Client
	Groups  []*model.CreateGroupRequest
	Users   []User
}

// Client is a CreateUserPoolClient request, its ID optionally pinned.
type Client struct {
	Request  *model.CreateUserPoolClientRequest
	ClientId string
}

// User is a user to create: confirmed, with a permanent password when
// one is given, its attributes and its groups.
type User struct {
	Username   string
	Password   string
	Attributes map[string]string
	Groups     []string
}

type poolJSON struct {
	Id      string
	Clients []json.RawMessage
	Groups  []json.RawMessage
	Users   []User
}

// Load reads and checks a seed file. Every request in it is validated as
// the API would validate it.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	var raw struct{ Pools []json.RawMessage }
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	f := &File{}
	for i, rp := range raw.Pools {
		var p Pool
		var extra poolJSON
		p.Request = &model.CreateUserPoolRequest{}
		if err := decode(rp, p.Request, &extra); err != nil {
			return nil, fmt.Errorf("seed %s: pool %d: %w", path, i, err)
		}
		p.Id, p.Users = extra.Id, extra.Users
		for j, rc := range extra.Clients {
			c := Client{Request: &model.CreateUserPoolClientRequest{}}
			var ce struct{ ClientId string }
			if err := decode(rc, c.Request, &ce); err != nil {
				return nil, fmt.Errorf("seed %s: pool %d client %d: %w", path, i, j, err)
			}
			c.ClientId = ce.ClientId
			p.Clients = append(p.Clients, c)
		}
		for j, rg := range extra.Groups {
			g := &model.CreateGroupRequest{}
			if err := decode(rg, g, nil); err != nil {
				return nil, fmt.Errorf("seed %s: pool %d group %d: %w", path, i, j, err)
			}
			p.Groups = append(p.Groups, g)
		}
		f.Pools = append(f.Pools, p)
	}
	return f, nil
}

// decode reads one object into the request (its model members) and extra
// (the seed's own members).
func decode(raw json.RawMessage, req any, extra any) error {
	if err := model.Decode(raw, req); err != nil {
		return err
	}
	if extra != nil {
		if err := json.Unmarshal(raw, extra); err != nil {
			return err
		}
	}
	return nil
}

// validate checks a request as the edge does, once the pool ID is known.
func validate(req any) error {
	if err := model.Validate(req); err != nil {
		return err
	}
	return nil
}

// Apply creates what f names and s lacks.
func Apply(ctx context.Context, s *userpool.Service, f *File) error {
	for i, p := range f.Pools {
		if err := applyPool(ctx, s, p); err != nil {
			return fmt.Errorf("seed: pool %d (%s): %w", i, model.StringValue(p.Request.PoolName), err)
		}
	}
	return nil
}

func applyPool(ctx context.Context, s *userpool.Service, p Pool) error {
	id, err := findPool(ctx, s, p)
	if err != nil {
		return err
	}
	if id == "" {
		if err := validate(p.Request); err != nil {
			return err
		}
		out, err := s.Pools.CreateUserPool(core.WithPinnedID(ctx, p.Id), p.Request)
		if err != nil {
			return err
		}
		id = model.StringValue(out.UserPool.Id)
	}
	for _, c := range p.Clients {
		if err := applyClient(ctx, s, id, c); err != nil {
			return fmt.Errorf("client %s: %w", model.StringValue(c.Request.ClientName), err)
		}
	}
	for _, g := range p.Groups {
		g.UserPoolId = model.String(id)
		if _, err := s.Groups.GetGroup(ctx, &model.GetGroupRequest{UserPoolId: g.UserPoolId, GroupName: g.GroupName}); err == nil {
			continue
		} else if !cognito.IsCode(err, cognito.ResourceNotFound) {
			return err
		}
		if err := validate(g); err != nil {
			return err
		}
		if _, err := s.Groups.CreateGroup(ctx, g); err != nil {
			return fmt.Errorf("group %s: %w", model.StringValue(g.GroupName), err)
		}
	}
	for _, u := range p.Users {
		if err := applyUser(ctx, s, id, u); err != nil {
			return fmt.Errorf("user %s: %w", u.Username, err)
		}
	}
	return nil
}

// findPool returns the ID of the existing pool p names: by Id when
// pinned, else the first pool of that name; "" when there is none.
func findPool(ctx context.Context, s *userpool.Service, p Pool) (string, error) {
	if p.Id != "" {
		_, err := s.Pools.DescribeUserPool(ctx, &model.DescribeUserPoolRequest{UserPoolId: model.String(p.Id)})
		if cognito.IsCode(err, cognito.ResourceNotFound) {
			return "", nil
		}
		return p.Id, err
	}
	var next *string
	for {
		out, err := s.Pools.ListUserPools(ctx, &model.ListUserPoolsRequest{MaxResults: model.Int32(60), NextToken: next})
		if err != nil {
			return "", err
		}
		for _, up := range out.UserPools {
			if model.StringValue(up.Name) == model.StringValue(p.Request.PoolName) {
				return model.StringValue(up.Id), nil
			}
		}
		if out.NextToken == nil {
			return "", nil
		}
		next = out.NextToken
	}
}

func applyClient(ctx context.Context, s *userpool.Service, poolID string, c Client) error {
	c.Request.UserPoolId = model.String(poolID)
	if c.ClientId != "" {
		_, err := s.Pools.DescribeUserPoolClient(ctx, &model.DescribeUserPoolClientRequest{UserPoolId: model.String(poolID), ClientId: model.String(c.ClientId)})
		if err == nil || !cognito.IsCode(err, cognito.ResourceNotFound) {
			return err
		}
	} else {
		var next *string
		for {
			out, err := s.Pools.ListUserPoolClients(ctx, &model.ListUserPoolClientsRequest{UserPoolId: model.String(poolID), MaxResults: model.Int32(60), NextToken: next})
			if err != nil {
				return err
			}
			for _, d := range out.UserPoolClients {
				if model.StringValue(d.ClientName) == model.StringValue(c.Request.ClientName) {
					return nil
				}
			}
			if out.NextToken == nil {
				break
			}
			next = out.NextToken
		}
	}
	if err := validate(c.Request); err != nil {
		return err
	}
	_, err := s.Pools.CreateUserPoolClient(core.WithPinnedID(ctx, c.ClientId), c.Request)
	return err
}

func applyUser(ctx context.Context, s *userpool.Service, poolID string, u User) error {
	pool, name := model.String(poolID), model.String(u.Username)
	_, err := s.Users.AdminGetUser(ctx, &model.AdminGetUserRequest{UserPoolId: pool, Username: name})
	switch {
	case err == nil:
	case cognito.IsCode(err, cognito.UserNotFound):
		in := &model.AdminCreateUserRequest{UserPoolId: pool, Username: name, MessageAction: model.String("SUPPRESS")}
		for k, v := range u.Attributes {
			in.UserAttributes = append(in.UserAttributes, model.AttributeType{Name: model.String(k), Value: model.String(v)})
		}
		if err := validate(in); err != nil {
			return err
		}
		if _, err := s.Users.AdminCreateUser(ctx, in); err != nil {
			return err
		}
		if u.Password != "" {
			pw := &model.AdminSetUserPasswordRequest{UserPoolId: pool, Username: name, Password: model.String(u.Password), Permanent: model.Bool(true)}
			if err := validate(pw); err != nil {
				return err
			}
			if _, err := s.Users.AdminSetUserPassword(ctx, pw); err != nil {
				return err
			}
		}
	default:
		return err
	}
	for _, g := range u.Groups {
		if _, err := s.Groups.AdminAddUserToGroup(ctx, &model.AdminAddUserToGroupRequest{UserPoolId: pool, Username: name, GroupName: model.String(g)}); err != nil {
			return fmt.Errorf("group %s: %w", g, err)
		}
	}
	return nil
}
