package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

const (
	fnDefine = "arn:aws:lambda:us-east-1:123456789012:function:define-auth"
	fnCreate = "arn:aws:lambda:us-east-1:123456789012:function:create-auth"
	fnVerify = "arn:aws:lambda:us-east-1:123456789012:function:verify-auth"
)

// rounds reads request.session of a challenge trigger event.
func rounds(ev map[string]any) []map[string]any {
	list, _ := member(ev, "request")["session"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

// scriptedDefine is a DefineAuthChallenge function as teams write them:
// after SRP_A the password proof, then a custom challenge; tokens after a
// right answer, failure after three wrong ones.
func scriptedDefine(ev map[string]any) {
	session := rounds(ev)
	resp := map[string]any{"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false, "failAuthentication": false}
	wrong := 0
	for _, r := range session {
		if r["challengeName"] == "CUSTOM_CHALLENGE" && r["challengeResult"] == false {
			wrong++
		}
	}
	if n := len(session); n > 0 {
		last := session[n-1]
		switch {
		case last["challengeName"] == "SRP_A":
			resp["challengeName"] = "PASSWORD_VERIFIER"
		case last["challengeName"] == "CUSTOM_CHALLENGE" && last["challengeResult"] == true:
			resp = map[string]any{"issueTokens": true, "failAuthentication": false}
		case wrong >= 3:
			resp = map[string]any{"issueTokens": false, "failAuthentication": true}
		}
	}
	ev["response"] = resp
}

// scriptedCreate asks for a word that changes every round.
func scriptedCreate(ev map[string]any) {
	n := len(rounds(ev))
	ev["response"] = map[string]any{
		"publicChallengeParameters":  map[string]any{"hint": "say the word"},
		"privateChallengeParameters": map[string]any{"answer": fmt.Sprintf("word-%d", n)},
		"challengeMetadata":          fmt.Sprintf("ROUND-%d", n),
	}
}

func scriptedVerify(ev map[string]any) {
	req := member(ev, "request")
	private := stringMap(req["privateChallengeParameters"])
	ev["response"] = map[string]any{"answerCorrect": req["challengeAnswer"] == private["answer"]}
}

func customEnv(t *testing.T) *env {
	t.Helper()
	e := newTriggerEnv(t, &types.LambdaConfigType{DefineAuthChallenge: aws.String(fnDefine), CreateAuthChallenge: aws.String(fnCreate),
		VerifyAuthChallengeResponse: aws.String(fnVerify)}, nil,
		&cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	e.fake.Handle(fnDefine, lambdafake.Echo(scriptedDefine))
	e.fake.Handle(fnCreate, lambdafake.Echo(scriptedCreate))
	e.fake.Handle(fnVerify, lambdafake.Echo(scriptedVerify))
	e.s.User(t, e.pool, "ana")
	return e
}

func (e *env) customInitiate(params map[string]string, md map[string]string) (*cip.InitiateAuthOutput, error) {
	return e.s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth,
		ClientId: aws.String(e.client), AuthParameters: params, ClientMetadata: md})
}

func TestCustomAuthWithoutSRP(t *testing.T) {
	e := customEnv(t)
	md := map[string]string{"tenant": "acme"}
	out, err := e.customInitiate(map[string]string{"USERNAME": "ana"}, md)
	noErr(t, err)
	wantChallenge(t, out.ChallengeName, out.ChallengeParameters, out.AuthenticationResult, out.Session, types.ChallengeNameTypeCustomChallenge,
		map[string]string{"hint": "say the word", "USERNAME": "ana"})
	def := e.lastEvent(t, fnDefine)
	e.wantHeader(t, def, "1", "DefineAuthChallenge_Authentication", "ana", e.client)
	wantJSON(t, "first Define session", member(def, "request")["session"], `[]`)
	if got := stringMap(member(def, "request")["clientMetadata"]); got["tenant"] != "acme" {
		t.Errorf("Define clientMetadata = %v", got)
	}
	e.wantHeader(t, e.lastEvent(t, fnCreate), "1", "CreateAuthChallenge_Authentication", "ana", e.client)
	if got := member(e.lastEvent(t, fnCreate), "request")["challengeName"]; got != "CUSTOM_CHALLENGE" {
		t.Errorf("Create challengeName = %v", got)
	}

	// A wrong answer: Verify sees the private parameters, Define the round.
	wrong, err := e.respond(types.ChallengeNameTypeCustomChallenge, out.Session, "ana", "ANSWER", "nope")
	noErr(t, err)
	if wrong.ChallengeName != types.ChallengeNameTypeCustomChallenge || aws.ToString(wrong.Session) == "" {
		t.Fatalf("after a wrong answer: %s", testserver.String(wrong))
	}
	ver := e.lastEvent(t, fnVerify)
	e.wantHeader(t, ver, "1", "VerifyAuthChallengeResponse_Authentication", "ana", e.client)
	wantJSON(t, "Verify private parameters", member(ver, "request")["privateChallengeParameters"], `{"answer":"word-0"}`)
	if got := member(ver, "request")["challengeAnswer"]; got != "nope" {
		t.Errorf("Verify challengeAnswer = %v", got)
	}
	wantJSON(t, "Define session after a wrong answer", member(e.lastEvent(t, fnDefine), "request")["session"],
		`[{"challengeName":"CUSTOM_CHALLENGE","challengeResult":false,"challengeMetadata":"ROUND-0"}]`)

	// The private parameters never reach the client; the right answer signs in.
	if _, ok := wrong.ChallengeParameters["answer"]; ok {
		t.Fatal("private challenge parameters leaked into ChallengeParameters")
	}
	// The first session was spent by the wrong answer: no second guess on it.
	_, err = e.respond(types.ChallengeNameTypeCustomChallenge, out.Session, "ana", "ANSWER", "word-0")
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")
	ans, err := e.respond(types.ChallengeNameTypeCustomChallenge, wrong.Session, "ana", "ANSWER", "word-1")
	noErr(t, err)
	e.wantTokens(t, ans)
	_, err = e.respond(types.ChallengeNameTypeCustomChallenge, wrong.Session, "ana", "ANSWER", "word-1")
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")

	// The session belongs to its user.
	e.s.User(t, e.pool, "bob")
	_, err = e.respond(types.ChallengeNameTypeCustomChallenge, out.Session, "bob", "ANSWER", "word-0")
	testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
	_, err = e.respond(types.ChallengeNameTypeCustomChallenge, out.Session, "ana")
	testserver.WantError[*types.InvalidParameterException](t, err, "Missing required parameter ANSWER")
}

func TestCustomAuthFailsAfterWrongAnswers(t *testing.T) {
	e := customEnv(t)
	out, err := e.customInitiate(map[string]string{"USERNAME": "ana"}, nil)
	noErr(t, err)
	session := out.Session
	for i := 0; i < 2; i++ {
		next, err := e.respond(types.ChallengeNameTypeCustomChallenge, session, "ana", "ANSWER", "nope")
		noErr(t, err)
		session = next.Session
	}
	_, err = e.respond(types.ChallengeNameTypeCustomChallenge, session, "ana", "ANSWER", "nope")
	testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
}

func TestCustomAuthWithSRP(t *testing.T) {
	e := customEnv(t)
	c, err := srp.NewClient(rand.Reader, e.pool)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.customInitiate(map[string]string{"USERNAME": "ana", "SRP_A": c.SrpAHex(), "CHALLENGE_NAME": "SRP_A"}, nil)
	noErr(t, err)
	if out.ChallengeName != types.ChallengeNameTypePasswordVerifier || aws.ToString(out.Session) == "" {
		t.Fatalf("CUSTOM_AUTH with SRP_A answered %s", testserver.String(out))
	}
	wantJSON(t, "Define session after SRP_A", member(e.lastEvent(t, fnDefine), "request")["session"],
		`[{"challengeName":"SRP_A","challengeResult":true,"challengeMetadata":null}]`)
	p := out.ChallengeParameters
	proof := func(password string) map[string]string {
		ts, sig, err := c.Respond(p["USER_ID_FOR_SRP"], password, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], e.s.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig}
	}
	_, err = srpRespond(e.s, "", e.client, types.ChallengeNameTypePasswordVerifier, out.Session, proof("Wr0ng-password!"))
	testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	pv, err := srpRespond(e.s, "", e.client, types.ChallengeNameTypePasswordVerifier, out.Session, proof(testserver.Password))
	noErr(t, err)
	if pv.ChallengeName != types.ChallengeNameTypeCustomChallenge {
		t.Fatalf("after the password: %s", testserver.String(pv))
	}
	wantJSON(t, "Define session after the password", member(e.lastEvent(t, fnDefine), "request")["session"],
		`[{"challengeName":"SRP_A","challengeResult":true,"challengeMetadata":null},{"challengeName":"PASSWORD_VERIFIER","challengeResult":true,"challengeMetadata":null}]`)
	ans, err := e.respond(types.ChallengeNameTypeCustomChallenge, pv.Session, "ana", "ANSWER", "word-2")
	noErr(t, err)
	e.wantTokens(t, ans)
}

func TestCustomAuthBadLambdaAnswers(t *testing.T) {
	e := customEnv(t)
	for _, tc := range []struct {
		name    string
		handler lambdafake.HandlerFunc
		check   func(error)
	}{
		{"no decision", echoResponse(`{"challengeName":null,"issueTokens":false,"failAuthentication":false}`), func(err error) {
			testserver.WantError[*types.InvalidLambdaResponseException](t, err, "Unrecognizable lambda output")
		}},
		{"unserved challenge", echoResponse(`{"challengeName":"SMS_MFA","issueTokens":false,"failAuthentication":false}`), func(err error) {
			testserver.WantError[*types.InvalidLambdaResponseException](t, err, "Invalid lambda response: challenge SMS_MFA is not supported.")
		}},
		{"password proof without SRP_A", echoResponse(`{"challengeName":"PASSWORD_VERIFIER","issueTokens":false,"failAuthentication":false}`), func(err error) {
			testserver.WantError[*types.InvalidLambdaResponseException](t, err, "Invalid lambda response: PASSWORD_VERIFIER needs SRP_A.")
		}},
		{"function error", lambdafake.FunctionError("Error", "nope"), func(err error) {
			testserver.WantError[*types.UserLambdaValidationException](t, err, "DefineAuthChallenge failed with error nope.")
		}},
		{"fail", echoResponse(`{"challengeName":null,"issueTokens":false,"failAuthentication":true}`), func(err error) {
			testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.fake.Handle(fnDefine, tc.handler)
			_, err := e.customInitiate(map[string]string{"USERNAME": "ana"}, nil)
			tc.check(err)
		})
	}

	// A Define that never decides runs out of rounds.
	e.fake.Handle(fnDefine, echoResponse(`{"challengeName":"CUSTOM_CHALLENGE","issueTokens":false,"failAuthentication":false}`))
	out, err := e.customInitiate(map[string]string{"USERNAME": "ana"}, nil)
	noErr(t, err)
	session := out.Session
	for i := 1; i < 8; i++ {
		next, err := e.respond(types.ChallengeNameTypeCustomChallenge, session, "ana", "ANSWER", "nope")
		noErr(t, err)
		session = next.Session
	}
	_, err = e.respond(types.ChallengeNameTypeCustomChallenge, session, "ana", "ANSWER", "nope")
	testserver.WantError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")

	// Clients must allow the flow, pools must have the trigger.
	other := e.s.AppClient(t, e.pool, nil)
	_, err = e.s.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: aws.String(other),
		AuthParameters: map[string]string{"USERNAME": "ana"}})
	testserver.WantError[*types.InvalidParameterException](t, err, "CUSTOM_AUTH flow not enabled for this client")
	plain := newEnv(t, nil, &cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	_, err = plain.customInitiate(map[string]string{"USERNAME": "ana"}, nil)
	testserver.WantError[*types.InvalidParameterException](t, err, "Custom auth lambda trigger is not configured for the user pool.")
}
