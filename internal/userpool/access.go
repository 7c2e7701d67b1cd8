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
// signature and key, issuer, token_use, expiry, scope, revocation, then the
// user's existence and state. Nothing is cached past the signature check,
// so revocation and user changes take effect at once.
func (s *Service) authorize(ctx context.Context, raw string) (*caller, error) {
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
				return nil, perr
			}
		}
		return nil, invalidAccessToken()
	}
	// The key must be the access-token key of the pool named by the issuer.
	_, kidPool, ok := s.keys.lookup(usedKid)
	if !ok || claims.Iss != s.Issuer(kidPool) {
		return nil, invalidAccessToken()
	}
	if k, err := s.poolKeys(ctx, kidPool); err != nil || k.accessKid != usedKid {
		return nil, invalidAccessToken()
	}
	if claims.TokenUse != "access" {
		return nil, invalidAccessToken()
	}
	if s.now().Unix() >= claims.Exp {
		return nil, cognito.New(cognito.NotAuthorized, "Access Token has expired")
	}
	if !claims.HasScope(AdminScope) {
		return nil, cognito.New(cognito.NotAuthorized, "Access Token does not have required scopes")
	}
	c := &caller{claims: claims}
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if c.pool, err = s.loadPool(tx, kidPool); err != nil {
			return err
		}
		if c.client, err = s.loadClient(tx, kidPool, claims.ClientID); err != nil {
			return err
		}
		c.user, err = s.getUser(tx, c.pool, claims.Username)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := checkTokenState(c.user, claims.Iat, claims.OriginJTI, "Access Token"); err != nil {
		return nil, err
	}
	if c.user.rec.Sub != claims.Sub {
		// A user deleted and re-created under the same name is another user.
		return nil, userNotFound()
	}
	return c, nil
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
