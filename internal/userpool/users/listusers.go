package users

import (
	"context"
	"slices"
	"strconv"
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
	if !core.IsSearchable(f.Attribute) {
		return nil, cognito.New(cognito.InvalidParameter, "Invalid search attribute: "+f.Attribute)
	}
	return f, nil
}

func (f *Filter) match(u *core.User) bool {
	v, ok := core.IndexValue(&u.Rec, u.Doc, f.Attribute)
	if !ok {
		return false
	}
	want := core.FoldFilter(f.Attribute, f.Value)
	if f.Prefix {
		return strings.HasPrefix(v, want)
	}
	return v == want
}

// ListUsers lists a pool's users in username order or, with a filter,
// those the filter matches in order of the matched value, then username
// (Unconfirmed: Cognito documents no order for filtered results).
// A filter is answered from the store's index, so its cost follows the
// number of matches rather than the size of the pool. Pages are positions
// (a username, or a value and a username), so users added or removed
// between pages neither shift nor repeat the others.
func (s *Service) ListUsers(ctx context.Context, in *model.ListUsersRequest) (*model.ListUsersResponse, error) {
	f, err := ParseFilter(model.StringValue(in.Filter))
	if err != nil {
		return nil, err
	}
	token, err := core.DecodePageToken(in.PaginationToken)
	if err != nil {
		return nil, err
	}
	// Unconfirmed: a Limit of 0 (the model allows it) lists the default 60.
	limit := 60
	if in.Limit != nil && *in.Limit > 0 {
		limit = int(*in.Limit)
	}
	keep := func(string) bool { return true }
	// Unconfirmed: an empty AttributesToGet lists users without attributes.
	if in.AttributesToGet != nil {
		keep = func(n string) bool { return slices.Contains(in.AttributesToGet, n) }
	}
	out := &model.ListUsersResponse{Users: []model.UserType{}}
	err = s.Store.View(ctx, func(tx store.Tx) error {
		out.Users, out.PaginationToken = out.Users[:0], nil
		p, err := s.LoadPool(tx, model.StringValue(in.UserPoolId))
		if err != nil {
			return err
		}
		for _, n := range in.AttributesToGet {
			if _, ok := p.Schema[n]; !ok {
				return cognito.Errorf(cognito.InvalidParameter, "One or more requested attributes do not exist.")
			}
		}
		add := func(u *core.User) { out.Users = append(out.Users, u.UserType(u.AttributeList(keep))) }
		if f == nil {
			return listByKey(tx, p.Id, token, limit, add, &out.PaginationToken)
		}
		return listByFilter(tx, p.Id, f, token, limit, add, &out.PaginationToken)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listByKey pages through every user of the pool after key.
func listByKey(tx store.Tx, poolID, key string, limit int, add func(*core.User), next **string) error {
	recs, err := tx.ListUsers(poolID, key, limit+1)
	if err != nil {
		return err
	}
	for i, rec := range recs {
		if i == limit {
			*next = core.EncodePageToken(recs[i-1].Key)
			break
		}
		u, err := core.DecodeUser(rec)
		if err != nil {
			return err
		}
		add(u)
	}
	return nil
}

// listByFilter pages through the index entries f matches after the
// position in token (see filterToken).
func listByFilter(tx store.Tx, poolID string, f *Filter, token string, limit int, add func(*core.User), next **string) error {
	q := store.UserQuery{PoolID: poolID, Attr: f.Attribute, Value: core.FoldFilter(f.Attribute, f.Value),
		Prefix: f.Prefix, Limit: limit + 1}
	if token != "" {
		var ok bool
		if q.AfterValue, q.AfterKey, ok = parseFilterToken(token); !ok {
			return cognito.New(cognito.InvalidParameter, "Invalid pagination token.")
		}
	}
	n := 0
	for {
		found, err := tx.FindUsers(q)
		if err != nil {
			return err
		}
		for _, m := range found {
			u, err := core.DecodeUser(m.User)
			if err != nil {
				return err
			}
			// The index holds what the record says; checking again
			// keeps a wrong entry from ever showing a user.
			if !f.match(u) {
				q.AfterValue, q.AfterKey = m.Value, m.User.Key
				continue
			}
			if n == limit {
				*next = core.EncodePageToken(filterToken(q.AfterValue, q.AfterKey))
				return nil
			}
			add(u)
			n++
			q.AfterValue, q.AfterKey = m.Value, m.User.Key
		}
		if len(found) < q.Limit {
			return nil
		}
	}
}

// filterToken encodes a position in a filtered listing: the value's
// length, a colon, the value and the user key.
func filterToken(value, key string) string { return strconv.Itoa(len(value)) + ":" + value + key }

func parseFilterToken(s string) (value, key string, ok bool) {
	n, rest, found := strings.Cut(s, ":")
	l, err := strconv.Atoi(n)
	if !found || err != nil || l < 0 || l > len(rest) {
		return "", "", false
	}
	return rest[:l], rest[l:], true
}
