package login

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// profileAttrs are the attributes of the profile scope.
var profileAttrs = []string{"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
	"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at", "address"}

// UserInfo answers the userInfo endpoint for an access token of pool
// poolID's domain that carries the openid scope: sub, the attributes the
// scopes cover that the token's client may read, and username. Values are
// strings, email_verified too, as Cognito answers.
// Unconfirmed: with profile, email or phone, only their attributes are
// given (openid alone gives every readable one), and the key order.
func (s *Service) UserInfo(ctx context.Context, poolID, accessToken string) (map[string]string, error) {
	if accessToken == "" {
		return nil, oauthErr(cognito.OAuthInvalidRequest)
	}
	caller, err := s.tokens.AuthorizeScope(ctx, accessToken, "openid")
	if err != nil {
		var ce *cognito.Error
		if errors.As(err, &ce) {
			return nil, &cognito.OAuthError{Code: cognito.OAuthInvalidToken, Description: ce.Message}
		}
		return nil, err
	}
	if caller.Pool.Id != poolID {
		return nil, &cognito.OAuthError{Code: cognito.OAuthInvalidToken, Description: "Access token is not for this user pool."}
	}
	scopes := strings.Fields(caller.Claims.Scope)
	has := func(s string) bool { return slices.Contains(scopes, s) }
	narrowed := has("profile") || has("email") || has("phone")
	covered := func(n string) bool {
		switch {
		case !narrowed:
			return true
		case n == "email" || n == "email_verified":
			return has("email")
		case n == "phone_number" || n == "phone_number_verified":
			return has("phone")
		}
		return has("profile") && (slices.Contains(profileAttrs, n) || strings.HasPrefix(n, "custom:"))
	}
	out := map[string]string{"sub": caller.User.Rec.Sub, "username": caller.User.Rec.Username}
	for k, v := range caller.User.Doc.Attributes {
		if k != "sub" && core.CanRead(caller.Pool, caller.Client, k) && covered(k) {
			out[k] = v
		}
	}
	return out, nil
}

// Revoke answers the revoke endpoint: RevokeToken for a refresh token of
// a client of pool poolID, authenticated as the token endpoint does.
func (s *Service) Revoke(ctx context.Context, poolID, clientID, secret, refreshToken string) error {
	if refreshToken == "" {
		return oauthErr(cognito.OAuthInvalidRequest)
	}
	if clientID == "" {
		return oauthErr(cognito.OAuthInvalidClient)
	}
	if _, _, err := s.tokenClient(ctx, cognito.TokenRequest{PoolID: poolID, ClientID: clientID, ClientSecret: secret}); err != nil {
		return err
	}
	_, err := s.tokens.RevokeToken(ctx, &model.RevokeTokenRequest{ClientId: model.String(clientID), ClientSecret: model.String(secret), Token: model.String(refreshToken)})
	var ce *cognito.Error
	if errors.As(err, &ce) {
		switch ce.Code {
		case cognito.UnsupportedTokenType:
			return oauthErr(cognito.OAuthUnsupportedTokenType)
		case cognito.UnsupportedOperation:
			// Unconfirmed: the code for a client without token revocation.
			return oauthErr(cognito.OAuthUnauthorizedClient)
		}
		return oauthErr(cognito.OAuthInvalidClient)
	}
	return err
}

// Logout checks a request to the logout endpoint of pool poolID. With
// logout_uri, which must be one of the client's sign-out URLs, it returns
// that URI. With redirect_uri and response_type instead, it returns the
// authorize parameters that send the user to sign in again; the redirect
// URI is then checked as the authorize endpoint does. Failures are
// *AuthorizeError values that are shown, never redirected.
func (s *Service) Logout(ctx context.Context, poolID string, q url.Values) (logoutURI string, signInAgain url.Values, err error) {
	clientID := q.Get("client_id")
	if clientID == "" {
		return "", nil, &AuthorizeError{Code: "invalid_request", Description: "Required parameter client_id is missing."}
	}
	var c *core.Client
	err = s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		c, err = s.LoadClient(tx, poolID, clientID)
		return err
	})
	if cognito.IsCode(err, cognito.ResourceNotFound) {
		return "", nil, &AuthorizeError{Code: "invalid_client", Description: "Client " + clientID + " does not exist in this user pool."}
	} else if err != nil {
		return "", nil, err
	}
	if lu := q.Get("logout_uri"); lu != "" {
		if !slices.Contains(c.Cfg.LogoutURLs, lu) {
			// Unconfirmed: Cognito's error page for an unregistered
			// logout_uri.
			return "", nil, &AuthorizeError{Code: "redirect_mismatch", Description: "The logout_uri is not one of the app client's sign-out URLs."}
		}
		return lu, nil, nil
	}
	if q.Get("redirect_uri") == "" || q.Get("response_type") == "" {
		return "", nil, &AuthorizeError{Code: "invalid_request", Description: "Either logout_uri, or redirect_uri and response_type, are required."}
	}
	again := url.Values{}
	for _, k := range Params {
		if q.Has(k) {
			again.Set(k, q.Get(k))
		}
	}
	if _, _, err := s.Authorize(ctx, poolID, again); err != nil {
		return "", nil, err
	}
	return "", again, nil
}
