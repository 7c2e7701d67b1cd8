package login

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// CodeKind is the store kind of authorization codes, kept in the pool
// (DeletePool removes them) under the SHA-256 of the code.
const CodeKind = "oauth-code"

// CodeTTL is how long an authorization code can be exchanged.
// Unconfirmed: Cognito's codes are documented as valid for five minutes.
const CodeTTL = 5 * time.Minute

// codeRecord is what an authorization code stands for.
type codeRecord struct {
	ClientID    string   `json:"client"`
	RedirectURI string   `json:"redirect_uri"`
	Challenge   string   `json:"challenge,omitempty"`
	Nonce       string   `json:"nonce,omitempty"`
	Scopes      []string `json:"scopes"`
	UserKey     string   `json:"user"`
	Sub         string   `json:"sub"`
	AuthTime    int64    `json:"auth_time"`
	Exp         int64    `json:"exp"`
}

func codeID(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

func oauthErr(code string) error { return &cognito.OAuthError{Code: code} }

// newCode stores an authorization code for r and user u.
func (s *Service) newCode(ctx context.Context, r *Request, u *core.User, authTime int64) (string, error) {
	// Unconfirmed: Cognito's codes look like UUIDs.
	code, err := s.NewUUID()
	if err != nil {
		return "", err
	}
	now := s.Now()
	data, err := json.Marshal(codeRecord{ClientID: r.ClientID, RedirectURI: r.RedirectURI, Challenge: r.Challenge, Nonce: r.Nonce,
		Scopes: r.Scopes, UserKey: u.Rec.Key, Sub: u.Rec.Sub, AuthTime: authTime, Exp: now.Add(CodeTTL).Unix()})
	if err != nil {
		return "", err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		return tx.CreateItem(store.Item{PoolID: r.PoolID, Kind: CodeKind, ID: codeID(code), Created: now.UTC(), Modified: now.UTC(), Data: data})
	})
	return code, err
}

// Token answers the token endpoint's authorization_code and refresh_token
// grants.
func (s *Service) Token(ctx context.Context, req cognito.TokenRequest) (*cognito.TokenResponse, error) {
	// Unconfirmed: invalid_client for a request naming no client.
	if req.ClientID == "" {
		return nil, oauthErr(cognito.OAuthInvalidClient)
	}
	p, c, err := s.tokenClient(ctx, req)
	if err != nil {
		return nil, err
	}
	switch req.GrantType {
	case "authorization_code":
		return s.exchange(ctx, p, c, req)
	case "refresh_token":
		return s.refresh(ctx, c, req)
	}
	return nil, oauthErr(cognito.OAuthUnsupportedGrantType)
}

// tokenClient loads and authenticates the client of a token request.
func (s *Service) tokenClient(ctx context.Context, req cognito.TokenRequest) (*core.Pool, *core.Client, error) {
	var p *core.Pool
	var c *core.Client
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if p, err = s.LoadPool(tx, req.PoolID); err != nil {
			return err
		}
		c, err = s.LoadClient(tx, p.Id, req.ClientID)
		if cognito.IsCode(err, cognito.ResourceNotFound) {
			return oauthErr(cognito.OAuthInvalidClient)
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if c.HasSecret() && !c.MatchesSecret(req.ClientSecret) || !c.HasSecret() && req.ClientSecret != "" {
		return nil, nil, oauthErr(cognito.OAuthInvalidClient)
	}
	return p, c, nil
}

// exchange redeems an authorization code, once: the code is deleted
// before anything else is checked, so a failed attempt spends it too.
func (s *Service) exchange(ctx context.Context, p *core.Pool, c *core.Client, req cognito.TokenRequest) (*cognito.TokenResponse, error) {
	if req.Code == "" || req.RedirectURI == "" {
		return nil, oauthErr(cognito.OAuthInvalidRequest)
	}
	if !model.BoolValue(c.Cfg.AllowedOAuthFlowsUserPoolClient) || !slices.Contains(c.Cfg.AllowedOAuthFlows, "code") {
		return nil, oauthErr(cognito.OAuthUnauthorizedClient)
	}
	var rec codeRecord
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		it, err := tx.GetItem(p.Id, CodeKind, codeID(req.Code))
		if errors.Is(err, store.ErrNotFound) {
			return oauthErr(cognito.OAuthInvalidGrant)
		} else if err != nil {
			return err
		}
		if err := json.Unmarshal(it.Data, &rec); err != nil {
			return err
		}
		return tx.DeleteItem(p.Id, CodeKind, it.ID)
	})
	if err != nil {
		return nil, err
	}
	if s.Now().Unix() >= rec.Exp || rec.ClientID != req.ClientID || rec.RedirectURI != req.RedirectURI || !pkceMatches(rec.Challenge, req.CodeVerifier) {
		return nil, oauthErr(cognito.OAuthInvalidGrant)
	}
	u, err := s.sessionUser(ctx, &Session{PoolID: p.Id, UserKey: rec.UserKey, Sub: rec.Sub, AuthTime: rec.AuthTime})
	if err != nil {
		return nil, oauthErr(cognito.OAuthInvalidGrant)
	}
	sess, err := s.tokens.NewOAuthSession(rec.AuthTime, rec.Scopes, rec.Nonce)
	if err != nil {
		return nil, err
	}
	res, err := s.tokens.IssueTokens(ctx, p, c, u, sess, true, triggers.TokenGen{Source: trigger.SourceTokenGenerationHostedAuth})
	if err != nil {
		return nil, err
	}
	return tokenResponse(res), nil
}

// pkceMatches checks a code verifier against the S256 challenge of the
// authorize request; a code issued without one needs no verifier.
// Unconfirmed: that a verifier sent for a code without a challenge is
// ignored.
func pkceMatches(challenge, verifier string) bool {
	if challenge == "" {
		return true
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return verifier != "" && subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// refresh serves the refresh_token grant with GetTokensFromRefreshToken's
// rules (rotation included); the refreshed access token keeps the scopes
// of the code it came from.
func (s *Service) refresh(ctx context.Context, c *core.Client, req cognito.TokenRequest) (*cognito.TokenResponse, error) {
	if req.RefreshToken == "" {
		return nil, oauthErr(cognito.OAuthInvalidRequest)
	}
	out, err := s.tokens.GetTokensFromRefreshToken(ctx, &model.GetTokensFromRefreshTokenRequest{
		ClientId: c.Cfg.ClientId, ClientSecret: model.String(req.ClientSecret), RefreshToken: model.String(req.RefreshToken),
	})
	if err != nil {
		var ce *cognito.Error
		if errors.As(err, &ce) {
			if ce.Code == cognito.InvalidParameter {
				// The client may not refresh (ALLOW_REFRESH_TOKEN_AUTH).
				return nil, oauthErr(cognito.OAuthUnauthorizedClient)
			}
			return nil, oauthErr(cognito.OAuthInvalidGrant)
		}
		return nil, err
	}
	return tokenResponse(out.AuthenticationResult), nil
}

func tokenResponse(res *model.AuthenticationResultType) *cognito.TokenResponse {
	return &cognito.TokenResponse{
		AccessToken: model.StringValue(res.AccessToken), IDToken: model.StringValue(res.IdToken),
		RefreshToken: model.StringValue(res.RefreshToken), ExpiresIn: int64(model.Int32Value(res.ExpiresIn)), TokenType: "Bearer",
	}
}
