package userpool

import (
	"context"
	"crypto/rsa"
	"errors"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/token"
)

// AdminScope is the scope every API-issued access token carries and every
// token-authorised operation requires.
const AdminScope = "aws.cognito.signin.user.admin"

// caller is the verified subject of an access-token operation.
type caller struct {
	claims token.AccessClaims
	pool   *pool
	client *client
	user   *user
}

// authorize verifies an access token and loads its pool, app client and
// user. It is the one check every token-authorised operation goes through:
// signature and key, issuer, token_use, expiry, scope (verifyAccess), then
// revocation and the user's existence and state (loadCaller). Nothing is
// cached past the signature check, so revocation and user changes take
// effect at once.
func (s *Service) authorize(ctx context.Context, raw string) (*caller, error) {
	claims, poolID, err := s.verifyAccess(ctx, raw)
	if err != nil {
		return nil, err
	}
	l := &callerLoad{s: s, poolID: poolID, c: caller{claims: claims}}
	if err := s.store.View(ctx, l.load); err != nil {
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

// verifyAccess checks an access token on its own: signature and key,
// issuer, token_use, expiry and scope. It returns the claims and the pool.
func (s *Service) verifyAccess(ctx context.Context, raw string) (token.AccessClaims, string, error) {
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
	if s.now().Unix() >= claims.Exp {
		return claims, "", cognito.New(cognito.NotAuthorized, "Access Token has expired")
	}
	if !claims.HasScope(AdminScope) {
		return claims, "", cognito.New(cognito.NotAuthorized, "Access Token does not have required scopes")
	}
	return claims, kidPool, nil
}

// loadCaller reads the pool, app client and user of verified claims inside
// tx and applies revocation and the user's state.
func (s *Service) loadCaller(tx store.Tx, claims token.AccessClaims, poolID string) (*caller, error) {
	c := &caller{claims: claims}
	if err := s.fillCaller(tx, c, poolID); err != nil {
		return nil, err
	}
	return c, nil
}

// fillCaller is loadCaller for c, whose claims are set.
func (s *Service) fillCaller(tx store.Tx, c *caller, poolID string) error {
	var err error
	if c.pool, err = s.loadPool(tx, poolID); err != nil {
		return err
	}
	if c.client, err = s.loadClient(tx, poolID, c.claims.ClientID); err != nil {
		return err
	}
	if c.user, err = s.getUser(tx, c.pool, c.claims.Username); err != nil {
		return err
	}
	if err := checkTokenState(c.user, c.claims.Iat, c.claims.OriginJTI, "Access Token"); err != nil {
		return err
	}
	if c.user.rec.Sub != c.claims.Sub {
		// A user deleted and re-created under the same name is another user.
		return userNotFound()
	}
	return nil
}

// checkTokenState applies revocation and the user's state to a token
// issued at iat for the session originJTI. what is "Access Token" or
// "Refresh Token".
func checkTokenState(u *user, iat int64, originJTI, what string) error {
	if iat <= u.doc.RevokedBefore {
		return cognito.New(cognito.NotAuthorized, what+" has been revoked")
	}
	if _, ok := u.doc.RevokedOrigins[originJTI]; ok && originJTI != "" {
		return cognito.New(cognito.NotAuthorized, what+" has been revoked")
	}
	if !u.doc.Enabled {
		return cognito.New(cognito.NotAuthorized, "User is disabled.")
	}
	switch u.doc.Status {
	case statusUnconfirmed:
		return cognito.New(cognito.UserNotConfirmed, "User is not confirmed.")
	case statusResetRequired:
		return cognito.New(cognito.PasswordResetRequired, "Password reset required for the user")
	}
	return nil
}

// mapStoreErr turns storage errors that carry meaning into Cognito errors.
func mapStoreErr(err error, notFound error) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	return err
}
