package groups

import (
	"context"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// member loads the pool, group and user a membership request names. As
// Cognito does, an absent group is reported before an absent user.
func (s *Service) member(tx store.Tx, poolID, group, username *string) (*core.Pool, *core.Group, *core.User, error) {
	p, err := s.LoadPool(tx, model.StringValue(poolID))
	if err != nil {
		return nil, nil, nil, err
	}
	g, err := core.LoadGroup(tx, p.Id, model.StringValue(group))
	if err != nil {
		return nil, nil, nil, err
	}
	u, err := s.ResolveUser(tx, p, model.StringValue(username))
	if err != nil {
		return nil, nil, nil, err
	}
	return p, g, u, nil
}

// AdminAddUserToGroup adds a user to a group; adding a member again is
// not an error.
func (s *Service) AdminAddUserToGroup(ctx context.Context, in *model.AdminAddUserToGroupRequest) (any, error) {
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, g, u, err := s.member(tx, in.UserPoolId, in.GroupName, in.Username)
		if err != nil {
			return err
		}
		return tx.AddMember(p.Id, g.Rec.Name, u.Rec.Key)
	})
	return nil, err
}

// AdminRemoveUserFromGroup removes a user from a group; removing a user
// who is not a member is not an error.
func (s *Service) AdminRemoveUserFromGroup(ctx context.Context, in *model.AdminRemoveUserFromGroupRequest) (any, error) {
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, g, u, err := s.member(tx, in.UserPoolId, in.GroupName, in.Username)
		if err != nil {
			return err
		}
		return tx.RemoveMember(p.Id, g.Rec.Name, u.Rec.Key)
	})
	return nil, err
}

// AdminListGroupsForUser lists the groups of a user by name.
func (s *Service) AdminListGroupsForUser(ctx context.Context, in *model.AdminListGroupsForUserRequest) (*model.AdminListGroupsForUserResponse, error) {
	after, err := core.DecodePageToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.Limit)
	out := &model.AdminListGroupsForUserResponse{}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		u, err := s.ResolveUser(tx, p, model.StringValue(in.Username))
		if err != nil {
			return err
		}
		recs, err := tx.ListUserGroups(p.Id, u.Rec.Key, after, limit+1)
		if err != nil {
			return err
		}
		out.Groups, out.NextToken, err = groupPage(recs, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListUsersInGroup lists the users of a group, with all their attributes,
// in a stable order that pages correctly while members come and go.
func (s *Service) ListUsersInGroup(ctx context.Context, in *model.ListUsersInGroupRequest) (*model.ListUsersInGroupResponse, error) {
	after, err := core.DecodePageToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.Limit)
	out := &model.ListUsersInGroupResponse{Users: []model.UserType{}}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		g, err := core.LoadGroup(tx, p.Id, model.StringValue(in.GroupName))
		if err != nil {
			return err
		}
		recs, err := tx.ListMembers(p.Id, g.Rec.Name, after, limit+1)
		if err != nil {
			return err
		}
		for i, rec := range recs {
			if i == limit {
				out.NextToken = core.EncodePageToken(recs[i-1].Key)
				break
			}
			u, err := core.DecodeUser(rec)
			if err != nil {
				return err
			}
			out.Users = append(out.Users, u.UserType(u.AttributeList(nil)))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
