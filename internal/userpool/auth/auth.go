package auth

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/delivery"
	"github.com/cognate-idp/cognate/internal/userpool/devices"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

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
		Session: res.Session, AuthenticationResult: res.AuthenticationResult, AvailableChallenges: res.AvailableChallenges}, nil
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
		Session: res.Session, AuthenticationResult: res.AuthenticationResult, AvailableChallenges: res.AvailableChallenges}, nil
}

// authResult is the common answer of the sign-in operations.
type authResult struct {
	ChallengeName        *string
	ChallengeParameters  map[string]string
	Session              *string
	AuthenticationResult *model.AuthenticationResultType
	AvailableChallenges  []string
	// User is the signed-in user of a hosted sign-in, which ends without
	// tokens.
	User *core.User
}

func (s *Service) initiate(ctx context.Context, r authRequest) (*authResult, error) {
	p, c, err := s.LoadAuthClient(ctx, r.poolID, r.clientID)
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
		if !c.AllowsFlow(allow) {
			return nil, flowNotEnabled()
		}
		return s.passwordAuth(ctx, p, c, r)
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		if !c.AllowsFlow("ALLOW_REFRESH_TOKEN_AUTH") {
			return nil, flowNotEnabled()
		}
		res, err := s.tokens.Refresh(ctx, p, c, r.params, r.clientMetadata)
		if err != nil {
			return nil, err
		}
		return &authResult{ChallengeParameters: map[string]string{}, AuthenticationResult: res}, nil
	case "USER_SRP_AUTH":
		if !c.AllowsFlow("ALLOW_USER_SRP_AUTH") {
			return nil, flowNotEnabled()
		}
		return s.srpBegin(ctx, p, c, r)
	case "CUSTOM_AUTH":
		if !c.AllowsFlow("ALLOW_CUSTOM_AUTH") {
			return nil, flowNotEnabled()
		}
		if triggers.LambdaFn(p, trigger.TriggerDefineAuthChallenge) == "" {
			return nil, cognito.New(cognito.InvalidParameter, "Custom auth lambda trigger is not configured for the user pool.")
		}
		return s.customBegin(ctx, p, c, r)
	case "USER_AUTH":
		if !c.AllowsFlow("ALLOW_USER_AUTH") {
			return nil, flowNotEnabled()
		}
		return s.userAuthBegin(ctx, p, c, r)
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
func (s *Service) signInUser(ctx context.Context, p *core.Pool, c *core.Client, name string) (*core.User, error) {
	var u *core.User
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		u, err = s.ResolveUser(tx, p, name)
		return err
	})
	if cognito.IsCode(err, cognito.UserNotFound) {
		return nil, core.UnknownUser(c)
	}
	return u, err
}

func (s *Service) passwordAuth(ctx context.Context, p *core.Pool, c *core.Client, r authRequest) (*authResult, error) {
	name, err := requireParam(r.params, "USERNAME")
	if err != nil {
		return nil, err
	}
	password, err := requireParam(r.params, "PASSWORD")
	if err != nil {
		return nil, err
	}
	if err := s.CheckSecretHash(c, name, r.params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	return s.passwordSignIn(ctx, p, c, r, name, password)
}

// passwordSignIn checks a user's password, with the lockout, migration
// and triggers of every password sign-in, and goes on to the next step.
func (s *Service) passwordSignIn(ctx context.Context, p *core.Pool, c *core.Client, r authRequest, name, password string) (*authResult, error) {
	u, err := s.passwordSignInUser(ctx, p, c, r, name, password)
	if err != nil {
		if cognito.IsCode(err, cognito.NotAuthorized) || cognito.IsCode(err, cognito.UserNotFound) {
			s.passwords.VerifyPassword(passwords.DummyHash, password)
		}
		return nil, err
	}
	if err := s.passwords.CheckLockout(u); err != nil {
		return nil, err
	}
	if u.Doc.PasswordHash == "" && u.Doc.Status == core.StatusResetRequired {
		// An imported user has no password to check: they must reset it.
		s.passwords.VerifyPassword(passwords.DummyHash, password)
		return nil, cognito.New(cognito.PasswordResetRequired, "Password reset required for the user")
	}
	if !s.passwords.VerifyPassword(u.Doc.PasswordHash, password) {
		return nil, s.passwords.PasswordFailed(ctx, p, u)
	}
	return s.afterPassword(ctx, p, c, u, r.params["DEVICE_KEY"], triggers.TokenGen{ClientMetadata: r.clientMetadata})
}

// afterPassword applies the user's state once the password is proven:
// disabled, unconfirmed, reset required, a new-password challenge, device
// authentication for a remembered device, or a second factor; otherwise it
// issues tokens. device is the DEVICE_KEY the client sent, if any.
func (s *Service) afterPassword(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, device string, gen triggers.TokenGen) (*authResult, error) {
	if !u.Doc.Enabled {
		return nil, cognito.New(cognito.NotAuthorized, "User is disabled.")
	}
	switch u.Doc.Status {
	case core.StatusUnconfirmed:
		return nil, cognito.New(cognito.UserNotConfirmed, "User is not confirmed.")
	case core.StatusResetRequired:
		return nil, cognito.New(cognito.PasswordResetRequired, "Password reset required for the user")
	case core.StatusForceChangePassword:
		if !u.Doc.TempPasswordExpires.IsZero() && !s.Now().Before(u.Doc.TempPasswordExpires) {
			return nil, cognito.New(cognito.NotAuthorized, "Temporary password has expired and must be reset by an administrator.")
		}
		if err := s.recordSignIn(ctx, p, u, "InProgress"); err != nil {
			return nil, err
		}
		return s.newPasswordChallenge(ctx, p, c, u, device)
	}
	if !p.TracksDevices() {
		device = ""
	}
	if device != "" {
		d := u.Device(device)
		if d == nil {
			return nil, devices.NotFound()
		}
		if d.Remember {
			return s.challenge(ctx, p, c, u, device, "DEVICE_SRP_AUTH", map[string]string{})
		}
	}
	res, err := s.secondFactor(ctx, p, c, u, device, gen.ClientMetadata)
	if err != nil || res != nil {
		return res, err
	}
	return s.finishSignIn(ctx, p, c, u, device, gen)
}

// finishSignIn ends a sign-in that has passed every factor: the failure
// count is cleared, PostAuthentication runs and tokens are issued.
func (s *Service) finishSignIn(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, device string, gen triggers.TokenGen) (*authResult, error) {
	if err := s.passwords.PasswordSucceeded(ctx, p, u); err != nil {
		return nil, err
	}
	// A sign-in that hands out a new device key is on a new device.
	if err := s.triggers.PostAuthentication(ctx, p, c, u, p.TracksDevices() && device == "", gen.ClientMetadata); err != nil {
		return nil, err
	}
	if err := s.recordSignIn(ctx, p, u, "Pass"); err != nil {
		return nil, err
	}
	if isHosted(ctx) {
		// The hosted pages hand out a code; tokens come from the token
		// endpoint. Unconfirmed: that managed login tracks no devices.
		return &authResult{User: u}, nil
	}
	sess, err := s.tokens.NewAuthSession()
	if err != nil {
		return nil, err
	}
	// In a pool that tracks devices the tokens name the device: the known
	// one the client signed in on, or a new one it may confirm.
	var newDevice *model.NewDeviceMetadataType
	switch {
	case device != "":
		if err := s.touchDevice(ctx, p, u, device); err != nil {
			return nil, err
		}
		sess = sess.OnDevice(device)
	case p.TracksDevices():
		if newDevice, err = s.devices.NewDevice(p, u); err != nil {
			return nil, err
		}
		sess = sess.OnDevice(model.StringValue(newDevice.DeviceKey))
	}
	res, err := s.tokens.IssueTokens(ctx, p, c, u, sess, true, gen)
	if err != nil {
		return nil, err
	}
	res.NewDeviceMetadata = newDevice
	return &authResult{ChallengeParameters: map[string]string{}, AuthenticationResult: res}, nil
}

// touchDevice records a sign-in on u's device.
func (s *Service) touchDevice(ctx context.Context, p *core.Pool, u *core.User, device string) error {
	return s.Store.Update(ctx, func(tx store.Tx) error {
		fresh, err := s.Reload(tx, p, u)
		if err != nil {
			return err
		}
		d := fresh.Device(device)
		if d == nil {
			return devices.NotFound()
		}
		s.devices.Touch(ctx, d)
		return s.PutUser(tx, fresh)
	})
}

// recordSignIn records a sign-in whose password was right, for pools that
// record auth events.
func (s *Service) recordSignIn(ctx context.Context, p *core.Pool, u *core.User, response string) error {
	if !p.RecordsAuthEvents() {
		return nil
	}
	return s.Store.Update(ctx, func(tx store.Tx) error {
		fresh, err := s.Reload(tx, p, u)
		if err != nil {
			return err
		}
		if err := s.AddAuthEvent(ctx, p, fresh, response, "Success"); err != nil {
			return err
		}
		return core.SaveUser(tx, fresh)
	})
}

func (s *Service) newPasswordChallenge(ctx context.Context, p *core.Pool, c *core.Client, u *core.User, device string) (*authResult, error) {
	cs := s.NewAuthSession("NEW_PASSWORD_REQUIRED", p, c, u)
	cs.Device = device
	cs.Hosted = isHosted(ctx)
	cs.Password = core.PasswordTag(u.Doc.PasswordHash)
	sess, err := s.SealSession(cs)
	if err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for k, v := range u.Doc.Attributes {
		if k != "sub" && core.CanRead(p, c, k) {
			attrs[k] = v
		}
	}
	ua, _ := json.Marshal(attrs)
	var required []string
	for _, a := range p.Cfg.SchemaAttributes {
		n := model.StringValue(a.Name)
		if n != "sub" && model.BoolValue(a.Required) && u.Doc.Attributes[n] == "" {
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
			"USER_ID_FOR_SRP": u.Rec.Username, "requiredAttributes": string(ra), "userAttributes": string(ua),
		},
		Session: model.String(sess),
	}, nil
}

func (s *Service) srpBegin(ctx context.Context, p *core.Pool, c *core.Client, r authRequest) (*authResult, error) {
	name, err := requireParam(r.params, "USERNAME")
	if err != nil {
		return nil, err
	}
	srpA, err := requireParam(r.params, "SRP_A")
	if err != nil {
		return nil, err
	}
	if err := s.CheckSecretHash(c, name, r.params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	u, err := s.srpSignInUser(ctx, p, c, r, name)
	var v []byte
	switch {
	case err != nil && delivery.HidesUsers(c) && triggers.IsUnknownUser(err):
		// A challenge like a real user's; the proof will fail.
		if u, v, err = s.phantomUser(p, name); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case u.Doc.SRPVerifier == "" && u.Doc.Status == core.StatusResetRequired:
		// An imported user has no password to prove: they must reset it.
		return nil, cognito.New(cognito.PasswordResetRequired, "Password reset required for the user")
	default:
		if v, err = s.passwords.SrpVerifier(p, u); err != nil {
			return nil, err
		}
	}
	ch, err := s.srp.Begin(p.Id, u.Rec.Username, u.Doc.SRPSalt, v, srpA)
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
			"USERNAME": u.Rec.Username, "USER_ID_FOR_SRP": u.Rec.Username,
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
	p, c, err := s.LoadAuthClient(ctx, poolID, clientID)
	if err != nil {
		return nil, err
	}
	if resp == nil {
		resp = map[string]string{}
	}
	// A hosted sign-in's challenges are answered only on the hosted pages,
	// and the API's only through the API.
	if cs, err := s.ReadSession(session); err == nil && cs.Hosted != isHosted(ctx) {
		return nil, core.InvalidSession()
	}
	switch challenge {
	case "PASSWORD_VERIFIER":
		return s.srpVerify(ctx, p, c, session, resp, clientMetadata)
	case "CUSTOM_CHALLENGE":
		return s.customAnswer(ctx, p, c, session, resp, clientMetadata)
	case "SELECT_CHALLENGE":
		return s.selectChallenge(ctx, p, c, session, resp, clientMetadata)
	case "WEB_AUTHN":
		return s.webAuthnAnswer(ctx, p, c, session, resp, clientMetadata)
	case "NEW_PASSWORD_REQUIRED":
		return s.newPassword(ctx, p, c, session, resp, clientMetadata)
	case core.FactorSMS, core.FactorEmail, core.FactorTOTP, "SMS_OTP":
		return s.mfaAnswer(ctx, p, c, challenge, session, resp, clientMetadata)
	case "SELECT_MFA_TYPE":
		return s.selectMFA(ctx, p, c, session, resp, clientMetadata)
	case "MFA_SETUP":
		return s.mfaSetupDone(ctx, p, c, session, resp, clientMetadata)
	case "DEVICE_SRP_AUTH":
		return s.deviceSRPBegin(ctx, p, c, session, resp)
	case "DEVICE_PASSWORD_VERIFIER":
		return s.deviceSRPVerify(ctx, p, c, session, resp, clientMetadata)
	}
	return nil, cognito.Errorf(cognito.InvalidParameter, "Challenge %s is not supported by Cognate.", challenge)
}

// srpVerify checks a PASSWORD_VERIFIER answer. Within CUSTOM_WITH_SRP the
// answer carries the custom session, and DefineAuthChallenge decides what
// follows a right password.
func (s *Service) srpVerify(ctx context.Context, p *core.Pool, c *core.Client, session string, resp, clientMetadata map[string]string) (*authResult, error) {
	var custom *core.AuthSession
	if session != "" {
		cs, err := s.OpenSession(session, p, c, "PASSWORD_VERIFIER")
		if err != nil {
			return nil, err
		}
		if cs.Custom == nil && !cs.UserAuth {
			return nil, core.InvalidSession()
		}
		if cs.Custom != nil {
			custom = cs
		}
		if cs.UserAuth && !c.AllowsFlow("ALLOW_USER_AUTH") {
			return nil, cognito.New(cognito.InvalidParameter, "USER_AUTH flow not enabled for this client")
		}
	}
	switch {
	case custom != nil && !c.AllowsFlow("ALLOW_CUSTOM_AUTH"):
		return nil, cognito.New(cognito.InvalidParameter, "CUSTOM_AUTH flow not enabled for this client")
	case session == "" && !c.AllowsFlow("ALLOW_USER_SRP_AUTH"):
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
	if err := s.CheckSecretHash(c, name, resp["SECRET_HASH"]); err != nil {
		return nil, err
	}
	u, err := s.signInUser(ctx, p, c, name)
	if err != nil {
		return nil, err
	}
	v, err := s.passwords.SrpVerifier(p, u)
	if err != nil {
		return nil, core.IncorrectPassword()
	}
	if err := s.passwords.CheckLockout(u); err != nil {
		return nil, err
	}
	if err := s.srp.Verify(p.Id, u.Rec.Username, u.Doc.SRPSalt, v, resp["PASSWORD_CLAIM_SECRET_BLOCK"],
		resp["TIMESTAMP"], resp["PASSWORD_CLAIM_SIGNATURE"]); err != nil {
		return nil, s.passwords.PasswordFailed(ctx, p, u)
	}
	if custom != nil {
		if u.Rec.Key != custom.UserKey || u.Rec.Sub != custom.Sub {
			return nil, core.InvalidSession()
		}
		err := s.Store.Update(ctx, func(tx store.Tx) error {
			fresh, err := s.Reload(tx, p, u)
			if err != nil {
				return err
			}
			if err := s.spendOnce(p, fresh, custom); err != nil {
				return err
			}
			return s.PutUser(tx, fresh)
		})
		if err != nil {
			return nil, err
		}
		ca := custom.Custom
		ca.Rounds = append(ca.Rounds, core.CustomRound{Challenge: "PASSWORD_VERIFIER", Result: true})
		return s.customNext(ctx, p, c, u, ca, "", clientMetadata)
	}
	return s.afterPassword(ctx, p, c, u, resp["DEVICE_KEY"], triggers.TokenGen{ClientMetadata: clientMetadata})
}
