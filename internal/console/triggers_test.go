package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

const (
	fnCustomMessage = "arn:aws:lambda:us-east-1:123456789012:function:custom-message"
	fnPreSignUp     = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"
)

// triggerEnv starts a server whose pool calls a fake CustomMessage
// function that words the message, and a PreSignUp function that refuses
// sign-ups (not admins' creations).
func triggerEnv(t *testing.T) (*testserver.Server, string) {
	fake := lambdafake.New()
	t.Cleanup(fake.Close)
	fake.Handle(fnCustomMessage, lambdafake.Echo(func(ev map[string]any) {
		ev["response"] = map[string]any{"emailSubject": "Welcome", "emailMessage": "Your code is {####}", "smsMessage": nil}
	}))
	refuse, admit := lambdafake.FunctionError("Error", "sign-up is closed"), lambdafake.Echo(nil)
	fake.Handle(fnPreSignUp, func(event []byte) (int, http.Header, []byte) {
		if strings.Contains(string(event), `"PreSignUp_SignUp"`) {
			return refuse(event)
		}
		return admit(event)
	})
	s := testserver.Start(t, testserver.WithLambdaEndpoint(fake.URL))
	pool := s.Pool(t, &cip.CreateUserPoolInput{PoolName: aws.String("hooks"), AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"},
		LambdaConfig: &types.LambdaConfigType{CustomMessage: aws.String(fnCustomMessage), PreSignUp: aws.String(fnPreSignUp)}})
	return s, pool
}

type triggerRow struct {
	Time, Pool, Trigger, Function, Source, Event, Response, Duration, Error string
}

func TestConsoleTriggerLog(t *testing.T) {
	s, pool := triggerEnv(t)
	ctx := context.Background()
	p := newPerson(t, s)
	userPage := console + "/pools/" + pool + "/users/jane"
	s.User(t, pool, "jane", "email", "jane@example.com", "email_verified", "true")
	if n, failed := p.post(userPage, userPage+"/attributes", url.Values{"name": {"email"}, "value": {"jane@new.example"}}); failed {
		t.Fatal(n)
	}
	client := s.AppClient(t, pool, nil)
	_, signUpErr := s.Client.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("bob"), Password: aws.String(testserver.Password)})
	if signUpErr == nil {
		t.Fatal("SignUp: want PreSignUp's refusal")
	}

	resp, body := p.do("GET", console+"/triggers.json?pool="+pool, nil)
	var rows []triggerRow
	if err := json.Unmarshal([]byte(body), &rows); err != nil || resp.StatusCode != 200 {
		t.Fatalf("triggers.json: %d %s", resp.StatusCode, body)
	}
	if len(rows) != 3 || rows[2].Source != "PreSignUp_AdminCreateUser" {
		t.Fatalf("trigger log has %d calls, want 3 (newest first: PreSignUp_SignUp, CustomMessage, PreSignUp_AdminCreateUser): %s", len(rows), body)
	}
	failed, ok := rows[0], rows[1]
	t.Run("the CustomMessage call with its event and answer", func(t *testing.T) {
		if ok.Trigger != "CustomMessage" || ok.Source != "CustomMessage_UpdateUserAttribute" || ok.Function != fnCustomMessage || ok.Pool != pool || ok.Error != "" {
			t.Errorf("call = %+v", ok)
		}
		if !strings.Contains(ok.Event, `"userName": "jane"`) || !strings.Contains(ok.Response, "Your code is {####}") || !strings.HasSuffix(ok.Duration, " ms") {
			t.Errorf("event %s\nanswer %s\nduration %s", ok.Event, ok.Response, ok.Duration)
		}
	})
	t.Run("the failed PreSignUp call with the API's error", func(t *testing.T) {
		if failed.Trigger != "PreSignUp" || !strings.Contains(signUpErr.Error(), strings.TrimPrefix(failed.Error, "UserLambdaValidationException: ")) ||
			!strings.HasPrefix(failed.Error, "UserLambdaValidationException: ") {
			t.Errorf("logged error %q; the API said %v", failed.Error, signUpErr)
		}
	})
	t.Run("the page shows them", func(t *testing.T) {
		_, page := p.do("GET", console+"/triggers", nil)
		for _, want := range []string{"CustomMessage_UpdateUserAttribute", "PreSignUp_SignUp", "sign-up is closed", "Your code is {####}"} {
			if !strings.Contains(page, want) {
				t.Errorf("the trigger log page lacks %q", want)
			}
		}
	})
	t.Run("the outbox shows the function's wording", func(t *testing.T) {
		_, page := p.do("GET", console+"/outbox", nil)
		if !strings.Contains(page, "Welcome") || !strings.Contains(page, "Your code is "+s.LastCode(t, pool, "jane", "email")) {
			t.Errorf("outbox page lacks the custom message: %.3000s", page)
		}
	})
}
