package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

// device is a client's remembered device: the keys the pool handed out
// and the random password only the client knows.
type device struct {
	key, group, password string
}

// confirmDevice makes the device's SRP verifier as a client does and
// registers it with ConfirmDevice.
func confirmDevice(t *testing.T, s *testserver.Server, accessToken string, meta *types.NewDeviceMetadataType) (device, *cip.ConfirmDeviceOutput) {
	t.Helper()
	d := device{key: aws.ToString(meta.DeviceKey), group: aws.ToString(meta.DeviceGroupKey), password: base64.StdEncoding.EncodeToString([]byte("device password " + aws.ToString(meta.DeviceKey)))}
	salt, verifier, err := srp.NewVerifier(rand.Reader, d.group, d.key, d.password)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Client.ConfirmDevice(context.Background(), &cip.ConfirmDeviceInput{AccessToken: aws.String(accessToken), DeviceKey: meta.DeviceKey,
		DeviceName: aws.String("test phone"), DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{
			Salt: aws.String(base64.StdEncoding.EncodeToString(salt)), PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString(verifier))}})
	noErr(t, err)
	return d, out
}

// deviceSignIn answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER with
// the device's password and returns the last answer.
func deviceSignIn(t *testing.T, s *testserver.Server, clientID, username string, d device, session *string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	c, err := srp.NewClient(rand.Reader, d.group)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ch, err := s.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
		ChallengeName: types.ChallengeNameTypeDeviceSrpAuth, Session: session,
		ChallengeResponses: map[string]string{"USERNAME": username, "DEVICE_KEY": d.key, "SRP_A": c.SrpAHex()}})
	if err != nil {
		return nil, err
	}
	if ch.ChallengeName != types.ChallengeNameTypeDevicePasswordVerifier || ch.ChallengeParameters["DEVICE_KEY"] != d.key {
		t.Fatalf("DEVICE_SRP_AUTH answered %s %v", ch.ChallengeName, ch.ChallengeParameters)
	}
	p := ch.ChallengeParameters
	ts, sig, err := c.Respond(d.key, d.password, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
		ChallengeName: types.ChallengeNameTypeDevicePasswordVerifier, Session: ch.Session,
		ChallengeResponses: map[string]string{"USERNAME": username, "DEVICE_KEY": d.key, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
			"TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig}})
}

// claim reads one claim of a token the server issued (its signature is
// checked by the operations the test calls with it).
func claim(t *testing.T, jwt, name string) any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m[name]
}

var deviceKeyPattern = regexp.MustCompile(`^us-east-1_[0-9a-f-]{36}$`)

func TestRememberedDevices(t *testing.T) {
	e := newEnv(t, &cip.CreateUserPoolInput{DeviceConfiguration: &types.DeviceConfigurationType{
		ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false}}, nil)
	ctx := context.Background()
	_, err := e.s.Client.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool),
		MfaConfiguration: types.UserPoolMfaTypeOptional, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	noErr(t, err)
	first := e.signedIn(t, "ana")
	secret := e.enrolTOTP(t, first)
	_, err = e.s.Client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: aws.String(first),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}})
	noErr(t, err)

	// A sign-in on a new device passes MFA and gets a device key.
	nextStep(e.s)
	out, err := e.signIn("ana", testserver.Password, nil)
	noErr(t, err)
	ans, err := e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, e.s, secret))
	noErr(t, err)
	meta := ans.AuthenticationResult.NewDeviceMetadata
	if meta == nil || !deviceKeyPattern.MatchString(aws.ToString(meta.DeviceKey)) || strings.Contains(aws.ToString(meta.DeviceGroupKey), "_") {
		t.Fatalf("NewDeviceMetadata = %s", testserver.String(meta))
	}
	access := aws.ToString(ans.AuthenticationResult.AccessToken)
	if got := claim(t, access, "device_key"); got != aws.ToString(meta.DeviceKey) {
		t.Fatalf("access token device_key = %v, want %s", got, aws.ToString(meta.DeviceKey))
	}
	_, err = e.s.Client.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: aws.String(access), DeviceKey: aws.String("us-east-1_00000000-0000-0000-0000-000000000000"),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String("AAAA"), PasswordVerifier: aws.String("AAAA")}})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "Device does not exist.")
	dev, conf := confirmDevice(t, e.s, access, meta)
	if conf.UserConfirmationNecessary {
		t.Fatal("UserConfirmationNecessary in a pool that always remembers")
	}
	_, err = e.s.Client.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: aws.String(access), DeviceKey: meta.DeviceKey,
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String("AAAA"), PasswordVerifier: aws.String("AAAA")}})
	testserver.WantError[*types.DeviceKeyExistsException](t, err, "Device already confirmed.")

	list, err := e.s.Client.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: aws.String(access)})
	noErr(t, err)
	if len(list.Devices) != 1 || aws.ToString(list.Devices[0].DeviceKey) != dev.key {
		t.Fatalf("ListDevices = %s", testserver.String(list.Devices))
	}
	wantEntries(t, "device attributes", testserver.Attrs(list.Devices[0].DeviceAttributes),
		map[string]string{"device_status": "valid", "device_name": "test phone", "dev:device_remembered_status": "remembered"})
	got, err := e.s.Client.AdminGetDevice(ctx, &cip.AdminGetDeviceInput{UserPoolId: aws.String(e.pool), Username: aws.String("ana"), DeviceKey: meta.DeviceKey})
	noErr(t, err)
	if got.Device.DeviceCreateDate == nil || got.Device.DeviceLastAuthenticatedDate == nil {
		t.Fatalf("AdminGetDevice = %s", testserver.String(got.Device))
	}

	// The remembered device signs in with device SRP instead of MFA.
	withDevice := func() *cip.InitiateAuthOutput {
		t.Helper()
		out, err := e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(e.client),
			AuthParameters: map[string]string{"USERNAME": "ana", "PASSWORD": testserver.Password, "DEVICE_KEY": dev.key}})
		noErr(t, err)
		return out
	}
	out = withDevice()
	wantChallenge(t, out.ChallengeName, out.ChallengeParameters, out.AuthenticationResult, out.Session, types.ChallengeNameTypeDeviceSrpAuth, map[string]string{})
	wrong := dev
	wrong.password = "not the device password"
	_, err = deviceSignIn(t, e.s, e.client, "ana", wrong, out.Session)
	testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	ans, err = deviceSignIn(t, e.s, e.client, "ana", dev, out.Session)
	noErr(t, err)
	e.wantTokens(t, ans)
	if ans.AuthenticationResult.NewDeviceMetadata != nil || claim(t, aws.ToString(ans.AuthenticationResult.AccessToken), "device_key") != dev.key {
		t.Fatalf("device sign-in: metadata %v, device_key %v", ans.AuthenticationResult.NewDeviceMetadata, claim(t, aws.ToString(ans.AuthenticationResult.AccessToken), "device_key"))
	}

	// Refresh tokens of the device need its key and keep it.
	refresh := map[string]string{"REFRESH_TOKEN": aws.ToString(ans.AuthenticationResult.RefreshToken)}
	_, err = e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(e.client), AuthParameters: refresh})
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid Refresh Token")
	refresh["DEVICE_KEY"] = dev.key
	ref, err := e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(e.client), AuthParameters: refresh})
	noErr(t, err)
	if claim(t, aws.ToString(ref.AuthenticationResult.AccessToken), "device_key") != dev.key {
		t.Fatal("refreshed access token lost device_key")
	}

	// Not remembered, the device is known but MFA is asked again.
	_, err = e.s.Client.UpdateDeviceStatus(ctx, &cip.UpdateDeviceStatusInput{AccessToken: aws.String(access), DeviceKey: aws.String(dev.key),
		DeviceRememberedStatus: types.DeviceRememberedStatusTypeNotRemembered})
	noErr(t, err)
	out = withDevice()
	wantChallenge(t, out.ChallengeName, out.ChallengeParameters, out.AuthenticationResult, out.Session, types.ChallengeNameTypeSoftwareTokenMfa, map[string]string{})
	nextStep(e.s)
	ans, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, e.s, secret))
	noErr(t, err)
	if ans.AuthenticationResult.NewDeviceMetadata != nil || claim(t, aws.ToString(ans.AuthenticationResult.AccessToken), "device_key") != dev.key {
		t.Fatal("a known device got new metadata or lost its key")
	}
	_, err = e.s.Client.AdminUpdateDeviceStatus(ctx, &cip.AdminUpdateDeviceStatusInput{UserPoolId: aws.String(e.pool), Username: aws.String("ana"),
		DeviceKey: aws.String(dev.key), DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered})
	noErr(t, err)

	// Forgotten, the device is unknown and its refresh tokens are revoked.
	_, err = e.s.Client.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: aws.String(access), DeviceKey: aws.String(dev.key)})
	noErr(t, err)
	// The device's tokens are revoked and cannot confirm it again.
	_, err = e.s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(access)})
	testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
	_, err = e.s.Client.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: aws.String(access), DeviceKey: aws.String(dev.key),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String("AAAA"), PasswordVerifier: aws.String("AAAA")}})
	testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
	_, err = e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(e.client), AuthParameters: refresh})
	testserver.WantError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
	_, err = e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(e.client),
		AuthParameters: map[string]string{"USERNAME": "ana", "PASSWORD": testserver.Password, "DEVICE_KEY": dev.key}})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "Device does not exist.")
	_, err = e.s.Client.AdminForgetDevice(ctx, &cip.AdminForgetDeviceInput{UserPoolId: aws.String(e.pool), Username: aws.String("ana"), DeviceKey: aws.String(dev.key)})
	testserver.WantError[*types.ResourceNotFoundException](t, err, "Device does not exist.")
	adm, err := e.s.Client.AdminListDevices(ctx, &cip.AdminListDevicesInput{UserPoolId: aws.String(e.pool), Username: aws.String("ana")})
	noErr(t, err)
	if len(adm.Devices) != 0 {
		t.Fatalf("AdminListDevices after forgetting = %s", testserver.String(adm.Devices))
	}
}

// TestDeviceOnUserPrompt covers a pool that remembers devices only when
// the user says so, and a pool that does not track devices.
func TestDeviceOnUserPrompt(t *testing.T) {
	e := newEnv(t, &cip.CreateUserPoolInput{DeviceConfiguration: &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: true}}, nil)
	e.s.User(t, e.pool, "ana")
	res := e.s.SignIn(t, e.client, "ana")
	dev, conf := confirmDevice(t, e.s, aws.ToString(res.AccessToken), res.NewDeviceMetadata)
	if !conf.UserConfirmationNecessary {
		t.Fatal("UserConfirmationNecessary false in a pool that asks the user")
	}
	got, err := e.s.Client.GetDevice(context.Background(), &cip.GetDeviceInput{AccessToken: res.AccessToken, DeviceKey: aws.String(dev.key)})
	noErr(t, err)
	wantEntries(t, "device attributes", testserver.Attrs(got.Device.DeviceAttributes), map[string]string{"dev:device_remembered_status": "not_remembered"})
	// Known but not remembered: the password alone signs in, on that device.
	out, err := e.s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(e.client),
		AuthParameters: map[string]string{"USERNAME": "ana", "PASSWORD": testserver.Password, "DEVICE_KEY": dev.key}})
	noErr(t, err)
	if out.AuthenticationResult == nil || out.AuthenticationResult.NewDeviceMetadata != nil || claim(t, aws.ToString(out.AuthenticationResult.AccessToken), "device_key") != dev.key {
		t.Fatalf("sign-in on a known device = %s", testserver.String(out))
	}

	plain := newEnv(t, nil, nil)
	plain.s.User(t, plain.pool, "bob")
	if r := plain.s.SignIn(t, plain.client, "bob"); r.NewDeviceMetadata != nil || claim(t, aws.ToString(r.AccessToken), "device_key") != nil {
		t.Fatal("a pool without device tracking handed out a device")
	}
}

// TestMultiNodeMFAAndDevices runs MFA and device sign-in across two nodes
// on one PostgreSQL database: an authenticator enrolled on one node works
// on the other, a challenge opened on one is answered on the other, and a
// device confirmed on one is remembered on the other.
func TestMultiNodeMFAAndDevices(t *testing.T) {
	t.Parallel()
	a, b := startNodes(t)
	ctx := context.Background()
	pool := a.Pool(t, &cip.CreateUserPoolInput{DeviceConfiguration: &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true}})
	client := a.AppClient(t, pool, nil)
	_, err := a.Client.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(pool),
		MfaConfiguration: types.UserPoolMfaTypeOptional, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	noErr(t, err)
	onA, onB := &env{s: a, pool: pool, client: client}, &env{s: b, pool: pool, client: client}
	tok := onA.signedIn(t, "ana")
	secret := onA.enrolTOTP(t, tok)
	_, err = b.Client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: aws.String(tok),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}})
	noErr(t, err)

	nextStep(a)
	nextStep(b)
	out, err := onB.signIn("ana", testserver.Password, nil)
	noErr(t, err)
	if out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("B answered %q, want SOFTWARE_TOKEN_MFA", out.ChallengeName)
	}
	ans, err := onA.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, a, secret))
	noErr(t, err)
	// The code A accepted is spent on B too.
	again, err := onB.signIn("ana", testserver.Password, nil)
	noErr(t, err)
	_, err = onB.respond(types.ChallengeNameTypeSoftwareTokenMfa, again.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, b, secret))
	testserver.WantError[*types.CodeMismatchException](t, err, "Invalid code received for user")

	dev, _ := confirmDevice(t, b, aws.ToString(ans.AuthenticationResult.AccessToken), ans.AuthenticationResult.NewDeviceMetadata)
	withDevice, err := a.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(client),
		AuthParameters: map[string]string{"USERNAME": "ana", "PASSWORD": testserver.Password, "DEVICE_KEY": dev.key}})
	noErr(t, err)
	if withDevice.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
		t.Fatalf("A answered %q, want DEVICE_SRP_AUTH", withDevice.ChallengeName)
	}
	done, err := deviceSignIn(t, b, client, "ana", dev, withDevice.Session)
	noErr(t, err)
	if done.AuthenticationResult == nil || claim(t, aws.ToString(done.AuthenticationResult.AccessToken), "device_key") != dev.key {
		t.Fatalf("B's device sign-in = %s", testserver.String(done))
	}
}

// TestPostAuthenticationNewDevice checks PostAuthentication's
// newDeviceUsed: true for a sign-in that hands out a device key, false on
// a device already confirmed.
func TestPostAuthenticationNewDevice(t *testing.T) {
	e := newTriggerEnv(t, &types.LambdaConfigType{PostAuthentication: aws.String(fnPostAuth)},
		&cip.CreateUserPoolInput{DeviceConfiguration: &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: true}}, nil)
	e.fake.Handle(fnPostAuth, lambdafake.Echo(nil))
	e.s.User(t, e.pool, "ana")
	res := e.s.SignIn(t, e.client, "ana")
	if got := member(e.lastEvent(t, fnPostAuth), "request")["newDeviceUsed"]; got != true {
		t.Fatalf("newDeviceUsed on a new device = %v", got)
	}
	dev, _ := confirmDevice(t, e.s, aws.ToString(res.AccessToken), res.NewDeviceMetadata)
	_, err := e.s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(e.client),
		AuthParameters: map[string]string{"USERNAME": "ana", "PASSWORD": testserver.Password, "DEVICE_KEY": dev.key}})
	noErr(t, err)
	if got := member(e.lastEvent(t, fnPostAuth), "request")["newDeviceUsed"]; got != false {
		t.Fatalf("newDeviceUsed on a confirmed device = %v", got)
	}
}
