package tokens

import (
	"context"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/token"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// IssueClientAccess signs the access token of the client_credentials
// grant: the app client is its own subject, so the token has no user
// claims and sub is the client ID. The claims and their order are those
// of Cognito's machine-to-machine tokens. It returns the token and its
// lifetime in seconds.
func (s *Service) IssueClientAccess(ctx context.Context, p *core.Pool, c *core.Client, scopes []string) (string, int64, error) {
	keys, err := s.poolKeys(ctx, p.Id)
	if err != nil {
		return "", 0, err
	}
	jti, err := s.NewUUID()
	if err != nil {
		return "", 0, err
	}
	now := s.Now().Unix()
	ttl := int64(c.Validity(c.Cfg.AccessTokenValidity, unitsOf(c).AccessToken) / time.Second)
	clientID := model.StringValue(c.Cfg.ClientId)
	raw, err := token.Sign(keys.access, keys.accessKid, []token.Claim{
		{Name: "sub", Value: clientID},
		{Name: "token_use", Value: "access"},
		{Name: "scope", Value: strings.Join(scopes, " ")},
		{Name: "auth_time", Value: now},
		{Name: "iss", Value: s.Issuer(p.Id)},
		{Name: "exp", Value: now + ttl},
		{Name: "iat", Value: now},
		{Name: "version", Value: 2},
		{Name: "jti", Value: jti},
		{Name: "client_id", Value: clientID},
	})
	return raw, ttl, err
}
