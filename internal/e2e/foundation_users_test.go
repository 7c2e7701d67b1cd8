package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

func TestFoundationAdminUsers(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}})
	client := s.AppClient(t, pool, nil)
	getUser := func(name string) (*cip.AdminGetUserOutput, error) {
		return s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)})
	}

	t.Run("create with temporary password", func(t *testing.T) {
		out, err := s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(pool), Username: aws.String("temp1"), TemporaryPassword: aws.String("Temp0rary!"),
			MessageAction:  types.MessageActionTypeSuppress,
			UserAttributes: testserver.AttrList("email", "temp1@example.com"),
		})
		noErr(t, err)
		u := out.User
		if aws.ToString(u.Username) != "temp1" || u.UserStatus != types.UserStatusTypeForceChangePassword || !u.Enabled {
			t.Errorf("user = %s", testserver.String(u))
		}
		if sub := testserver.Attrs(u.Attributes)["sub"]; !uuidPattern.MatchString(sub) {
			t.Errorf("sub = %q", sub)
		}
		if v := testserver.Attrs(u.Attributes)["email_verified"]; v != "false" {
			t.Errorf("email_verified = %q", v)
		}
		_, err = s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(pool), Username: aws.String("temp1"), MessageAction: types.MessageActionTypeSuppress,
		})
		testserver.WantError[*types.UsernameExistsException](t, err, "User account already exists")
		_, err = s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(pool), Username: aws.String("weak"), TemporaryPassword: aws.String("short"),
			MessageAction: types.MessageActionTypeSuppress,
		})
		testserver.WantError[*types.InvalidPasswordException](t, err, "Password did not conform with policy: Password not long enough")
	})
	t.Run("new password challenge", func(t *testing.T) {
		for _, admin := range []bool{false, true} {
			t.Run(fmt.Sprintf("admin=%v", admin), func(t *testing.T) {
				name := fmt.Sprintf("np-%v", admin)
				s.TempUser(t, pool, name, "Temp0rary!")
				out, err := s.PasswordAuth(client, name, "Temp0rary!", nil)
				noErr(t, err)
				if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || aws.ToString(out.Session) == "" || out.AuthenticationResult != nil {
					t.Fatalf("InitiateAuth = %s", testserver.String(out))
				}
				if out.ChallengeParameters["USER_ID_FOR_SRP"] != name {
					t.Errorf("ChallengeParameters = %v", out.ChallengeParameters)
				}
				respond := func(session, password string) (*types.AuthenticationResultType, error) {
					resp := map[string]string{"USERNAME": name, "NEW_PASSWORD": password}
					if admin {
						r, err := s.Client.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
							UserPoolId: aws.String(pool), ClientId: aws.String(client), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
							Session: aws.String(session), ChallengeResponses: resp,
						})
						if err != nil {
							return nil, err
						}
						return r.AuthenticationResult, nil
					}
					r, err := s.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
						ClientId: aws.String(client), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
						Session: aws.String(session), ChallengeResponses: resp,
					})
					if err != nil {
						return nil, err
					}
					return r.AuthenticationResult, nil
				}
				_, err = respond("bogus-session-that-is-long-enough", testserver.Password)
				testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
				_, err = respond(aws.ToString(out.Session), "weak")
				testserver.WantError[*types.InvalidPasswordException](t, err, "Password did not conform with policy: Password not long enough")
				res, err := respond(aws.ToString(out.Session), testserver.Password)
				noErr(t, err)
				if res == nil || aws.ToString(res.AccessToken) == "" || aws.ToString(res.RefreshToken) == "" || aws.ToString(res.IdToken) == "" {
					t.Fatalf("AuthenticationResult = %s", testserver.String(res))
				}
				g, err := getUser(name)
				noErr(t, err)
				if g.UserStatus != types.UserStatusTypeConfirmed {
					t.Errorf("status = %s", g.UserStatus)
				}
				_, err = respond(aws.ToString(out.Session), testserver.Password)
				testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
				s.SignIn(t, client, name)
			})
		}
	})
	t.Run("expired challenge session", func(t *testing.T) {
		s := testserver.Start(t)
		pool := s.Pool(t, nil)
		client := s.AppClient(t, pool, nil)
		s.TempUser(t, pool, "late", "Temp0rary!")
		out, err := s.PasswordAuth(client, "late", "Temp0rary!", nil)
		noErr(t, err)
		s.Clock.Advance(3*time.Minute + time.Second)
		_, err = s.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(client), ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
			ChallengeResponses: map[string]string{"USERNAME": "late", "NEW_PASSWORD": testserver.Password},
		})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
		s.Clock.Advance(7 * 24 * time.Hour)
		_, err = s.PasswordAuth(client, "late", "Temp0rary!", nil)
		testserver.WantError[*types.NotAuthorizedException](t, err, "Temporary password has expired and must be reset by an administrator.")
	})
	t.Run("get by username alias and sub", func(t *testing.T) {
		s.User(t, pool, "alice", "email", "alice@example.com", "email_verified", "true")
		byName, err := getUser("alice")
		noErr(t, err)
		sub := testserver.Attrs(byName.UserAttributes)["sub"]
		for _, key := range []string{"ALICE", "alice@example.com", "Alice@Example.com", sub} {
			g, err := getUser(key)
			noErr(t, err)
			if aws.ToString(g.Username) != "alice" || g.UserStatus != types.UserStatusTypeConfirmed || !g.Enabled || g.UserCreateDate == nil {
				t.Errorf("AdminGetUser(%s) = %s", key, testserver.String(g))
			}
		}
		_, err = getUser("nobody")
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		_, err = s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("us-east-1_missing00"), Username: aws.String("alice")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_missing00 does not exist.")
		// An unverified email is no alias.
		s.User(t, pool, "bob", "email", "bob@example.com")
		_, err = getUser("bob@example.com")
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
	})
	t.Run("delete", func(t *testing.T) {
		s.User(t, pool, "gone", "email", "gone@example.com", "email_verified", "true")
		tokens := s.SignIn(t, client, "gone")
		_, err := s.Client.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("gone")})
		noErr(t, err)
		_, err = getUser("gone")
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		_, err = getUser("gone@example.com")
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		_, err = s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: tokens.AccessToken})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		_, err = s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(client),
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(tokens.RefreshToken)}})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		// The name and alias are free again.
		s.User(t, pool, "gone", "email", "gone@example.com", "email_verified", "true")
		_, err = s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: tokens.AccessToken})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		_, err = s.Client.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("nobody")})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
	})
	t.Run("disable and enable", func(t *testing.T) {
		s.User(t, pool, "dis")
		tokens := s.SignIn(t, client, "dis")
		_, err := s.Client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("dis")})
		noErr(t, err)
		g, err := getUser("dis")
		noErr(t, err)
		if g.Enabled {
			t.Errorf("Enabled after disable")
		}
		_, err = s.PasswordAuth(client, "dis", testserver.Password, nil)
		testserver.WantError[*types.NotAuthorizedException](t, err, "User is disabled.")
		_, err = s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: tokens.AccessToken})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
		_, err = s.Client.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(pool), Username: aws.String("dis")})
		noErr(t, err)
		s.SignIn(t, client, "dis")
	})
	t.Run("set password", func(t *testing.T) {
		_, err := s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(pool), Username: aws.String("setpw"), MessageAction: types.MessageActionTypeSuppress,
		})
		noErr(t, err)
		_, err = s.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("setpw"),
			Password: aws.String("Tmp-Passw0rd"), Permanent: false})
		noErr(t, err)
		g, _ := getUser("setpw")
		if g.UserStatus != types.UserStatusTypeForceChangePassword {
			t.Errorf("status after temporary = %s", g.UserStatus)
		}
		out, err := s.PasswordAuth(client, "setpw", "Tmp-Passw0rd", nil)
		noErr(t, err)
		if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Errorf("challenge = %s", out.ChallengeName)
		}
		_, err = s.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("setpw"),
			Password: aws.String(testserver.Password), Permanent: true})
		noErr(t, err)
		g, _ = getUser("setpw")
		if g.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("status after permanent = %s", g.UserStatus)
		}
		s.SignIn(t, client, "setpw")
		_, err = s.PasswordAuth(client, "setpw", "Tmp-Passw0rd", nil)
		testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		_, err = s.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("setpw"),
			Password: aws.String("alllowercase1!"), Permanent: true})
		testserver.WantError[*types.InvalidPasswordException](t, err, "Password did not conform with policy: Password must have uppercase characters")
	})
	t.Run("confirm sign-up", func(t *testing.T) {
		_, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("unconf"), Password: aws.String(testserver.Password)})
		noErr(t, err)
		_, err = s.PasswordAuth(client, "unconf", testserver.Password, nil)
		testserver.WantError[*types.UserNotConfirmedException](t, err, "User is not confirmed.")
		_, err = s.Client.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pool), Username: aws.String("unconf")})
		noErr(t, err)
		g, _ := getUser("unconf")
		if g.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("status = %s", g.UserStatus)
		}
		s.SignIn(t, client, "unconf")
		_, err = s.Client.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pool), Username: aws.String("unconf")})
		testserver.WantError[*types.NotAuthorizedException](t, err, "User cannot be confirmed. Current status is CONFIRMED")
	})
}

func TestFoundationSignUp(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()

	t.Run("username attributes pool", func(t *testing.T) {
		pool := s.Pool(t, &cip.CreateUserPoolInput{
			UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		})
		client := s.AppClient(t, pool, nil)
		out, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("Jo@Example.com"), Password: aws.String(testserver.Password)})
		noErr(t, err)
		sub := aws.ToString(out.UserSub)
		if !uuidPattern.MatchString(sub) || out.UserConfirmed {
			t.Errorf("SignUp = %s", testserver.String(out))
		}
		d := out.CodeDeliveryDetails
		if d == nil || d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.AttributeName) != "email" || aws.ToString(d.Destination) != "J***@E***" {
			t.Errorf("CodeDeliveryDetails = %s", testserver.String(d))
		}
		g, err := s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("jo@example.com")})
		noErr(t, err)
		if aws.ToString(g.Username) != sub || g.UserStatus != types.UserStatusTypeUnconfirmed {
			t.Errorf("user = %s", testserver.String(g))
		}
		if v := testserver.Attrs(g.UserAttributes)["email"]; v != "Jo@Example.com" {
			t.Errorf("email = %q", v)
		}
		for _, dup := range []string{"Jo@Example.com", "jo@example.com"} {
			_, err = s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String(dup), Password: aws.String(testserver.Password)})
			testserver.WantError[*types.UsernameExistsException](t, err, "An account with the given email already exists.")
		}
		_, err = s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("plainname"), Password: aws.String(testserver.Password)})
		testserver.WantError[*types.InvalidParameterException](t, err, "Username should be an email.")

		_, err = s.PasswordAuth(client, "jo@example.com", testserver.Password, nil)
		testserver.WantError[*types.UserNotConfirmedException](t, err, "User is not confirmed.")
		_, err = s.Client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("jo@example.com"), ConfirmationCode: aws.String("000000")})
		testserver.WantError[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
		r, err := s.Client.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(client), Username: aws.String("jo@example.com")})
		noErr(t, err)
		if aws.ToString(r.CodeDeliveryDetails.AttributeName) != "email" {
			t.Errorf("resend = %s", testserver.String(r))
		}
		code := s.LastCode(t, pool, sub, "email")
		_, err = s.Client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("jo@example.com"), ConfirmationCode: aws.String(code)})
		noErr(t, err)
		g, err = s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(sub)})
		noErr(t, err)
		if v := testserver.Attrs(g.UserAttributes)["email_verified"]; v != "true" || g.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("after confirm: status %s email_verified %q", g.UserStatus, v)
		}
		res := s.SignIn(t, client, "JO@example.com")
		if c := testserver.JWTClaims(t, aws.ToString(res.AccessToken)); c["username"] != sub {
			t.Errorf("access username = %v, want the sub", c["username"])
		}
		_, err = s.Client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("jo@example.com"), ConfirmationCode: aws.String(code)})
		testserver.WantError[*types.NotAuthorizedException](t, err, "User cannot be confirmed. Current status is CONFIRMED")
		_, err = s.Client.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(client), Username: aws.String("jo@example.com")})
		testserver.WantError[*types.InvalidParameterException](t, err, "User is already confirmed.")
	})
	t.Run("admin create in username attributes pool", func(t *testing.T) {
		pool := s.Pool(t, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
		client := s.AppClient(t, pool, nil)
		out, err := s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("ada@example.com"),
			MessageAction: types.MessageActionTypeSuppress})
		noErr(t, err)
		sub := testserver.Attrs(out.User.Attributes)["sub"]
		if aws.ToString(out.User.Username) != sub || !uuidPattern.MatchString(sub) {
			t.Errorf("Username %q sub %q", aws.ToString(out.User.Username), sub)
		}
		if v := testserver.Attrs(out.User.Attributes)["email"]; v != "ada@example.com" {
			t.Errorf("email = %q", v)
		}
		_, err = s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("ADA@example.com"),
			MessageAction: types.MessageActionTypeSuppress})
		testserver.WantError[*types.UsernameExistsException](t, err, "An account with the given email already exists.")
		_, err = s.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("ada@example.com"),
			Password: aws.String(testserver.Password), Permanent: true})
		noErr(t, err)
		s.SignIn(t, client, "ada@example.com")
		_, err = s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("ada"),
			MessageAction: types.MessageActionTypeSuppress})
		testserver.WantError[*types.InvalidParameterException](t, err, "Username should be an email.")
	})
	t.Run("plain pool", func(t *testing.T) {
		pool := s.Pool(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
		client := s.AppClient(t, pool, nil)
		out, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("carl"), Password: aws.String(testserver.Password),
			UserAttributes: testserver.AttrList("email", "carl@example.com")})
		noErr(t, err)
		g, err := s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("carl")})
		noErr(t, err)
		if sub := testserver.Attrs(g.UserAttributes)["sub"]; sub != aws.ToString(out.UserSub) || aws.ToString(g.Username) != "carl" {
			t.Errorf("user = %s", testserver.String(g))
		}
		_, err = s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("CARL"), Password: aws.String(testserver.Password)})
		testserver.WantError[*types.UsernameExistsException](t, err, "User already exists")
		code := s.LastCode(t, pool, "carl", "email")
		_, err = s.Client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("carl"), ConfirmationCode: aws.String(code)})
		noErr(t, err)
		_, err = s.Client.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("nobody"), ConfirmationCode: aws.String(code)})
		testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
	})
	t.Run("password policy", func(t *testing.T) {
		pool := s.Pool(t, nil)
		client := s.AppClient(t, pool, nil)
		for _, tc := range []struct{ password, why string }{
			{"Sh0rt!", "Password not long enough"},
			{"lowercase1!", "Password must have uppercase characters"},
			{"UPPERCASE1!", "Password must have lowercase characters"},
			{"NoNumbers!", "Password must have numeric characters"},
			{"NoSymbols1", "Password must have symbol characters"},
		} {
			t.Run(tc.why, func(t *testing.T) {
				_, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("pw"), Password: aws.String(tc.password)})
				testserver.WantError[*types.InvalidPasswordException](t, err, "Password did not conform with policy: "+tc.why)
			})
		}
		relaxed := s.Pool(t, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(6)}}})
		rc := s.AppClient(t, relaxed, nil)
		_, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(rc), Username: aws.String("pw"), Password: aws.String("simple")})
		noErr(t, err)
	})
	t.Run("admin create only", func(t *testing.T) {
		pool := s.Pool(t, &cip.CreateUserPoolInput{AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true}})
		client := s.AppClient(t, pool, nil)
		_, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("x"), Password: aws.String(testserver.Password)})
		testserver.WantError[*types.NotAuthorizedException](t, err, "SignUp is not permitted for this user pool")
	})
	t.Run("unknown client", func(t *testing.T) {
		_, err := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String("nosuchclient0000000000000a"), Username: aws.String("x"), Password: aws.String(testserver.Password)})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client nosuchclient0000000000000a does not exist.")
	})
}

func TestFoundationListUsers(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, nil)
	s.User(t, pool, "ann", "email", "ann@example.com", "given_name", "Ann")
	s.User(t, pool, "andy", "email", "andy@example.org", "given_name", `Andy "Q"`)
	s.User(t, pool, "bea", "email", "bea@example.com")
	_, err := s.Client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("bea")})
	noErr(t, err)
	list := func(in cip.ListUsersInput) (*cip.ListUsersOutput, error) {
		in.UserPoolId = aws.String(pool)
		return s.Client.ListUsers(ctx, &in)
	}
	names := func(out *cip.ListUsersOutput) []string {
		var n []string
		for _, u := range out.Users {
			n = append(n, aws.ToString(u.Username))
		}
		return n
	}
	for _, tc := range []struct {
		filter string
		want   string
	}{
		{"", "[andy ann bea]"},
		{`email = "ann@example.com"`, "[ann]"},
		{`email="ann@example.com"`, "[ann]"},
		{`email ^= "an"`, "[andy ann]"},
		{`username ^= "b"`, "[bea]"},
		{`given_name = "Andy \"Q\""`, "[andy]"},
		{`status = "Disabled"`, "[bea]"},
		{`cognito:user_status = "CONFIRMED"`, "[andy ann bea]"},
		{`email = "nobody@example.com"`, "[]"},
	} {
		t.Run("filter "+tc.filter, func(t *testing.T) {
			out, err := list(cip.ListUsersInput{Filter: aws.String(tc.filter)})
			noErr(t, err)
			if got := fmt.Sprint(names(out)); got != tc.want {
				t.Errorf("users = %s, want %s", got, tc.want)
			}
		})
	}
	for _, bad := range []string{`email`, `email = ann`, `email ~= "a"`, `email = "a" "b"`, `= "a"`} {
		t.Run("bad filter "+bad, func(t *testing.T) {
			_, err := list(cip.ListUsersInput{Filter: aws.String(bad)})
			testserver.WantError[*types.InvalidParameterException](t, err, "Error while parsing filter.")
		})
	}
	t.Run("attributes to get", func(t *testing.T) {
		out, err := list(cip.ListUsersInput{Filter: aws.String(`username = "ann"`), AttributesToGet: []string{"email"}})
		noErr(t, err)
		if len(out.Users) != 1 || len(out.Users[0].Attributes) != 1 || aws.ToString(out.Users[0].Attributes[0].Name) != "email" {
			t.Errorf("users = %s", testserver.String(out.Users))
		}
		u := out.Users[0]
		if u.UserStatus != types.UserStatusTypeConfirmed || !u.Enabled || u.UserCreateDate == nil {
			t.Errorf("user = %s", testserver.String(u))
		}
	})
	t.Run("limit and pagination", func(t *testing.T) {
		var got []string
		var token *string
		pages := 0
		for {
			out, err := list(cip.ListUsersInput{Limit: aws.Int32(2), PaginationToken: token})
			noErr(t, err)
			pages++
			got = append(got, names(out)...)
			if out.PaginationToken == nil {
				break
			}
			token = out.PaginationToken
		}
		if fmt.Sprint(got) != "[andy ann bea]" || pages != 2 {
			t.Errorf("users %v over %d pages", got, pages)
		}
		out, err := list(cip.ListUsersInput{Limit: aws.Int32(3)})
		noErr(t, err)
		if out.PaginationToken != nil {
			t.Errorf("PaginationToken after the last user")
		}
		out, err = list(cip.ListUsersInput{Limit: aws.Int32(1), Filter: aws.String(`email ^= "an"`)})
		noErr(t, err)
		if fmt.Sprint(names(out)) != "[andy]" || out.PaginationToken == nil {
			t.Fatalf("filtered page 1 = %v", names(out))
		}
		out, err = list(cip.ListUsersInput{Limit: aws.Int32(1), Filter: aws.String(`email ^= "an"`), PaginationToken: out.PaginationToken})
		noErr(t, err)
		if fmt.Sprint(names(out)) != "[ann]" || out.PaginationToken != nil {
			t.Errorf("filtered page 2 = %v, token %v", names(out), out.PaginationToken)
		}
	})
	t.Run("missing pool", func(t *testing.T) {
		_, err := s.Client.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String("us-east-1_missing00")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_missing00 does not exist.")
	})
}
