package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

// TestTriggerPreTokenGenerationV1 changes ID token claims and groups with a
// V1_0 function, at sign-in, refresh and after NEW_PASSWORD_REQUIRED.
func TestTriggerPreTokenGenerationV1(t *testing.T) {
	t.Parallel()
	e := newTriggerEnv(t, &types.LambdaConfigType{PreTokenGeneration: aws.String(fnPreToken)}, nil, nil)
	ctx := context.Background()
	e.s.User(t, e.pool, "nia", "email", "nia@example.com", "email_verified", "true", "name", "Nia")
	sub := e.adminAttrs(t, "nia")["sub"]
	e.fake.Handle(fnPreToken, echoResponse(`{"claimsOverrideDetails": {
		"claimsToAddOrOverride": {"tier": "gold", "email": "hidden@example.com", "sub": "forged", "iss": "https://evil",
			"cognito:username": "root", "token_use": "access"},
		"claimsToSuppress": ["name", "aud", "exp"],
		"groupOverrideDetails": {"groupsToOverride": ["admins", "ops"], "iamRolesToOverride": ["arn:aws:iam::123456789012:role/admin"],
			"preferredRole": "arn:aws:iam::123456789012:role/admin"}}}`))

	out, err := e.signIn("nia", testserver.Password, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	ev := e.onlyEvent(t, fnPreToken)
	e.wantHeader(t, ev, "1", "TokenGeneration_Authentication", "nia", e.client)
	wantJSON(t, "request", ev["request"], `{
		"userAttributes": {"sub": "`+sub+`", "email": "nia@example.com", "email_verified": "true", "name": "Nia", "cognito:user_status": "CONFIRMED"},
		"groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null},
		"clientMetadata": {"k": "v"}}`)
	wantJSON(t, "response", ev["response"], `{"claimsOverrideDetails": null}`)

	check := func(t *testing.T, res *types.AuthenticationResultType) {
		t.Helper()
		id, access := testserver.JWTClaims(t, aws.ToString(res.IdToken)), testserver.JWTClaims(t, aws.ToString(res.AccessToken))
		wantEntries(t, "ID token", id, map[string]any{
			"tier": "gold", "email": "hidden@example.com", "name": nil,
			"sub": sub, "cognito:username": "nia", "token_use": "id", "aud": e.client, "iss": e.s.URL + "/" + e.pool,
			"cognito:groups":         []any{"admins", "ops"},
			"cognito:roles":          []any{"arn:aws:iam::123456789012:role/admin"},
			"cognito:preferred_role": "arn:aws:iam::123456789012:role/admin",
		})
		if _, ok := id["exp"].(float64); !ok {
			t.Errorf("ID token exp = %v, want kept", id["exp"])
		}
		wantEntries(t, "access token", access, map[string]any{
			"tier": nil, "cognito:groups": []any{"admins", "ops"}, "token_use": "access", "username": "nia",
		})
	}
	check(t, out.AuthenticationResult)

	t.Run("refresh", func(t *testing.T) {
		ref, err := e.s.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{
			AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(e.client),
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(out.AuthenticationResult.RefreshToken)},
			ClientMetadata: map[string]string{"r": "1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		last := e.lastEvent(t, fnPreToken)
		e.wantHeader(t, last, "1", "TokenGeneration_RefreshTokens", "nia", e.client)
		if md := stringMap(member(last, "request")["clientMetadata"]); md["r"] != "1" {
			t.Errorf("clientMetadata = %v", md)
		}
		check(t, ref.AuthenticationResult)
	})

	t.Run("GetTokensFromRefreshToken", func(t *testing.T) {
		ref, err := e.s.Client.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{
			ClientId: aws.String(e.client), RefreshToken: out.AuthenticationResult.RefreshToken,
			ClientMetadata: map[string]string{"app": "amplify"},
		})
		if err != nil {
			t.Fatal(err)
		}
		last := e.lastEvent(t, fnPreToken)
		e.wantHeader(t, last, "1", "TokenGeneration_RefreshTokens", "nia", e.client)
		if md := stringMap(member(last, "request")["clientMetadata"]); md["app"] != "amplify" || len(md) != 1 {
			t.Errorf("clientMetadata = %v", md)
		}
		check(t, ref.AuthenticationResult)
	})

	t.Run("new password challenge", func(t *testing.T) {
		e.s.TempUser(t, e.pool, "oto", "Temp0rary!")
		init, err := e.signIn("oto", "Temp0rary!", nil)
		if err != nil || init.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Fatalf("InitiateAuth = %v, %v", init, err)
		}
		res, err := e.s.Client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(e.client), ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: init.Session,
			ChallengeResponses: map[string]string{"USERNAME": "oto", "NEW_PASSWORD": testserver.Password},
			ClientMetadata:     map[string]string{"step": "npr"},
		})
		if err != nil {
			t.Fatal(err)
		}
		last := e.lastEvent(t, fnPreToken)
		e.wantHeader(t, last, "1", "TokenGeneration_NewPasswordChallenge", "oto", e.client)
		if md := stringMap(member(last, "request")["clientMetadata"]); md["step"] != "npr" {
			t.Errorf("clientMetadata = %v", md)
		}
		if got := testserver.JWTClaims(t, aws.ToString(res.AuthenticationResult.IdToken))["tier"]; got != "gold" {
			t.Errorf("tier = %v", got)
		}
	})

	t.Run("function error", func(t *testing.T) {
		e.fake.Handle(fnPreToken, lambdafake.FunctionError("Error", "no tokens"))
		_, err := e.signIn("nia", testserver.Password, nil)
		testserver.WantError[*types.UserLambdaValidationException](t, err, "PreTokenGeneration failed with error no tokens.")
	})
}

// TestTriggerPreTokenGenerationV2 changes both tokens and the access
// token's scopes with a V2_0 function.
func TestTriggerPreTokenGenerationV2(t *testing.T) {
	t.Parallel()
	e := newTriggerEnv(t, &types.LambdaConfigType{
		PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20, LambdaArn: aws.String(fnPreToken),
		},
	}, nil, nil)
	e.s.User(t, e.pool, "pia", "email", "pia@example.com", "email_verified", "true")
	e.fake.Handle(fnPreToken, echoResponse(`{"claimsAndScopeOverrideDetails": {
		"idTokenGeneration": {"claimsToAddOrOverride": {"roles": ["reader", "writer"], "level": 3, "exp": 1},
			"claimsToSuppress": ["email"]},
		"accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": {"id": "acme"}, "client_id": "forged"},
			"claimsToSuppress": ["username", "event_id"], "scopesToAdd": ["api/read"], "scopesToSuppress": []},
		"groupOverrideDetails": null}}`))

	out, err := e.signIn("pia", testserver.Password, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := e.onlyEvent(t, fnPreToken)
	e.wantHeader(t, ev, "2", "TokenGeneration_Authentication", "pia", e.client)
	req := member(ev, "request")
	wantJSON(t, "scopes", req["scopes"], `["aws.cognito.signin.user.admin"]`)
	wantJSON(t, "groupConfiguration", req["groupConfiguration"], `{"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null}`)
	if _, ok := req["clientMetadata"]; ok {
		t.Errorf("clientMetadata present without ClientMetadata")
	}
	wantJSON(t, "response", ev["response"], `{"claimsAndScopeOverrideDetails": null}`)

	id, access := testserver.JWTClaims(t, aws.ToString(out.AuthenticationResult.IdToken)), testserver.JWTClaims(t, aws.ToString(out.AuthenticationResult.AccessToken))
	wantEntries(t, "ID token", id, map[string]any{
		"roles": []any{"reader", "writer"}, "level": float64(3), "email": nil, "email_verified": true, "token_use": "id",
	})
	if exp, _ := id["exp"].(float64); exp <= 1 {
		t.Errorf("ID token exp = %v, want kept", id["exp"])
	}
	wantEntries(t, "access token", access, map[string]any{
		"tenant": map[string]any{"id": "acme"}, "client_id": e.client, "username": "pia",
		"scope": "aws.cognito.signin.user.admin api/read", "roles": nil,
	})
	if access["event_id"] == nil {
		t.Error("access token lost event_id")
	}
	// The changed access token still works with the API.
	if _, err := e.s.Client.GetUser(context.Background(), &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken}); err != nil {
		t.Errorf("GetUser with the customised access token: %v", err)
	}

	t.Run("suppressed admin scope", func(t *testing.T) {
		e.fake.Handle(fnPreToken, echoResponse(`{"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {
			"scopesToAdd": ["api/read"], "scopesToSuppress": ["aws.cognito.signin.user.admin"]}}}`))
		out, err := e.signIn("pia", testserver.Password, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := testserver.JWTClaims(t, aws.ToString(out.AuthenticationResult.AccessToken))["scope"]; got != "api/read" {
			t.Errorf("scope = %v, want api/read", got)
		}
		_, err = e.s.Client.GetUser(context.Background(), &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
		testserver.WantError[*types.NotAuthorizedException](t, err, "Access Token does not have required scopes")
	})
}

// TestTriggerPreTokenGenerationGroups sends the user's real groups in
// groupConfiguration, and applies groupOverrideDetails to both tokens:
// groups in each, roles in the ID token only.
func TestTriggerPreTokenGenerationGroups(t *testing.T) {
	t.Parallel()
	for _, version := range []types.PreTokenGenerationLambdaVersionType{types.PreTokenGenerationLambdaVersionTypeV10, types.PreTokenGenerationLambdaVersionTypeV20} {
		t.Run(string(version), func(t *testing.T) {
			t.Parallel()
			e := newTriggerEnv(t, &types.LambdaConfigType{
				PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{LambdaVersion: version, LambdaArn: aws.String(fnPreToken)},
			}, nil, nil)
			e.s.User(t, e.pool, "gus")
			e.createGroup(t, "staff", aws.Int32(3), roleReader)
			e.createGroup(t, "admins", aws.Int32(1), roleAdmin)
			e.addToGroup(t, "gus", "staff")
			e.addToGroup(t, "gus", "admins")
			answer := "claimsOverrideDetails"
			if version != types.PreTokenGenerationLambdaVersionTypeV10 {
				answer = "claimsAndScopeOverrideDetails"
			}
			e.fake.Handle(fnPreToken, echoResponse(`{"`+answer+`": {"groupOverrideDetails": {
				"groupsToOverride": ["auditors"], "iamRolesToOverride": ["arn:aws:iam::123456789012:role/audit"],
				"preferredRole": "arn:aws:iam::123456789012:role/audit"}}}`))
			res := e.s.SignIn(t, e.client, "gus")
			ev := e.onlyEvent(t, fnPreToken)
			wantJSON(t, "groupConfiguration", member(ev, "request")["groupConfiguration"], `{
				"groupsToOverride": ["admins", "staff"],
				"iamRolesToOverride": ["`+roleAdmin+`", "`+roleReader+`"],
				"preferredRole": "`+roleAdmin+`"}`)
			id, access := testserver.JWTClaims(t, aws.ToString(res.IdToken)), testserver.JWTClaims(t, aws.ToString(res.AccessToken))
			wantEntries(t, "ID token", id, map[string]any{
				"cognito:groups":         []any{"auditors"},
				"cognito:roles":          []any{"arn:aws:iam::123456789012:role/audit"},
				"cognito:preferred_role": "arn:aws:iam::123456789012:role/audit",
			})
			wantEntries(t, "access token", access, map[string]any{
				"cognito:groups": []any{"auditors"}, "cognito:roles": nil, "cognito:preferred_role": nil,
			})
		})
	}
}
