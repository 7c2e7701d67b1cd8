package users

import (
	"context"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Filter is a parsed ListUsers filter: `attr = "value"` or `attr ^= "value"`.
type Filter struct {
	Attribute string
	Prefix    bool // ^= rather than =
	Value     string
}

// filterable lists the attributes ListUsers can filter on.
func filterable(name string) bool {
	switch name {
	case "username", "email", "phone_number", "name", "given_name", "family_name",
		"preferred_username", "cognito:user_status", "status", "sub":
		return true
	}
	return false
}

func filterError() error {
	return cognito.New(cognito.InvalidParameter, "Error while parsing filter.")
}

// ParseFilter parses a ListUsers filter expression. An empty string is no
// filter (nil).
func ParseFilter(s string) (*Filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	i := 0
	for i < len(s) && s[i] != ' ' && s[i] != '=' && s[i] != '^' {
		i++
	}
	name := s[:i]
	rest := strings.TrimLeft(s[i:], " ")
	f := &Filter{Attribute: strings.Trim(name, "\"")}
	switch {
	case strings.HasPrefix(rest, "^="):
		f.Prefix = true
		rest = rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return nil, filterError()
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return nil, filterError()
	}
	var b strings.Builder
	body := rest[1 : len(rest)-1]
	for j := 0; j < len(body); j++ {
		c := body[j]
		if c == '\\' {
			// A backslash escapes the next byte; one that ends the value
			// escaped the closing quote, leaving the string open.
			if j+1 == len(body) {
				return nil, filterError()
			}
			j++
			b.WriteByte(body[j])
			continue
		}
		if c == '"' {
			return nil, filterError()
		}
		b.WriteByte(c)
	}
	f.Value = b.String()
	if f.Attribute == "" {
		return nil, filterError()
	}
	if !filterable(f.Attribute) {
		return nil, cognito.New(cognito.InvalidParameter, "Invalid search attribute: "+f.Attribute)
	}
	return f, nil
}

func (f *Filter) match(u *core.User) bool {
	var v string
	switch f.Attribute {
	case "username":
		v = u.Rec.Username
	case "cognito:user_status":
		v = u.Doc.Status
	case "status":
		v = "Disabled"
		if u.Doc.Enabled {
			v = "Enabled"
		}
	default:
		v = u.Doc.Attributes[f.Attribute]
	}
	want := f.Value
	if f.Attribute == "cognito:user_status" {
		// Documented as the one case-insensitive filter.
		v, want = strings.ToUpper(v), strings.ToUpper(want)
	}
	if f.Prefix {
		return strings.HasPrefix(v, want)
	}
	return v == want
}

// ListUsers lists a pool's users, optionally filtered, in username order.
func (s *Service) ListUsers(ctx context.Context, in *model.ListUsersRequest) (*model.ListUsersResponse, error) {
	f, err := ParseFilter(model.StringValue(in.Filter))
	if err != nil {
		return nil, err
	}
	after, err := core.DecodePageToken(in.PaginationToken)
	if err != nil {
		return nil, err
	}
	limit := 60
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	keep := func(string) bool { return true }
	if in.AttributesToGet != nil {
		keep = func(n string) bool { return slices.Contains(in.AttributesToGet, n) }
	}
	out := &model.ListUsersResponse{Users: []model.UserType{}}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		for _, n := range in.AttributesToGet {
			if _, ok := p.Schema[n]; !ok {
				return cognito.Errorf(cognito.InvalidParameter, "One or more requested attributes do not exist.")
			}
		}
		const batch = 500
		lastKey := ""
		for {
			recs, err := tx.ListUsers(p.Id, after, batch)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				after = rec.Key
				u, err := core.DecodeUser(rec)
				if err != nil {
					return err
				}
				if f != nil && !f.match(u) {
					continue
				}
				if len(out.Users) == limit {
					out.PaginationToken = core.EncodePageToken(lastKey)
					return nil
				}
				out.Users = append(out.Users, u.UserType(u.AttributeList(keep)))
				lastKey = rec.Key
			}
			if len(recs) < batch {
				return nil
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
