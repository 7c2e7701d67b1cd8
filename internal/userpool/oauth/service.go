package oauth

import (
	"context"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/domains"
	"github.com/cognate-idp/cognate/internal/userpool/resourceservers"
	"github.com/cognate-idp/cognate/internal/userpool/tokens"
)

// Service implements the token endpoint.
type Service struct {
	*core.Env
	tokens *tokens.Service
}

// New returns a Service.
func New(env *core.Env, t *tokens.Service) *Service { return &Service{Env: env, tokens: t} }

func oauthErr(code string) error { return &cognito.OAuthError{Code: code} }

// DomainPool returns the pool whose token endpoint a request reaches: the
// pool of the prefix domain that host (a Host header, port allowed) names
// as <prefix>.auth.<anything>, or poolID itself when that pool has a
// domain. It returns "" when the request reaches no pool: Cognito serves
// the endpoint only on a pool's domain.
func (s *Service) DomainPool(ctx context.Context, host, poolID string) (string, error) {
	var found string
	err := s.Store.View(ctx, func(tx store.Tx) error {
		if poolID != "" {
			if _, err := s.LoadPool(tx, poolID); cognito.IsCode(err, cognito.ResourceNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			prefix, custom, err := domains.Of(tx, poolID)
			if err == nil && (prefix != "" || custom != "") {
				found = poolID
			}
			return err
		}
		prefix, ok := hostPrefix(host)
		if !ok {
			return nil
		}
		var err error
		found, err = domains.PoolOfPrefix(tx, prefix)
		return err
	})
	return found, err
}

// hostPrefix returns the prefix of a prefix-domain host name,
// "<prefix>.auth.<region>.amazoncognito.com" in AWS and anything of the
// form "<prefix>.auth.<rest>" here.
func hostPrefix(host string) (string, bool) {
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	prefix, rest, ok := strings.Cut(strings.ToLower(host), ".")
	if !ok || !strings.HasPrefix(rest, "auth.") || prefix == "" {
		return "", false
	}
	return prefix, true
}

// Token answers a client_credentials token request; the
// authorization_code and refresh_token grants are the login area's.
func (s *Service) Token(ctx context.Context, req cognito.TokenRequest) (*cognito.TokenResponse, error) {
	switch req.GrantType {
	case "":
		return nil, oauthErr(cognito.OAuthInvalidRequest)
	case "client_credentials":
	default:
		return nil, oauthErr(cognito.OAuthUnsupportedGrantType)
	}
	// Unconfirmed: Cognito's codes for a request without grant_type
	// (invalid_request, above) and without any client (invalid_client).
	if req.ClientID == "" {
		return nil, oauthErr(cognito.OAuthInvalidClient)
	}
	var (
		p      *core.Pool
		c      *core.Client
		scopes []string
	)
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if p, err = s.LoadPool(tx, req.PoolID); err != nil {
			return err
		}
		c, err = s.LoadClient(tx, p.Id, req.ClientID)
		if cognito.IsCode(err, cognito.ResourceNotFound) {
			return oauthErr(cognito.OAuthInvalidClient)
		} else if err != nil {
			return err
		}
		// A client with a secret must prove it; one without cannot use
		// this grant, which CreateUserPoolClient already refuses to set.
		if c.HasSecret() && !c.MatchesSecret(req.ClientSecret) || !c.HasSecret() && req.ClientSecret != "" {
			return oauthErr(cognito.OAuthInvalidClient)
		}
		if !model.BoolValue(c.Cfg.AllowedOAuthFlowsUserPoolClient) || !slices.Contains(c.Cfg.AllowedOAuthFlows, "client_credentials") {
			return oauthErr(cognito.OAuthUnauthorizedClient)
		}
		scopes, err = grantScopes(tx, p.Id, c, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	raw, ttl, err := s.tokens.IssueClientAccess(ctx, p, c, scopes)
	if err != nil {
		return nil, err
	}
	return &cognito.TokenResponse{AccessToken: raw, ExpiresIn: ttl, TokenType: "Bearer"}, nil
}

// grantScopes returns the scopes a client_credentials token carries: the
// ones asked for, each of which the client must be allowed and which must
// still exist in a resource server, or, when none are asked for, every
// custom scope the client is allowed that still exists.
// Unconfirmed: that a scope deleted from its resource server after the
// client was given it is refused (asked for) or left out (not asked for).
func grantScopes(tx store.Tx, poolID string, c *core.Client, req cognito.TokenRequest) ([]string, error) {
	asked := strings.Fields(req.Scope)
	explicit := len(asked) > 0
	if !explicit {
		asked = c.Cfg.AllowedOAuthScopes
	}
	var out []string
	for _, sc := range asked {
		if slices.Contains(out, sc) {
			continue
		}
		ok := slices.Contains(c.Cfg.AllowedOAuthScopes, sc)
		if ok {
			var err error
			if ok, err = resourceservers.HasScope(tx, poolID, sc); err != nil {
				return nil, err
			}
		}
		if ok {
			out = append(out, sc)
		} else if explicit {
			return nil, oauthErr(cognito.OAuthInvalidScope)
		}
	}
	if len(out) == 0 {
		return nil, oauthErr(cognito.OAuthInvalidScope)
	}
	return out, nil
}
