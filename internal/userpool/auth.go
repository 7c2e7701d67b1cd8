package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
)

// checkSecretHash verifies SECRET_HASH for clients that have a secret.
func (s *Service) checkSecretHash(c *client, username, given string) error {
	secret := model.StringValue(c.cfg.ClientSecret)
	if secret == "" {
		return nil
	}
	id := model.StringValue(c.cfg.ClientId)
	if given == "" {
		return cognito.Errorf(cognito.NotAuthorized, "Client %s is configured for secret but secret was not received", id)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + id))
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	if subtle.ConstantTimeCompare([]byte(want), []byte(given)) != 1 {
		return cognito.Errorf(cognito.NotAuthorized, "Unable to verify secret hash for client %s", id)
	}
	return nil
}

func incorrectPassword() error {
	return cognito.New(cognito.NotAuthorized, "Incorrect username or password.")
}

// unknownUser is the error for a sign-in name that matches nobody: the
// client's PreventUserExistenceErrors decides whether it says so.
func unknownUser(c *client) error {
	if model.StringValue(c.cfg.PreventUserExistenceErrors) == "ENABLED" {
		return incorrectPassword()
	}
	return userNotFound()
}

// authRequest is an InitiateAuth or AdminInitiateAuth call.
type authRequest struct {
	admin          bool
	poolID         string // admin calls only
	clientID       string
	flow           string
	params         map[string]string
	clientMetadata map[string]string
}

// InitiateAuth starts a sign-in through an app client.
func (s *Service) InitiateAuth(ctx context.Context, in *model.InitiateAuthRequest) (*model.InitiateAuthResponse, error) {
	res, err := s.initiate(ctx, authRequest{
		clientID: model.StringValue(in.ClientId), flow: model.StringValue(in.AuthFlow),
		params: in.AuthParameters, clientMetadata: in.ClientMetadata,
	})
	if err != nil {
		return nil, err
	}
	return &model.InitiateAuthResponse{ChallengeName: res.ChallengeName, ChallengeParameters: res.ChallengeParameters,
		Session: res.Session, AuthenticationResult: res.AuthenticationResult}, nil
}

// AdminInitiateAuth starts a sign-in with administrator credentials.
func (s *Service) AdminInitiateAuth(ctx context.Context, in *model.AdminInitiateAuthRequest) (*model.AdminInitiateAuthResponse, error) {
	res, err := s.initiate(ctx, authRequest{
		admin: true, poolID: model.StringValue(in.UserPoolId), clientID: model.StringValue(in.ClientId),
		flow: model.StringValue(in.AuthFlow), params: in.AuthParameters, clientMetadata: in.ClientMetadata,
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminInitiateAuthResponse{ChallengeName: res.ChallengeName, ChallengeParameters: res.ChallengeParameters,
		Session: res.Session, AuthenticationResult: res.AuthenticationResult}, nil
}

// authResult is the common answer of the sign-in operations.
type authResult struct {
	ChallengeName        *string
	ChallengeParameters  map[string]string
	Session              *string
	AuthenticationResult *model.AuthenticationResultType
}

func (s *Service) loadAuthClient(ctx context.Context, poolID, clientID string) (*pool, *client, error) {
	var p *pool
	var c *client
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if poolID != "" {
			if p, err = s.loadPool(tx, poolID); err != nil {
				return err
			}
			c, err = s.loadClient(tx, poolID, clientID)
			return err
		}
		p, c, err = s.findClient(tx, clientID)
		return err
	})
	return p, c, err
}

func (s *Service) initiate(ctx context.Context, r authRequest) (*authResult, error) {
	p, c, err := s.loadAuthClient(ctx, r.poolID, r.clientID)
	if err != nil {
		return nil, err
	}
	if r.params == nil {
		r.params = map[string]string{}
	}
	flowNotEnabled := func() error {
		return cognito.Errorf(cognito.InvalidParameter, "%s flow not enabled for this client", r.flow)
	}
	switch r.flow {
	case "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		allow := "ALLOW_USER_PASSWORD_AUTH"
		if r.flow != "USER_PASSWORD_AUTH" {
			if !r.admin {
				return nil, cognito.Errorf(cognito.InvalidParameter, "Initiate Auth method not supported.")
			}
			allow = "ALLOW_ADMIN_USER_PASSWORD_AUTH"
		} else if r.admin {
			return nil, cognito.Errorf(cognito.InvalidParameter, "Initiate Auth method not supported.")
		}
		if !c.allowsFlow(allow) {
			return nil, flowNotEnabled()
		}
		return s.passwordAuth(ctx, p, c, r)
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		if !c.allowsFlow("ALLOW_REFRESH_TOKEN_AUTH") {
			return nil, flowNotEnabled()
		}
		res, err := s.refresh(ctx, p, c, r.params, r.clientMetadata)
		if err != nil {
			return nil, err
		}
		return &authResult{ChallengeParameters: map[string]string{}, AuthenticationResult: res}, nil
	case "USER_SRP_AUTH":
		if !c.allowsFlow("ALLOW_USER_SRP_AUTH") {
			return nil, flowNotEnabled()
		}
		return s.srpBegin(ctx, p, c, r)
	}
	return nil, cognito.Errorf(cognito.InvalidParameter, "Auth flow %s is not supported by Cognate.", r.flow)
}

func requireParam(params map[string]string, name string) (string, error) {
	v := params[name]
	if v == "" {
		return "", cognito.Errorf(cognito.InvalidParameter, "Missing required parameter %s", name)
	}
	return v, nil
}

// signInUser resolves the sign-in name of a request.
func (s *Service) signInUser(ctx context.Context, p *pool, c *client, name string) (*user, error) {
	var u *user
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		u, err = s.resolveUser(tx, p, name)
		return err
	})
	if cognito.IsCode(err, cognito.UserNotFound) {
		return nil, unknownUser(c)
	}
	return u, err
}

// dummyHash keeps a sign-in for an unknown user as slow as a real one.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZHVtbXloYXNoZHVtbXloYXNoZHVtbXloYXNoZHVtbXk"

func (s *Service) passwordAuth(ctx context.Context, p *pool, c *client, r authRequest) (*authResult, error) {
	name, err := requireParam(r.params, "USERNAME")
	if err != nil {
		return nil, err
	}
	password, err := requireParam(r.params, "PASSWORD")
	if err != nil {
		return nil, err
	}
	if err := s.checkSecretHash(c, name, r.params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	u, err := s.passwordSignInUser(ctx, p, c, r, name, password)
	if err != nil {
		if cognito.IsCode(err, cognito.NotAuthorized) || cognito.IsCode(err, cognito.UserNotFound) {
			s.verifyPassword(dummyHash, password)
		}
		return nil, err
	}
	if err := s.checkLockout(u); err != nil {
		return nil, err
	}
	if !s.verifyPassword(u.doc.PasswordHash, password) {
		return nil, s.passwordFailed(ctx, p, u)
	}
	if err := s.passwordSucceeded(ctx, p, u); err != nil {
		return nil, err
	}
	return s.afterPassword(ctx, p, c, u, tokenGen{clientMetadata: r.clientMetadata})
}

// afterPassword applies the user's state once the password is proven:
// disabled, unconfirmed, reset required, or a new-password challenge;
// otherwise it issues tokens.
func (s *Service) afterPassword(ctx context.Context, p *pool, c *client, u *user, gen tokenGen) (*authResult, error) {
	if !u.doc.Enabled {
		return nil, cognito.New(cognito.NotAuthorized, "User is disabled.")
	}
	switch u.doc.Status {
	case statusUnconfirmed:
		return nil, cognito.New(cognito.UserNotConfirmed, "User is not confirmed.")
	case statusResetRequired:
		return nil, cognito.New(cognito.PasswordResetRequired, "Password reset required for the user")
	case statusForceChangePassword:
		if !u.doc.TempPasswordExpires.IsZero() && !s.now().Before(u.doc.TempPasswordExpires) {
			return nil, cognito.New(cognito.NotAuthorized, "Temporary password has expired and must be reset by an administrator.")
		}
		return s.newPasswordChallenge(p, c, u)
	}
	if err := s.postAuthentication(ctx, p, c, u, gen.clientMetadata); err != nil {
		return nil, err
	}
	sess, err := s.newAuthSession()
	if err != nil {
		return nil, err
	}
	res, err := s.issueTokens(ctx, p, c, u, sess, true, gen)
	if err != nil {
		return nil, err
	}
	return &authResult{ChallengeParameters: map[string]string{}, AuthenticationResult: res}, nil
}

// challengeSession is the sealed state behind a Session value.
type challengeSession struct {
	Challenge string `json:"c"`
	PoolID    string `json:"p"`
	ClientID  string `json:"cl"`
	UserKey   string `json:"u"`
	Sub       string `json:"s"`
	Exp       int64  `json:"e"`
	// Password binds the session to the temporary password it was opened
	// with: a new one set by an administrator voids older sessions.
	Password string `json:"pw"`
}

// passwordTag identifies a stored password hash without revealing it.
func passwordTag(hash string) string {
	sum := sha256.Sum256([]byte(hash))
	return base64.RawStdEncoding.EncodeToString(sum[:12])
}

func (s *Service) sealSession(cs challengeSession) (string, error) {
	buf, err := json.Marshal(cs)
	if err != nil {
		return "", err
	}
	return s.sealer.Seal(buf, []byte("auth-session")), nil
}

func invalidSession() error {
	return cognito.New(cognito.NotAuthorized, "Invalid session for the user, session is expired.")
}

func (s *Service) openSession(raw string) (*challengeSession, error) {
	buf, err := s.sealer.Open(raw, []byte("auth-session"))
	if err != nil {
		return nil, invalidSession()
	}
	var cs challengeSession
	if err := json.Unmarshal(buf, &cs); err != nil {
		return nil, invalidSession()
	}
	if s.now().Unix() >= cs.Exp {
		return nil, invalidSession()
	}
	return &cs, nil
}

func (s *Service) newPasswordChallenge(p *pool, c *client, u *user) (*authResult, error) {
	minutes := int64(model.Int32Value(c.cfg.AuthSessionValidity))
	if minutes == 0 {
		minutes = 3
	}
	sess, err := s.sealSession(challengeSession{
		Challenge: "NEW_PASSWORD_REQUIRED", PoolID: p.id, ClientID: model.StringValue(c.cfg.ClientId),
		UserKey: u.rec.Key, Sub: u.rec.Sub, Exp: s.now().Add(time.Duration(minutes) * time.Minute).Unix(),
		Password: passwordTag(u.doc.PasswordHash),
	})
	if err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for k, v := range u.doc.Attributes {
		if k != "sub" && canRead(p, c, k) {
			attrs[k] = v
		}
	}
	ua, _ := json.Marshal(attrs)
	var required []string
	for _, a := range p.cfg.SchemaAttributes {
		n := model.StringValue(a.Name)
		if n != "sub" && model.BoolValue(a.Required) && u.doc.Attributes[n] == "" {
			required = append(required, "userAttributes."+n)
		}
	}
	if required == nil {
		required = []string{}
	}
	ra, _ := json.Marshal(required)
	return &authResult{
		ChallengeName: model.String("NEW_PASSWORD_REQUIRED"),
		ChallengeParameters: map[string]string{
			"USER_ID_FOR_SRP": u.rec.Username, "requiredAttributes": string(ra), "userAttributes": string(ua),
		},
		Session: model.String(sess),
	}, nil
}

func (s *Service) srpBegin(ctx context.Context, p *pool, c *client, r authRequest) (*authResult, error) {
	name, err := requireParam(r.params, "USERNAME")
	if err != nil {
		return nil, err
	}
	srpA, err := requireParam(r.params, "SRP_A")
	if err != nil {
		return nil, err
	}
	if err := s.checkSecretHash(c, name, r.params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	u, err := s.srpSignInUser(ctx, p, c, r, name)
	var v []byte
	switch {
	case err != nil && hidesUsers(c) && isUnknownUser(err):
		// A challenge like a real user's; the proof will fail.
		if u, v, err = s.phantomUser(p, name); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if v, err = s.srpVerifier(p, u); err != nil {
			return nil, err
		}
	}
	ch, err := s.srp.Begin(p.id, u.rec.Username, u.doc.SRPSalt, v, srpA)
	if errors.Is(err, srp.ErrInvalidA) {
		return nil, cognito.New(cognito.InvalidParameter, "Invalid SRP_A.")
	}
	if err != nil {
		return nil, err
	}
	return &authResult{
		ChallengeName: model.String("PASSWORD_VERIFIER"),
		ChallengeParameters: map[string]string{
			"SALT": ch.SaltHex, "SRP_B": ch.SrpBHex, "SECRET_BLOCK": ch.SecretBlock,
			"USERNAME": u.rec.Username, "USER_ID_FOR_SRP": u.rec.Username,
		},
	}, nil
}

// RespondToAuthChallenge answers a sign-in challenge.
func (s *Service) RespondToAuthChallenge(ctx context.Context, in *model.RespondToAuthChallengeRequest) (*model.RespondToAuthChallengeResponse, error) {
	res, err := s.respond(ctx, "", model.StringValue(in.ClientId), model.StringValue(in.ChallengeName),
		model.StringValue(in.Session), in.ChallengeResponses, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	return &model.RespondToAuthChallengeResponse{ChallengeName: res.ChallengeName, ChallengeParameters: res.ChallengeParameters,
		Session: res.Session, AuthenticationResult: res.AuthenticationResult}, nil
}

// AdminRespondToAuthChallenge answers a sign-in challenge as administrator.
func (s *Service) AdminRespondToAuthChallenge(ctx context.Context, in *model.AdminRespondToAuthChallengeRequest) (*model.AdminRespondToAuthChallengeResponse, error) {
	res, err := s.respond(ctx, model.StringValue(in.UserPoolId), model.StringValue(in.ClientId), model.StringValue(in.ChallengeName),
		model.StringValue(in.Session), in.ChallengeResponses, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	return &model.AdminRespondToAuthChallengeResponse{ChallengeName: res.ChallengeName, ChallengeParameters: res.ChallengeParameters,
		Session: res.Session, AuthenticationResult: res.AuthenticationResult}, nil
}

func (s *Service) respond(ctx context.Context, poolID, clientID, challenge, session string, resp, clientMetadata map[string]string) (*authResult, error) {
	p, c, err := s.loadAuthClient(ctx, poolID, clientID)
	if err != nil {
		return nil, err
	}
	if resp == nil {
		resp = map[string]string{}
	}
	switch challenge {
	case "PASSWORD_VERIFIER":
		return s.srpVerify(ctx, p, c, resp, clientMetadata)
	case "NEW_PASSWORD_REQUIRED":
		return s.newPassword(ctx, p, c, session, resp, clientMetadata)
	}
	return nil, cognito.Errorf(cognito.InvalidParameter, "Challenge %s is not supported by Cognate.", challenge)
}

func (s *Service) srpVerify(ctx context.Context, p *pool, c *client, resp, clientMetadata map[string]string) (*authResult, error) {
	if !c.allowsFlow("ALLOW_USER_SRP_AUTH") {
		return nil, cognito.New(cognito.InvalidParameter, "USER_SRP_AUTH flow not enabled for this client")
	}
	name, err := requireParam(resp, "USERNAME")
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"} {
		if _, err := requireParam(resp, k); err != nil {
			return nil, err
		}
	}
	if err := s.checkSecretHash(c, name, resp["SECRET_HASH"]); err != nil {
		return nil, err
	}
	u, err := s.signInUser(ctx, p, c, name)
	if err != nil {
		return nil, err
	}
	v, err := s.srpVerifier(p, u)
	if err != nil {
		return nil, incorrectPassword()
	}
	if err := s.checkLockout(u); err != nil {
		return nil, err
	}
	if err := s.srp.Verify(p.id, u.rec.Username, u.doc.SRPSalt, v, resp["PASSWORD_CLAIM_SECRET_BLOCK"],
		resp["TIMESTAMP"], resp["PASSWORD_CLAIM_SIGNATURE"]); err != nil {
		return nil, s.passwordFailed(ctx, p, u)
	}
	if err := s.passwordSucceeded(ctx, p, u); err != nil {
		return nil, err
	}
	return s.afterPassword(ctx, p, c, u, tokenGen{clientMetadata: clientMetadata})
}

// planChallengeAttrs plans the attributes a user sets while answering
// NEW_PASSWORD_REQUIRED with the same rules as UpdateUserAttributes: a new
// email or phone number is unverified and a self-set *_verified=true is
// ignored. No code is sent from the challenge (the user can ask for one with
// GetUserAttributeVerificationCode), so values that would be held pending
// are written unverified instead.
func (s *Service) planChallengeAttrs(p *pool, u *user, c *client, changes []attrChange) ([]attrChange, error) {
	plan, err := s.planAttributes(p, u, writer{client: c}, changes)
	if err != nil {
		return nil, err
	}
	out := plan.changes
	for _, o := range plan.sends {
		out = append(out, attrChange{o.attr, o.value}, attrChange{o.attr + "_verified", "false"})
	}
	for attr := range plan.pending {
		delete(u.doc.Pending, attr)
	}
	return out, nil
}

func (s *Service) newPassword(ctx context.Context, p *pool, c *client, session string, resp, clientMetadata map[string]string) (*authResult, error) {
	cs, err := s.openSession(session)
	if err != nil {
		return nil, err
	}
	if cs.Challenge != "NEW_PASSWORD_REQUIRED" || cs.PoolID != p.id || cs.ClientID != model.StringValue(c.cfg.ClientId) {
		return nil, invalidSession()
	}
	pw, err := requireParam(resp, "NEW_PASSWORD")
	if err != nil {
		return nil, err
	}
	if err := checkPolicy(p, pw); err != nil {
		return nil, err
	}
	var attrs []model.AttributeType
	for k, v := range resp {
		if name, ok := strings.CutPrefix(k, "userAttributes."); ok {
			attrs = append(attrs, model.AttributeType{Name: model.String(name), Value: model.String(v)})
		}
	}
	changes, err := checkAttributes(p, writer{client: c}, attrs, "", "userAttributes.", false)
	if err != nil {
		return nil, err
	}
	var username string
	err = s.store.View(ctx, func(tx store.Tx) error {
		rec, err := tx.GetUser(p.id, cs.UserKey)
		username = rec.Username
		return mapStoreErr(err, userNotFound())
	})
	if err != nil {
		return nil, err
	}
	pm, err := s.newPasswordMaterial(p, username, pw)
	if err != nil {
		return nil, err
	}
	var done *user
	err = s.store.Update(ctx, func(tx store.Tx) error {
		rec, err := tx.GetUser(p.id, cs.UserKey)
		if err != nil {
			return mapStoreErr(err, userNotFound())
		}
		if rec.Sub != cs.Sub {
			return userNotFound()
		}
		u, err := decodeUser(rec)
		if err != nil {
			return err
		}
		if u.doc.Status != statusForceChangePassword || cs.Password != passwordTag(u.doc.PasswordHash) {
			return invalidSession()
		}
		if !u.doc.Enabled {
			return cognito.New(cognito.NotAuthorized, "User is disabled.")
		}
		if name := resp["USERNAME"]; name != "" || model.StringValue(c.cfg.ClientSecret) != "" {
			if err := s.checkSecretHash(c, name, resp["SECRET_HASH"]); err != nil {
				return err
			}
		}
		before := p.aliasesOf(u)
		planned, err := s.planChallengeAttrs(p, u, c, changes)
		if err != nil {
			return err
		}
		applyAttrs(u, planned)
		if err := missingRequired(p, u.doc.Attributes, "", "userAttributes."); err != nil {
			return err
		}
		pm.apply(u)
		u.doc.Status = statusConfirmed
		u.doc.TempPasswordExpires = time.Time{}
		if err := s.syncAliases(tx, p, u, before, false); err != nil {
			return err
		}
		done = u
		return s.putUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return s.afterPassword(ctx, p, c, done, tokenGen{source: trigger.SourceTokenGenerationNewPasswordChallenge, clientMetadata: clientMetadata})
}
