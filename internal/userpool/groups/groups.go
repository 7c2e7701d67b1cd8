package groups

import (
	"context"
	"errors"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// defaultLimit is the page size of the group lists when Limit is absent
// or 0 (the model's maximum).
const defaultLimit = 60

func pageSize(limit *int32) int {
	if n := int(model.Int32Value(limit)); n > 0 {
		return n
	}
	return defaultLimit
}

func groupExists() error {
	return cognito.New(cognito.GroupExists, "A group with the name already exists.")
}

// CreateGroup creates a group in a pool.
func (s *Service) CreateGroup(ctx context.Context, in *model.CreateGroupRequest) (*model.CreateGroupResponse, error) {
	var g *core.Group
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		if _, err := tx.GetGroup(p.Id, model.StringValue(in.GroupName)); err == nil {
			return groupExists()
		} else if !core.IsNotFound(err) {
			return err
		}
		n, err := tx.CountGroups(p.Id)
		if err != nil {
			return err
		}
		if n >= MaxGroupsPerPool {
			return cognito.Errorf(cognito.LimitExceeded, "The user pool has reached its limit of %d groups.", MaxGroupsPerPool)
		}
		now := s.Now().UTC()
		g = &core.Group{
			Rec: store.Group{PoolID: p.Id, Name: model.StringValue(in.GroupName), Created: now, Modified: now},
			Doc: core.GroupDoc{Description: in.Description, RoleArn: in.RoleArn, Precedence: in.Precedence},
		}
		rec, err := g.Encode()
		if err != nil {
			return err
		}
		if err := tx.CreateGroup(rec); errors.Is(err, store.ErrConflict) {
			return groupExists()
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	gt := g.GroupType()
	return &model.CreateGroupResponse{Group: &gt}, nil
}

// GetGroup returns a group.
func (s *Service) GetGroup(ctx context.Context, in *model.GetGroupRequest) (*model.GetGroupResponse, error) {
	var g *core.Group
	err := s.Store.View(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		g, err = core.LoadGroup(tx, p.Id, model.StringValue(in.GroupName))
		return err
	})
	if err != nil {
		return nil, err
	}
	gt := g.GroupType()
	return &model.GetGroupResponse{Group: &gt}, nil
}

// UpdateGroup changes the description, role or precedence of a group;
// members left out keep their values.
func (s *Service) UpdateGroup(ctx context.Context, in *model.UpdateGroupRequest) (*model.UpdateGroupResponse, error) {
	var g *core.Group
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		if g, err = core.LoadGroup(tx, p.Id, model.StringValue(in.GroupName)); err != nil {
			return err
		}
		if in.Description != nil {
			g.Doc.Description = in.Description
		}
		if in.RoleArn != nil {
			g.Doc.RoleArn = in.RoleArn
		}
		if in.Precedence != nil {
			g.Doc.Precedence = in.Precedence
		}
		g.Rec.Modified = s.Now().UTC()
		rec, err := g.Encode()
		if err != nil {
			return err
		}
		return core.MapStoreErr(tx.PutGroup(rec), core.GroupNotFound())
	})
	if err != nil {
		return nil, err
	}
	gt := g.GroupType()
	return &model.UpdateGroupResponse{Group: &gt}, nil
}

// DeleteGroup deletes a group and its memberships.
func (s *Service) DeleteGroup(ctx context.Context, in *model.DeleteGroupRequest) (any, error) {
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		return core.MapStoreErr(tx.DeleteGroup(p.Id, model.StringValue(in.GroupName)), core.GroupNotFound())
	})
	return nil, err
}

// ListGroups lists the groups of a pool by name.
func (s *Service) ListGroups(ctx context.Context, in *model.ListGroupsRequest) (*model.ListGroupsResponse, error) {
	after, err := core.DecodePageToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.Limit)
	out := &model.ListGroupsResponse{Groups: []model.GroupType{}}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		recs, err := tx.ListGroups(p.Id, after, limit+1)
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

// groupPage turns up to limit+1 records into a page and its next token.
func groupPage(recs []store.Group, limit int) ([]model.GroupType, *string, error) {
	out := make([]model.GroupType, 0, min(len(recs), limit))
	for i, rec := range recs {
		if i == limit {
			return out, core.EncodePageToken(recs[i-1].Name), nil
		}
		g, err := core.DecodeGroup(rec)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, g.GroupType())
	}
	return out, nil, nil
}
