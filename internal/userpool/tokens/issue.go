package tokens

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/token"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// authSession identifies one authentication: the tokens of a sign-in and
// every token refreshed from its refresh token share it.
type authSession struct {
	OriginJTI string `json:"origin_jti"`
	EventID   string `json:"event_id"`
	AuthTime  int64  `json:"auth_time"`
	// DeviceKey is the device the sign-in ran on, when the pool tracks
	// devices: its tokens carry it as device_key, refreshed ones too.
	DeviceKey string `json:"device_key,omitempty"`
	// Scopes are the OAuth scopes granted at a pool domain's authorize
	// endpoint; nil for sign-ins through the API, whose access tokens
	// carry AdminScope alone. Refreshed tokens keep them.
	Scopes []string `json:"scopes,omitempty"`
	// Nonce is the authorize request's nonce, which only the ID token of
	// the code exchange carries.
	Nonce string `json:"-"`
}

// NewOAuthSession starts the session of an authorization code: the
// sign-in happened at authTime (Unix seconds) on the hosted pages and
// granted scopes.
func (s *Service) NewOAuthSession(authTime int64, scopes []string, nonce string) (authSession, error) {
	sess, err := s.NewAuthSession()
	if err != nil {
		return sess, err
	}
	sess.AuthTime, sess.Scopes, sess.Nonce = authTime, scopes, nonce
	return sess, nil
}

// HasOpenID reports whether the session was granted the openid scope, or
// is an API sign-in, which always gets an ID token.
func (a authSession) HasOpenID() bool { return a.Scopes == nil || slices.Contains(a.Scopes, "openid") }

// OnDevice returns the session bound to the device key.
func (a authSession) OnDevice(key string) authSession {
	a.DeviceKey = key
	return a
}

// refreshRecord is the stored document of a refresh token: its session
// and, once rotation replaced it, when that happened (Unix seconds).
type refreshRecord struct {
	authSession
	Rotated int64 `json:"rotated,omitempty"`
}

// refreshPayload is what a refresh token carries, sealed.
type refreshPayload struct {
	ID       string `json:"id"`
	PoolID   string `json:"pool"`
	ClientID string `json:"client"`
	UserKey  string `json:"user"`
	Sub      string `json:"sub"`
	Iat      int64  `json:"iat"`
	Exp      int64  `json:"exp"`
	authSession
}

// NewAuthSession starts an authentication session now.
func (s *Service) NewAuthSession() (authSession, error) {
	jti, err := s.NewUUID()
	if err != nil {
		return authSession{}, err
	}
	ev, err := s.NewUUID()
	if err != nil {
		return authSession{}, err
	}
	return authSession{OriginJTI: jti, EventID: ev, AuthTime: s.Now().Unix()}, nil
}

// IssueTokens signs an ID and access token for u, and a refresh token
// when withRefresh.
func (s *Service) IssueTokens(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, sess authSession, withRefresh bool, gen triggers.TokenGen) (*model.AuthenticationResultType, error) {
	keys, err := s.poolKeys(ctx, p.Id)
	if err != nil {
		return nil, err
	}
	now := s.issueTime(u)
	iat := now.Unix()
	accessTTL := c.Validity(c.Cfg.AccessTokenValidity, unitsOf(c).AccessToken)
	idTTL := c.Validity(c.Cfg.IdTokenValidity, unitsOf(c).IdToken)
	iss := s.Issuer(p.Id)
	clientID := model.StringValue(c.Cfg.ClientId)
	revocable := c.Cfg.EnableTokenRevocation == nil || *c.Cfg.EnableTokenRevocation
	accessJTI, err := s.NewUUID()
	if err != nil {
		return nil, err
	}
	idJTI, err := s.NewUUID()
	if err != nil {
		return nil, err
	}
	var groups core.GroupClaims
	if err := s.Store.View(ctx, func(tx store.Tx) (err error) {
		groups, err = core.UserGroupClaims(tx, p.Id, u.Rec.Key)
		return err
	}); err != nil {
		return nil, err
	}
	access := withGroupClaims([]token.Claim{{Name: "sub", Value: u.Rec.Sub}}, groups, false)
	if sess.DeviceKey != "" {
		access = append(access, token.Claim{Name: "device_key", Value: sess.DeviceKey})
	}
	access = append(access,
		token.Claim{Name: "iss", Value: iss},
		token.Claim{Name: "client_id", Value: clientID},
	)
	if revocable {
		access = append(access, token.Claim{Name: "origin_jti", Value: sess.OriginJTI})
	}
	access = append(access,
		token.Claim{Name: "event_id", Value: sess.EventID},
		token.Claim{Name: "token_use", Value: "access"},
		token.Claim{Name: "scope", Value: sess.scopeClaim()},
		token.Claim{Name: "auth_time", Value: sess.AuthTime},
		token.Claim{Name: "exp", Value: iat + int64(accessTTL/time.Second)},
		token.Claim{Name: "iat", Value: iat},
	)
	if revocable {
		access = append(access, token.Claim{Name: "jti", Value: accessJTI})
	}
	access = append(access, token.Claim{Name: "username", Value: u.Rec.Username})
	var idClaims []token.Claim
	if sess.Scopes != nil {
		// at_hash binds the ID token to its access token, which is signed
		// first below. Unconfirmed: its place, first, as in samples.
		idClaims = append(idClaims, token.Claim{Name: "at_hash", Value: ""})
	}
	idClaims = append(idClaims, token.Claim{Name: "sub", Value: u.Rec.Sub})
	idClaims = withGroupClaims(idClaims, groups, true)
	attrs := u.AttributeList(func(n string) bool { return core.CanRead(p, c, n) })
	for _, a := range attrs {
		if n := model.StringValue(a.Name); core.IsVerifiedFlag(n) {
			idClaims = append(idClaims, token.Claim{Name: n, Value: model.StringValue(a.Value) == "true"})
		}
	}
	idClaims = append(idClaims,
		token.Claim{Name: "iss", Value: iss},
		token.Claim{Name: "cognito:username", Value: u.Rec.Username},
	)
	if sess.Nonce != "" {
		// Unconfirmed: the nonce claim's place among the others.
		idClaims = append(idClaims, token.Claim{Name: "nonce", Value: sess.Nonce})
	}
	if revocable {
		idClaims = append(idClaims, token.Claim{Name: "origin_jti", Value: sess.OriginJTI})
	}
	idClaims = append(idClaims,
		token.Claim{Name: "aud", Value: clientID},
		token.Claim{Name: "event_id", Value: sess.EventID},
		token.Claim{Name: "token_use", Value: "id"},
		token.Claim{Name: "auth_time", Value: sess.AuthTime},
		token.Claim{Name: "exp", Value: iat + int64(idTTL/time.Second)},
		token.Claim{Name: "iat", Value: iat},
	)
	if revocable {
		idClaims = append(idClaims, token.Claim{Name: "jti", Value: idJTI})
	}
	for _, a := range attrs {
		n := model.StringValue(a.Name)
		if n == "sub" || core.IsVerifiedFlag(n) {
			continue
		}
		if n == "identities" {
			idClaims = append(idClaims, token.Claim{Name: n, Value: identitiesClaim(model.StringValue(a.Value))})
			continue
		}
		idClaims = append(idClaims, token.Claim{Name: n, Value: model.StringValue(a.Value)})
	}
	if access, idClaims, err = s.triggers.PreTokenGeneration(ctx, p, c, u, gen, groups, access, idClaims); err != nil {
		return nil, err
	}
	accessToken, err := token.Sign(keys.access, keys.accessKid, access)
	if err != nil {
		return nil, err
	}
	res := &model.AuthenticationResultType{
		AccessToken: model.String(accessToken),
		ExpiresIn:   model.Int32(int32(accessTTL / time.Second)),
		TokenType:   model.String("Bearer"),
	}
	if sess.HasOpenID() {
		for i := range idClaims {
			if idClaims[i].Name == "at_hash" {
				idClaims[i].Value = atHash(accessToken)
			}
		}
		idToken, err := token.Sign(keys.id, keys.idKid, idClaims)
		if err != nil {
			return nil, err
		}
		res.IdToken = model.String(idToken)
	}
	if withRefresh {
		rt, err := s.newRefreshToken(ctx, p, c, u, sess)
		if err != nil {
			return nil, err
		}
		res.RefreshToken = model.String(rt)
	}
	return res, nil
}

func (a authSession) scopeClaim() string {
	if a.Scopes == nil {
		return AdminScope
	}
	return strings.Join(a.Scopes, " ")
}

// atHash is the OpenID Connect at_hash of an RS256-signed access token:
// the left half of its SHA-256, base64url without padding.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// withGroupClaims appends the group claims after sub, where Cognito puts
// them: cognito:groups in both tokens, the roles in the ID token only.
// A user in no group gets none of them.
func withGroupClaims(claims []token.Claim, g core.GroupClaims, idToken bool) []token.Claim {
	if len(g.Groups) > 0 {
		claims = append(claims, token.Claim{Name: "cognito:groups", Value: g.Groups})
	}
	if !idToken {
		return claims
	}
	if len(g.Roles) > 0 {
		claims = append(claims, token.Claim{Name: "cognito:roles", Value: g.Roles})
	}
	if g.Preferred != nil {
		claims = append(claims, token.Claim{Name: "cognito:preferred_role", Value: *g.Preferred})
	}
	return claims
}

// issueTime is the issue time of new tokens for u: now, or just after the
// user's last global sign-out when that fell in this very second. Tokens
// carry whole seconds, so a sign-in right after a sign-out would otherwise
// be revoked by it.
func (s *Service) issueTime(u *core.User) time.Time {
	now := s.Now()
	if rb := u.Doc.RevokedBefore; now.Unix() <= rb {
		return time.Unix(rb+1, 0)
	}
	return now
}

// RevocationTime is the RevokedBefore value for a sign-out now: tokens
// issued after an earlier sign-out in the same second carry iat one second
// ahead (issueTime), so the new value must cover them too.
func (s *Service) RevocationTime(u *core.User) int64 {
	return max(s.Now().Unix(), u.Doc.RevokedBefore+1)
}

func unitsOf(c *core.Client) *model.TokenValidityUnitsType {
	if c.Cfg.TokenValidityUnits != nil {
		return c.Cfg.TokenValidityUnits
	}
	return &model.TokenValidityUnitsType{}
}

// refreshID hashes a refresh token's identifier for storage.
func refreshID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// newRefreshToken records and seals a refresh token.
func (s *Service) newRefreshToken(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, sess authSession) (string, error) {
	rec, sealed, err := s.mintRefreshToken(p, c, u, sess)
	if err != nil {
		return "", err
	}
	if err := s.Store.Update(ctx, func(tx store.Tx) error { return tx.CreateRefreshToken(rec) }); err != nil {
		return "", err
	}
	return sealed, nil
}

// mintRefreshToken makes a refresh token for the session sess: the record
// to store and the sealed token to hand out.
func (s *Service) mintRefreshToken(p *core.Pool, c *core.Client, u *core.User, sess authSession) (store.RefreshToken, string, error) {
	id, err := s.RandomToken(32)
	if err != nil {
		return store.RefreshToken{}, "", err
	}
	now := s.issueTime(u)
	ttl := c.Validity(c.Cfg.RefreshTokenValidity, unitsOf(c).RefreshToken)
	pl := refreshPayload{
		ID: id, PoolID: p.Id, ClientID: model.StringValue(c.Cfg.ClientId), UserKey: u.Rec.Key, Sub: u.Rec.Sub,
		Iat: now.Unix(), Exp: now.Add(ttl).Unix(), authSession: sess,
	}
	buf, err := json.Marshal(pl)
	if err != nil {
		return store.RefreshToken{}, "", err
	}
	rec := store.RefreshToken{
		ID: refreshID(id), PoolID: p.Id, ClientID: pl.ClientID, UserKey: u.Rec.Key,
		Created: now.UTC(), Expires: now.Add(ttl).UTC(),
	}
	if rec.Data, err = json.Marshal(refreshRecord{authSession: sess}); err != nil {
		return store.RefreshToken{}, "", err
	}
	return rec, s.Sealer.SealJWE(buf), nil
}

func invalidRefreshToken() error { return cognito.New(cognito.NotAuthorized, "Invalid Refresh Token") }

// openRefreshToken decodes a refresh token and checks it against its
// record, the client and the user.
func (s *Service) openRefreshToken(tx store.Tx, raw string) (*refreshPayload, store.RefreshToken, error) {
	buf, err := s.Sealer.OpenJWE(strings.TrimSpace(raw))
	if err != nil {
		return nil, store.RefreshToken{}, invalidRefreshToken()
	}
	var pl refreshPayload
	if err := json.Unmarshal(buf, &pl); err != nil {
		return nil, store.RefreshToken{}, invalidRefreshToken()
	}
	rec, err := tx.GetRefreshToken(refreshID(pl.ID))
	if err != nil {
		if core.IsNotFound(err) {
			// The record goes with its user: a sealed token whose user is
			// gone names a deleted user, as Cognito reports.
			if u, uerr := tx.GetUser(pl.PoolID, pl.UserKey); core.IsNotFound(uerr) || (uerr == nil && u.Sub != pl.Sub) {
				return &pl, rec, core.UserNotFound()
			}
			return nil, rec, invalidRefreshToken()
		}
		return nil, rec, err
	}
	return &pl, rec, nil
}

// Refresh serves REFRESH_TOKEN_AUTH: new ID and access tokens for the same
// authentication session. A client with refresh token rotation refreshes
// only through GetTokensFromRefreshToken, so that every refresh rotates.
func (s *Service) Refresh(ctx context.Context, p *core.Pool, c *core.Client, params, clientMetadata map[string]string) (*model.AuthenticationResultType, error) {
	raw := params["REFRESH_TOKEN"]
	if raw == "" {
		return nil, cognito.New(cognito.InvalidParameter, "Missing required parameter REFRESH_TOKEN")
	}
	if rotates(c) {
		return nil, rotationNeedsGetTokens()
	}
	u, pl, err := s.loadRefresh(ctx, p, c, raw, params["DEVICE_KEY"], func(u *core.User) error {
		return s.CheckSecretHash(c, u.Rec.Username, params["SECRET_HASH"])
	})
	if err != nil {
		return nil, err
	}
	return s.IssueTokens(ctx, p, c, u, pl.authSession, false, triggers.TokenGen{Source: trigger.SourceTokenGenerationRefreshTokens, ClientMetadata: clientMetadata})
}

// loadRefresh checks a refresh token presented to client c of pool p and
// returns its user and payload; checkSecret verifies the client's secret
// once the user is known. A token issued on a device the user confirmed
// needs that device's key, and one of a forgotten device is revoked.
func (s *Service) loadRefresh(ctx context.Context, p *core.Pool, c *core.Client, raw, deviceKey string, checkSecret func(*core.User) error) (*core.User, *refreshPayload, error) {
	var u *core.User
	var pl *refreshPayload
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var rec store.RefreshToken
		var err error
		pl, rec, err = s.openRefreshToken(tx, raw)
		if err != nil {
			return err
		}
		if pl.PoolID != p.Id || pl.ClientID != model.StringValue(c.Cfg.ClientId) {
			return invalidRefreshToken()
		}
		if rec.Revoked {
			return refreshRevoked()
		}
		if !s.Now().Before(rec.Expires) {
			return cognito.New(cognito.NotAuthorized, "Refresh Token has expired")
		}
		rusr, err := tx.GetUser(p.Id, pl.UserKey)
		if err != nil {
			return core.MapStoreErr(err, core.UserNotFound())
		}
		if rusr.Sub != pl.Sub {
			return core.UserNotFound()
		}
		u, err = core.DecodeUser(rusr)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if err := checkSecret(u); err != nil {
		return nil, nil, err
	}
	if !u.Doc.Enabled {
		// Disabling also revokes, but a refresh reports the cause.
		return nil, nil, cognito.New(cognito.NotAuthorized, "User is disabled.")
	}
	if err := checkTokenState(u, pl.Iat, pl.OriginJTI, "Refresh Token"); err != nil {
		return nil, nil, err
	}
	if u.DeviceForgotten(pl.DeviceKey) {
		return nil, nil, refreshRevoked()
	}
	if u.Device(pl.DeviceKey) != nil && deviceKey != pl.DeviceKey {
		// Unconfirmed: Cognito's answer to a device-bound refresh token
		// presented without its DEVICE_KEY.
		return nil, nil, invalidRefreshToken()
	}
	return u, pl, nil
}

func refreshRevoked() error {
	return cognito.New(cognito.NotAuthorized, "Refresh Token has been revoked")
}

// RevokeToken revokes a refresh token and the tokens issued from it.
func (s *Service) RevokeToken(ctx context.Context, in *model.RevokeTokenRequest) (*model.RevokeTokenResponse, error) {
	raw := model.StringValue(in.Token)
	if strings.Count(raw, ".") == 2 {
		return nil, cognito.New(cognito.UnsupportedTokenType, "Unsupported token type.")
	}
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		_, c, err := s.FindClient(tx, model.StringValue(in.ClientId))
		if err != nil {
			return err
		}
		if c.Cfg.EnableTokenRevocation != nil && !*c.Cfg.EnableTokenRevocation {
			return cognito.New(cognito.UnsupportedOperation, "Token revocation is not enabled for this client.")
		}
		if c.HasSecret() && !c.MatchesSecret(model.StringValue(in.ClientSecret)) {
			return cognito.New(cognito.Unauthorized, "Invalid client credentials.")
		}
		pl, rec, err := s.openRefreshToken(tx, raw)
		if err != nil {
			// Unknown or malformed tokens, and tokens of deleted users, are
			// accepted silently.
			if cognito.IsCode(err, cognito.NotAuthorized) || cognito.IsCode(err, cognito.UserNotFound) {
				return nil
			}
			return err
		}
		if pl.ClientID != model.StringValue(c.Cfg.ClientId) {
			return cognito.New(cognito.Unauthorized, "Invalid client credentials.")
		}
		rec.Revoked = true
		if err := tx.PutRefreshToken(rec); err != nil {
			return err
		}
		urec, err := tx.GetUser(rec.PoolID, rec.UserKey)
		if core.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		u, err := core.DecodeUser(urec)
		if err != nil {
			return err
		}
		if u.Doc.RevokedOrigins == nil {
			u.Doc.RevokedOrigins = map[string]int64{}
		}
		now := s.Now().Unix()
		for jti, until := range u.Doc.RevokedOrigins {
			if until < now {
				delete(u.Doc.RevokedOrigins, jti)
			}
		}
		// Access and ID tokens live at most a day; with rotation, the
		// session's newest refresh token lives at most one validity.
		until := now + 24*3600
		if rotates(c) {
			until = max(until, now+int64(c.Validity(c.Cfg.RefreshTokenValidity, unitsOf(c).RefreshToken)/time.Second))
		}
		u.Doc.RevokedOrigins[pl.OriginJTI] = until
		return s.PutUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.RevokeTokenResponse{}, nil
}
