package tokens

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// rotates reports whether client c has refresh token rotation on.
func rotates(c *core.Client) bool {
	r := c.Cfg.RefreshTokenRotation
	return r != nil && model.StringValue(r.Feature) == "ENABLED"
}

// gracePeriod is how long a rotated-out refresh token stays usable.
func gracePeriod(c *core.Client) time.Duration {
	return time.Duration(model.Int32Value(c.Cfg.RefreshTokenRotation.RetryGracePeriodSeconds)) * time.Second
}

// Unconfirmed: the error texts of refresh token rotation.
func rotationNeedsGetTokens() error {
	return cognito.New(cognito.InvalidParameter, "Refresh token rotation is enabled for this client; refresh with GetTokensFromRefreshToken.")
}

func refreshReused() error {
	return cognito.New(cognito.RefreshTokenReuse, "Refresh Token has been rotated and is no longer valid.")
}

// checkClientSecret compares the ClientSecret of a request with the
// client's secrets, for clients that have any.
func checkClientSecret(c *core.Client, given string) error {
	if !c.HasSecret() {
		return nil
	}
	id := model.StringValue(c.Cfg.ClientId)
	if given == "" {
		return cognito.Errorf(cognito.NotAuthorized, "Client %s is configured for secret but secret was not received", id)
	}
	if !c.MatchesSecret(given) {
		return cognito.Errorf(cognito.NotAuthorized, "Unable to verify secret hash for client %s", id)
	}
	return nil
}

// GetTokensFromRefreshToken issues new ID and access tokens from a refresh
// token. With the client's refresh token rotation on, it also issues a new
// refresh token of the same session, and the presented one stops working
// RetryGracePeriodSeconds after its first rotation
// (RefreshTokenReuseException).
func (s *Service) GetTokensFromRefreshToken(ctx context.Context, in *model.GetTokensFromRefreshTokenRequest) (*model.GetTokensFromRefreshTokenResponse, error) {
	p, c, err := s.LoadAuthClient(ctx, "", model.StringValue(in.ClientId))
	if err != nil {
		return nil, err
	}
	if !c.AllowsFlow("ALLOW_REFRESH_TOKEN_AUTH") {
		return nil, cognito.New(cognito.InvalidParameter, "REFRESH_TOKEN_AUTH flow not enabled for this client")
	}
	u, pl, err := s.loadRefresh(ctx, p, c, model.StringValue(in.RefreshToken), model.StringValue(in.DeviceKey), func(*core.User) error {
		return checkClientSecret(c, model.StringValue(in.ClientSecret))
	})
	if err != nil {
		return nil, err
	}
	if rotates(c) {
		// A reuse past the grace period issues nothing, not even to the
		// PreTokenGeneration function.
		if err := s.Store.View(ctx, func(tx store.Tx) error { _, err := s.rotatable(tx, c, pl); return err }); err != nil {
			return nil, err
		}
	}
	gen := triggers.TokenGen{Source: trigger.SourceTokenGenerationRefreshTokens, ClientMetadata: in.ClientMetadata}
	res, err := s.IssueTokens(ctx, p, c, u, pl.authSession, false, gen)
	if err != nil {
		return nil, err
	}
	if rotates(c) {
		rec, sealed, err := s.mintRefreshToken(p, c, u, pl.authSession)
		if err != nil {
			return nil, err
		}
		// The rotation mark and the new token commit together; the check
		// runs again so that concurrent reuses cannot both pass it.
		err = s.Store.Update(ctx, func(tx store.Tx) error {
			old, err := s.rotatable(tx, c, pl)
			if err != nil {
				return err
			}
			var doc refreshRecord
			if len(old.Data) > 0 {
				if err := json.Unmarshal(old.Data, &doc); err != nil {
					return err
				}
			}
			if doc.Rotated == 0 {
				doc.Rotated = s.Now().UnixMilli()
				if old.Data, err = json.Marshal(doc); err != nil {
					return err
				}
				if err := tx.PutRefreshToken(old); err != nil {
					return err
				}
			}
			return tx.CreateRefreshToken(rec)
		})
		if err != nil {
			return nil, err
		}
		res.RefreshToken = model.String(sealed)
	}
	return &model.GetTokensFromRefreshTokenResponse{AuthenticationResult: res}, nil
}

// rotatable reads the record of a refresh token about to be rotated and
// fails when it was revoked, or rotated longer than the grace period ago.
func (s *Service) rotatable(tx store.Tx, c *core.Client, pl *refreshPayload) (store.RefreshToken, error) {
	rec, err := tx.GetRefreshToken(refreshID(pl.ID))
	if err != nil {
		return rec, core.MapStoreErr(err, invalidRefreshToken())
	}
	if rec.Revoked {
		return rec, refreshRevoked()
	}
	var doc refreshRecord
	if len(rec.Data) > 0 {
		if err := json.Unmarshal(rec.Data, &doc); err != nil {
			return rec, err
		}
	}
	if doc.Rotated != 0 && s.Now().Sub(time.UnixMilli(doc.Rotated)) >= gracePeriod(c) {
		return rec, refreshReused()
	}
	return rec, nil
}
