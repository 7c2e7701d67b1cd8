package core

import (
	"cmp"
	"encoding/json"
	"slices"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// GroupDoc is the stored document of a group.
type GroupDoc struct {
	Description *string `json:"desc,omitempty"`
	RoleArn     *string `json:"role,omitempty"`
	Precedence  *int32  `json:"prec,omitempty"`
}

// Group is a decoded group record.
type Group struct {
	Rec store.Group
	Doc GroupDoc
}

// DecodeGroup decodes a group record.
func DecodeGroup(rec store.Group) (*Group, error) {
	g := &Group{Rec: rec}
	if len(rec.Data) > 0 {
		if err := json.Unmarshal(rec.Data, &g.Doc); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// Encode returns the record of g with its document.
func (g *Group) Encode() (store.Group, error) {
	rec := g.Rec
	var err error
	rec.Data, err = json.Marshal(g.Doc)
	return rec, err
}

// GroupType is g as the API shows it.
func (g *Group) GroupType() model.GroupType {
	return model.GroupType{
		GroupName:        model.String(g.Rec.Name),
		UserPoolId:       model.String(g.Rec.PoolID),
		Description:      g.Doc.Description,
		RoleArn:          g.Doc.RoleArn,
		Precedence:       g.Doc.Precedence,
		CreationDate:     model.NewTime(g.Rec.Created),
		LastModifiedDate: model.NewTime(g.Rec.Modified),
	}
}

// GroupNotFound is Cognito's answer for a group that does not exist.
func GroupNotFound() error { return cognito.New(cognito.ResourceNotFound, "Group not found.") }

// LoadGroup reads a group of a pool.
func LoadGroup(tx store.Tx, poolID, name string) (*Group, error) {
	rec, err := tx.GetGroup(poolID, name)
	if err != nil {
		return nil, MapStoreErr(err, GroupNotFound())
	}
	return DecodeGroup(rec)
}

// byPrecedence orders groups as Cognito lists them in tokens: lowest
// precedence value first, groups without one last, then by name.
func byPrecedence(a, b *Group) int {
	switch {
	case a.Doc.Precedence == nil && b.Doc.Precedence != nil:
		return 1
	case a.Doc.Precedence != nil && b.Doc.Precedence == nil:
		return -1
	case a.Doc.Precedence != nil && b.Doc.Precedence != nil && *a.Doc.Precedence != *b.Doc.Precedence:
		return cmp.Compare(*a.Doc.Precedence, *b.Doc.Precedence)
	}
	return cmp.Compare(a.Rec.Name, b.Rec.Name)
}

// GroupClaims are the group claims of a user's tokens.
type GroupClaims struct {
	Groups    []string // cognito:groups, in precedence order
	Roles     []string // cognito:roles: the groups' roles, in the same order
	Preferred *string  // cognito:preferred_role
}

// UserGroupClaims reads the groups of a user and returns their claims.
func UserGroupClaims(tx store.Tx, poolID, userKey string) (GroupClaims, error) {
	recs, err := tx.ListUserGroups(poolID, userKey, "", 0)
	if err != nil || len(recs) == 0 {
		return GroupClaims{}, err
	}
	groups := make([]*Group, 0, len(recs))
	for _, rec := range recs {
		g, err := DecodeGroup(rec)
		if err != nil {
			return GroupClaims{}, err
		}
		groups = append(groups, g)
	}
	return ClaimsOf(groups), nil
}

// ClaimsOf returns the group claims of a user in groups. The preferred
// role is the role of the group with the lowest precedence value among
// those with a role. Groups sharing that precedence tie: they yield a
// preferred role only when they all have the same one.
func ClaimsOf(groups []*Group) GroupClaims {
	groups = slices.Clone(groups)
	slices.SortFunc(groups, byPrecedence)
	var out GroupClaims
	var withRole []*Group
	for _, g := range groups {
		out.Groups = append(out.Groups, g.Rec.Name)
		if r := model.StringValue(g.Doc.RoleArn); r != "" {
			if !slices.Contains(out.Roles, r) {
				out.Roles = append(out.Roles, r)
			}
			withRole = append(withRole, g)
		}
	}
	if len(withRole) == 0 {
		return out
	}
	first := withRole[0]
	for _, g := range withRole[1:] {
		if !samePrecedence(g.Doc.Precedence, first.Doc.Precedence) {
			break
		}
		if *g.Doc.RoleArn != *first.Doc.RoleArn {
			return out
		}
	}
	out.Preferred = first.Doc.RoleArn
	return out
}

func samePrecedence(a, b *int32) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
