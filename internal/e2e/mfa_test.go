package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// totpEnv is a pool whose MFA is mode with TOTP as its only factor.
func totpEnv(t *testing.T, mode types.UserPoolMfaType) *env {
	t.Helper()
	e := newEnv(t, nil, nil)
	_, err := e.s.Client.SetUserPoolMfaConfig(context.Background(), &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool),
		MfaConfiguration: mode, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	noErr(t, err)
	return e
}

func TestTOTPEnrolmentAndSignIn(t *testing.T) {
	e := totpEnv(t, types.UserPoolMfaTypeOptional)
	ctx := context.Background()
	tok := e.signedIn(t, "ana")

	// A wrong code does not enrol the authenticator.
	as, err := e.s.Client.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: aws.String(tok)})
	noErr(t, err)
	_, err = e.s.Client.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: aws.String(tok), UserCode: aws.String("000000")})
	testserver.WantError[*types.EnableSoftwareTokenMFAException](t, err, "Code mismatch and fail enable Software Token MFA")
	_, err = e.s.Client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: aws.String(tok),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}})
	testserver.WantError[*types.InvalidParameterException](t, err, "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
	_ = as

	secret := e.enrolTOTP(t, tok)
	// Verified but not turned on: OPTIONAL MFA asks nothing yet.
	if list, pref := e.mfaSettings(t, tok); len(list) != 0 || pref != "" {
		t.Fatalf("MFA settings before preference = %v, %q", list, pref)
	}
	e.s.SignIn(t, e.client, "ana")

	_, err = e.s.Client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: aws.String(tok),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}})
	noErr(t, err)
	if list, pref := e.mfaSettings(t, tok); len(list) != 1 || list[0] != "SOFTWARE_TOKEN_MFA" || pref != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("MFA settings = %v, %q; want [SOFTWARE_TOKEN_MFA], SOFTWARE_TOKEN_MFA", list, pref)
	}
	adm, err := e.s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("ana")})
	noErr(t, err)
	if len(adm.UserMFASettingList) != 1 || aws.ToString(adm.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("AdminGetUser MFA = %v, %v", adm.UserMFASettingList, adm.PreferredMfaSetting)
	}

	out, err := e.signIn("ana", testserver.Password, nil)
	noErr(t, err)
	wantChallenge(t, out.ChallengeName, out.ChallengeParameters, out.AuthenticationResult, out.Session, types.ChallengeNameTypeSoftwareTokenMfa, map[string]string{})

	// The code VerifySoftwareToken accepted is spent; a wrong one fails.
	used := totpCode(t, e.s, secret)
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", used)
	testserver.WantError[*types.CodeMismatchException](t, err, "Invalid code received for user")
	nextStep(e.s)
	fresh := totpCode(t, e.s, secret)
	ans, err := e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", fresh)
	noErr(t, err)
	e.wantTokens(t, ans)
	// The session served one sign-in: a later code does not reuse it.
	nextStep(e.s)
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, e.s, secret))
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")

	// The same code, in a new sign-in, is not accepted twice.
	again, err := e.signIn("ana", testserver.Password, nil)
	noErr(t, err)
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, again.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", fresh)
	testserver.WantError[*types.CodeMismatchException](t, err, "Invalid code received for user")

	// Missing code, a session for another user, an expired session.
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, again.Session, "ana")
	testserver.WantError[*types.InvalidParameterException](t, err, "Missing required parameter SOFTWARE_TOKEN_MFA_CODE")
	e.s.User(t, e.pool, "bob")
	nextStep(e.s)
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, again.Session, "bob", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, e.s, secret))
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
	_, err = e.respond(types.ChallengeNameTypeSmsMfa, again.Session, "ana", "SMS_MFA_CODE", "123456")
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
	e.s.Clock.Advance(3 * time.Minute)
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, again.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, e.s, secret))
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")

	// The admin flow and SRP challenge the same way.
	nextStep(e.s)
	aout, err := e.s.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(e.client),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "ana", "PASSWORD": testserver.Password}})
	noErr(t, err)
	wantChallenge(t, aout.ChallengeName, aout.ChallengeParameters, aout.AuthenticationResult, aout.Session, types.ChallengeNameTypeSoftwareTokenMfa, map[string]string{})
	aans, err := e.s.Client.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(e.client),
		ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: aout.Session,
		ChallengeResponses: map[string]string{"USERNAME": "ana", "SOFTWARE_TOKEN_MFA_CODE": totpCode(t, e.s, secret)}})
	noErr(t, err)
	if aans.AuthenticationResult == nil {
		t.Fatalf("AdminRespondToAuthChallenge: no tokens")
	}

	nextStep(e.s)
	si, err := srpInitiate(t, e.s, e.pool, e.client, "ana", false, nil)
	noErr(t, err)
	sout, err := srpRespond(e.s, "", e.client, types.ChallengeNameTypePasswordVerifier, nil, si.answer(t, e.s, testserver.Password, ""))
	noErr(t, err)
	wantChallenge(t, sout.ChallengeName, sout.ChallengeParameters, sout.AuthenticationResult, sout.Session, types.ChallengeNameTypeSoftwareTokenMfa, map[string]string{})
	sans, err := e.respond(types.ChallengeNameTypeSoftwareTokenMfa, sout.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, e.s, secret))
	noErr(t, err)
	e.wantTokens(t, sans)

	// Turned off, TOTP is no longer asked for.
	_, err = e.s.Client.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(e.pool), Username: aws.String("ana"),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false}})
	noErr(t, err)
	if list, pref := e.mfaSettings(t, tok); len(list) != 0 || pref != "" {
		t.Fatalf("MFA settings after turning TOTP off = %v, %q", list, pref)
	}
	e.s.SignIn(t, e.client, "ana")
}

func TestWrongMFACodesLockOut(t *testing.T) {
	e := totpEnv(t, types.UserPoolMfaTypeOptional)
	ctx := context.Background()
	tok := e.signedIn(t, "ana")
	secret := e.enrolTOTP(t, tok)
	_, err := e.s.Client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: aws.String(tok),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}})
	noErr(t, err)
	nextStep(e.s)
	out, err := e.signIn("ana", testserver.Password, nil)
	noErr(t, err)
	for i := 0; i < 5; i++ {
		_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", "000000")
		testserver.WantError[*types.CodeMismatchException](t, err, "Invalid code received for user")
	}
	// Locked, even the right code is refused, and so is the password.
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, e.s, secret))
	testserver.WantError[*types.NotAuthorizedException](t, err, "Password attempts exceeded")
	_, err = e.signIn("ana", testserver.Password, nil)
	testserver.WantError[*types.NotAuthorizedException](t, err, "Password attempts exceeded")
}

func TestMFASetupWhenRequired(t *testing.T) {
	e := totpEnv(t, types.UserPoolMfaTypeOn)
	ctx := context.Background()
	e.s.User(t, e.pool, "ana")
	out, err := e.signIn("ana", testserver.Password, nil)
	noErr(t, err)
	wantChallenge(t, out.ChallengeName, out.ChallengeParameters, out.AuthenticationResult, out.Session, types.ChallengeNameTypeMfaSetup,
		map[string]string{"MFAS_CAN_SETUP": `["SOFTWARE_TOKEN_MFA"]`})

	_, err = e.respond(types.ChallengeNameTypeMfaSetup, out.Session, "ana")
	testserver.WantError[*types.InvalidParameterException](t, err, "Software token MFA must be verified with VerifySoftwareToken before answering MFA_SETUP.")

	as, err := e.s.Client.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session})
	noErr(t, err)
	secret := aws.ToString(as.SecretCode)
	if !secretPattern.MatchString(secret) || aws.ToString(as.Session) == "" {
		t.Fatalf("AssociateSoftwareToken by session = %q, session %v", secret, as.Session)
	}
	_, err = e.s.Client.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: as.Session, UserCode: aws.String("000000")})
	testserver.WantError[*types.EnableSoftwareTokenMFAException](t, err, "Code mismatch and fail enable Software Token MFA")
	vs, err := e.s.Client.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: as.Session, UserCode: aws.String(totpCode(t, e.s, secret))})
	noErr(t, err)
	if vs.Status != types.VerifySoftwareTokenResponseTypeSuccess || aws.ToString(vs.Session) == "" {
		t.Fatalf("VerifySoftwareToken by session = %s, session %v", vs.Status, vs.Session)
	}
	ans, err := e.respond(types.ChallengeNameTypeMfaSetup, vs.Session, "ana")
	noErr(t, err)
	e.wantTokens(t, ans)
	// The session completes one sign-in only.
	_, err = e.respond(types.ChallengeNameTypeMfaSetup, vs.Session, "ana")
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")

	// Set up while signing in, TOTP is on and asked for from now on.
	list, _ := e.mfaSettings(t, aws.ToString(ans.AuthenticationResult.AccessToken))
	if len(list) != 1 || list[0] != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("MFA settings after MFA_SETUP = %v", list)
	}
	next, err := e.signIn("ana", testserver.Password, nil)
	noErr(t, err)
	wantChallenge(t, next.ChallengeName, next.ChallengeParameters, next.AuthenticationResult, next.Session, types.ChallengeNameTypeSoftwareTokenMfa, map[string]string{})

	// A session or a token is needed, and the pool must offer TOTP.
	_, err = e.s.Client.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{})
	testserver.WantError[*types.InvalidParameterException](t, err, "Either AccessToken or Session must be provided.")
	_, err = e.s.Client.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: next.Session})
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
	plain := newEnv(t, nil, nil)
	_, err = plain.s.Client.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: aws.String(plain.signedIn(t, "cy"))})
	testserver.WantError[*types.SoftwareTokenMFANotFoundException](t, err, "Software Token MFA has not been enabled by the userPool.")
}

// TestParallelMFASignIns: sign-ins of one user in several tabs each keep
// their challenge session, up to four at once; a fifth voids the oldest.
func TestParallelMFASignIns(t *testing.T) {
	e := totpEnv(t, types.UserPoolMfaTypeOptional)
	ctx := context.Background()
	tok := e.signedIn(t, "ana")
	secret := e.enrolTOTP(t, tok)
	_, err := e.s.Client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: aws.String(tok),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}})
	noErr(t, err)

	var sessions []*string
	for range 5 {
		out, err := e.signIn("ana", testserver.Password, nil)
		noErr(t, err)
		sessions = append(sessions, out.Session)
	}
	// The first of five is gone; the others each sign in once, in any order.
	for i, k := range []int{0, 2, 1, 4, 3} {
		nextStep(e.s) // every answer needs a code of a new step
		ans, err := e.respond(types.ChallengeNameTypeSoftwareTokenMfa, sessions[k], "ana", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, e.s, secret))
		if k == 0 {
			testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")
			continue
		}
		if err != nil {
			t.Fatalf("answer %d (session %d of 5): %v", i, k+1, err)
		}
		e.wantTokens(t, ans)
	}
}

// TestUnprovenSignInsKeepMFASessions: starting first-factor sign-ins that
// anyone who knows the user name can start (USER_AUTH one-time codes)
// more often than there are challenge slots does not void the session of
// a sign-in that passed its password and waits for its MFA code.
func TestUnprovenSignInsKeepMFASessions(t *testing.T) {
	e := newEnv(t, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
		AllowedFirstAuthFactors: []types.AuthFactorType{"PASSWORD", "EMAIL_OTP"}}}},
		&cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	ctx := context.Background()
	_, err := e.s.Client.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool),
		MfaConfiguration: types.UserPoolMfaTypeOptional, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	noErr(t, err)
	tok := e.signedIn(t, "ana", "email", "ana@example.com", "email_verified", "true")
	secret := e.enrolTOTP(t, tok)
	_, err = e.s.Client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: aws.String(tok),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}})
	noErr(t, err)

	mfa, err := e.signIn("ana", testserver.Password, nil)
	noErr(t, err)
	if mfa.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("the password sign-in answered %s, want SOFTWARE_TOKEN_MFA", mfa.ChallengeName)
	}
	var otp []*string
	for range 6 {
		out, err := e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(e.client),
			AuthParameters: map[string]string{"USERNAME": "ana", "PREFERRED_CHALLENGE": "EMAIL_OTP"}})
		noErr(t, err)
		if out.ChallengeName != types.ChallengeNameTypeEmailOtp {
			t.Fatalf("USER_AUTH with EMAIL_OTP preferred answered %s", out.ChallengeName)
		}
		otp = append(otp, out.Session)
	}
	nextStep(e.s)
	ans, err := e.respond(types.ChallengeNameTypeSoftwareTokenMfa, mfa.Session, "ana", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, e.s, secret))
	if err != nil {
		t.Fatalf("the MFA answer after six one-time-code starts: %v", err)
	}
	e.wantTokens(t, ans)
	// The code sign-ins share their own slots: the newest still works.
	ans, err = e.respond(types.ChallengeNameTypeEmailOtp, otp[5], "ana", "EMAIL_OTP_CODE", e.s.LastCode(t, e.pool, "ana", "email"))
	noErr(t, err)
	e.wantTokens(t, ans)
}
