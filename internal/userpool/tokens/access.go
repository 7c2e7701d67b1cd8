package tokens

import (
	"context"
	"crypto/rsa"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/token"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// AdminScope is the scope every API-issued access token carries and every
// token-authorised operation requires.
const AdminScope = "aws.cognito.signin.user.admin"

// caller is the verified subject of an access-token operation.
type caller struct {
	Claims token.AccessClaims
	Pool   *core.Pool
	Client *core.Client
	User   *core.User
}

// Authorize verifies an access token and loads its pool, app client and
// user. It is the one check every token-authorised operation goes through:
// signature and key, issuer, token_use, expiry, scope (verifyAccess), then
// revocation and the user's existence and state (loadCaller). Nothing is
// cached past the signature check, so revocation and user changes take
// effect at once.
func (s *Service) Authorize(ctx context.Context, raw string) (*caller, error) {
	claims, poolID, err := s.VerifyAccess(ctx, raw)
	if err != nil {
		return nil, err
	}
	l := &callerLoad{s: s, poolID: poolID, c: caller{Claims: claims}}
	if err := s.Store.View(ctx, l.load); err != nil {
		return nil, err
	}
	return &l.c, nil
}

// callerLoad is authorize's View function with what it needs, in one
// allocation rather than a closure and the variables it captures.
type callerLoad struct {
	s      *Service
	poolID string
	c      caller
}

func (l *callerLoad) load(tx store.Tx) error { return l.s.fillCaller(tx, &l.c, l.poolID) }

// VerifyAccess checks an access token on its own: signature and key,
// issuer, token_use, expiry and scope. It returns the claims and the pool.
func (s *Service) VerifyAccess(ctx context.Context, raw string) (token.AccessClaims, string, error) {
	return s.verifyAccess(ctx, raw, AdminScope)
}

// AuthorizeScope is Authorize for a token that must carry scope instead
// of AdminScope: the userInfo endpoint's openid.
func (s *Service) AuthorizeScope(ctx context.Context, raw, scope string) (*caller, error) {
	claims, poolID, err := s.verifyAccess(ctx, raw, scope)
	if err != nil {
		return nil, err
	}
	l := &callerLoad{s: s, poolID: poolID, c: caller{Claims: claims}}
	if err := s.Store.View(ctx, l.load); err != nil {
		return nil, err
	}
	return &l.c, nil
}

func (s *Service) verifyAccess(ctx context.Context, raw, scope string) (token.AccessClaims, string, error) {
	lookup := s.keyLookup(ctx, raw)
	var usedKid string
	claims, err := s.verifier.VerifyAccess(raw, func(kid string) (*rsa.PublicKey, bool) {
		usedKid = kid
		return lookup(kid)
	})
	if err != nil {
		// A deleted pool takes its keys along, so its tokens can no longer
		// be verified; report the pool as Cognito does.
		if id := s.unverifiedPool(raw); id != "" {
			if perr := s.poolExists(ctx, id); cognito.IsCode(perr, cognito.ResourceNotFound) {
				return claims, "", perr
			}
		}
		return claims, "", invalidAccessToken()
	}
	// The key must be the access-token key of the pool named by the issuer.
	_, kidPool, ok := s.keys.lookup(usedKid)
	if !ok || !s.isIssuer(claims.Iss, kidPool) {
		return claims, "", invalidAccessToken()
	}
	if k, err := s.poolKeys(ctx, kidPool); err != nil || k.accessKid != usedKid {
		return claims, "", invalidAccessToken()
	}
	if claims.TokenUse != "access" {
		return claims, "", invalidAccessToken()
	}
	if s.Now().Unix() >= claims.Exp {
		return claims, "", cognito.New(cognito.NotAuthorized, "Access Token has expired")
	}
	if !claims.HasScope(scope) {
		return claims, "", cognito.New(cognito.NotAuthorized, "Access Token does not have required scopes")
	}
	return claims, kidPool, nil
}

// LoadCaller reads the pool, app client and user of verified claims inside
// tx and applies revocation and the user's state.
func (s *Service) LoadCaller(tx store.Tx, claims token.AccessClaims, poolID string) (*caller, error) {
	c := &caller{Claims: claims}
	if err := s.fillCaller(tx, c, poolID); err != nil {
		return nil, err
	}
	return c, nil
}

// fillCaller is loadCaller for c, whose claims are set.
func (s *Service) fillCaller(tx store.Tx, c *caller, poolID string) error {
	var err error
	if c.Pool, err = s.LoadPool(tx, poolID); err != nil {
		return err
	}
	if c.Client, err = s.LoadClient(tx, poolID, c.Claims.ClientID); err != nil {
		return err
	}
	if c.User, err = s.GetUser(tx, c.Pool, c.Claims.Username); err != nil {
		return err
	}
	if err := checkTokenState(c.User, c.Claims.Iat, c.Claims.OriginJTI, "Access Token"); err != nil {
		return err
	}
	if c.User.DeviceForgotten(c.Claims.DeviceKey) {
		// Forgetting a device revokes every token issued on it.
		return cognito.New(cognito.NotAuthorized, "Access Token has been revoked")
	}
	if c.User.Rec.Sub != c.Claims.Sub {
		// A user deleted and re-created under the same name is another user.
		return core.UserNotFound()
	}
	return nil
}

// checkTokenState applies revocation and the user's state to a token
// issued at iat for the session originJTI. what is "Access Token" or
// "Refresh Token".
func checkTokenState(u *core.User, iat int64, originJTI, what string) error {
	if iat <= u.Doc.RevokedBefore {
		return cognito.New(cognito.NotAuthorized, what+" has been revoked")
	}
	if _, ok := u.Doc.RevokedOrigins[originJTI]; ok && originJTI != "" {
		return cognito.New(cognito.NotAuthorized, what+" has been revoked")
	}
	if !u.Doc.Enabled {
		return cognito.New(cognito.NotAuthorized, "User is disabled.")
	}
	switch u.Doc.Status {
	case core.StatusUnconfirmed:
		return cognito.New(cognito.UserNotConfirmed, "User is not confirmed.")
	case core.StatusResetRequired:
		return cognito.New(cognito.PasswordResetRequired, "Password reset required for the user")
	}
	return nil
}
