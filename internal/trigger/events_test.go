package trigger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

// canonical re-encodes JSON so that comparisons ignore key order and spacing.
func canonical(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

const header = `"version":"1","triggerSource":"S","region":"r","userPoolId":"p","userName":"u","callerContext":{"awsSdkVersion":"aws-sdk-unknown-unknown","clientId":"CLIENT_ID_NOT_APPLICABLE"}`

func TestEventJSON(t *testing.T) {
	h := trigger.Event{Version: "1", TriggerSource: "S", Region: "r", UserPoolID: "p", UserName: "u",
		CallerContext: trigger.CallerContext{AWSSDKVersion: "aws-sdk-unknown-unknown", ClientID: trigger.ClientIDNotApplicable}}
	h2 := h
	h2.Version = trigger.PreTokenGenerationVersion("V2_0")
	attrs := map[string]string{"sub": "1"}
	tests := []struct {
		name  string
		event any
		want  string
	}{
		{"custom message admin create user", trigger.CustomMessageEvent{Event: h, Request: trigger.CustomMessageRequest{
			UserAttributes: attrs, CodeParameter: "{####}", LinkParameter: "{##Click Here##}", UsernameParameter: str("{username}")}},
			`{` + header + `,"request":{"userAttributes":{"sub":"1"},"codeParameter":"{####}","linkParameter":"{##Click Here##}","usernameParameter":"{username}"},"response":{"smsMessage":null,"emailMessage":null,"emailSubject":null}}`},
		{"pre sign-up", trigger.PreSignUpEvent{Event: h, Request: trigger.PreSignUpRequest{UserAttributes: attrs, ClientMetadata: map[string]string{"a": "b"}}},
			`{` + header + `,"request":{"userAttributes":{"sub":"1"},"validationData":null,"clientMetadata":{"a":"b"}},"response":{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false}}`},
		{"post confirmation", trigger.PostConfirmationEvent{Event: h, Request: trigger.PostConfirmationRequest{UserAttributes: attrs}},
			`{` + header + `,"request":{"userAttributes":{"sub":"1"}},"response":{}}`},
		{"pre authentication", trigger.PreAuthenticationEvent{Event: h, Request: trigger.PreAuthenticationRequest{UserAttributes: attrs, ValidationData: map[string]string{"k": "v"}, UserNotFound: true}},
			`{` + header + `,"request":{"userAttributes":{"sub":"1"},"validationData":{"k":"v"},"userNotFound":true},"response":{}}`},
		{"post authentication", trigger.PostAuthenticationEvent{Event: h, Request: trigger.PostAuthenticationRequest{UserAttributes: attrs, NewDeviceUsed: true}},
			`{` + header + `,"request":{"userAttributes":{"sub":"1"},"newDeviceUsed":true},"response":{}}`},
		{"user migration", trigger.UserMigrationEvent{Event: h, Request: trigger.UserMigrationRequest{Password: "pw"}},
			`{` + header + `,"request":{"password":"pw","validationData":null},"response":{"userAttributes":null,"finalUserStatus":null,"messageAction":null,"desiredDeliveryMediums":null,"forceAliasCreation":null,"enableSMSMFA":null}}`},
		{"pre token generation v1", trigger.PreTokenGenerationEvent{Event: h, Request: trigger.PreTokenGenerationRequest{UserAttributes: attrs,
			GroupConfiguration: trigger.GroupConfiguration{GroupsToOverride: []string{"g"}, IAMRolesToOverride: []string{}}}},
			`{` + header + `,"request":{"userAttributes":{"sub":"1"},"groupConfiguration":{"groupsToOverride":["g"],"iamRolesToOverride":[],"preferredRole":null}},"response":{"claimsOverrideDetails":null}}`},
		{"pre token generation v2", trigger.PreTokenGenerationEvent{Event: h2, Request: trigger.PreTokenGenerationRequest{UserAttributes: attrs,
			Scopes: []string{"openid", "aws.cognito.signin.user.admin"}}},
			`{` + header[:len(`"version":"`)] + `2` + header[len(`"version":"1`):] + `,"request":{"userAttributes":{"sub":"1"},"groupConfiguration":{"groupsToOverride":null,"iamRolesToOverride":null,"preferredRole":null},"scopes":["openid","aws.cognito.signin.user.admin"]},"response":{"claimsAndScopeOverrideDetails":null}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.event)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := canonical(t, got), canonical(t, []byte(tt.want)); g != w {
				t.Errorf("JSON mismatch\ngot:  %s\nwant: %s", g, w)
			}
		})
	}
}

func TestResponsesDecode(t *testing.T) {
	fake := newFake(t)
	c := newCaller(t, fake, nil, 0)
	ctx := context.Background()

	t.Run("pre token generation v2", func(t *testing.T) {
		fake.Handle("ptg", lambdafake.Raw([]byte(`{"version":"2","response":{"claimsAndScopeOverrideDetails":{
			"idTokenGeneration":{"claimsToAddOrOverride":{"tier":"gold","n":12345678901234567890,"flags":[true]},"claimsToSuppress":["email"]},
			"accessTokenGeneration":{"claimsToAddOrOverride":{"x":"y"},"scopesToAdd":["r/read"],"scopesToSuppress":["phone"]},
			"groupOverrideDetails":{"groupsToOverride":["admins"],"iamRolesToOverride":[],"preferredRole":"arn:aws:iam::1:role/r"}}}}`)))
		var out trigger.PreTokenGenerationEvent
		ev := trigger.PreTokenGenerationEvent{Event: c.Header(trigger.SourceTokenGenerationAuthentication, "p", "u", trigger.CallerContext{})}
		ev.Version = trigger.PreTokenGenerationVersion("V2_0")
		if err := c.Call(ctx, trigger.TriggerPreTokenGeneration, "ptg", ev, &out); err != nil {
			t.Fatal(err)
		}
		d := out.Response.ClaimsAndScopeOverrideDetails
		if d == nil || d.IDTokenGeneration == nil || d.AccessTokenGeneration == nil || d.GroupOverrideDetails == nil {
			t.Fatalf("decoded %+v, want all three parts", d)
		}
		if n, ok := d.IDTokenGeneration.ClaimsToAddOrOverride["n"].(json.Number); !ok || n.String() != "12345678901234567890" {
			t.Errorf("claim n = %#v, want exact json.Number", d.IDTokenGeneration.ClaimsToAddOrOverride["n"])
		}
		if got := d.AccessTokenGeneration.ScopesToAdd; len(got) != 1 || got[0] != "r/read" {
			t.Errorf("scopesToAdd = %v", got)
		}
		if p := d.GroupOverrideDetails.PreferredRole; p == nil || *p != "arn:aws:iam::1:role/r" {
			t.Errorf("preferredRole = %v", p)
		}
	})

	t.Run("user migration", func(t *testing.T) {
		fake.Handle("mig", lambdafake.Echo(func(ev map[string]any) {
			ev["response"] = map[string]any{"userAttributes": map[string]any{"email": "a@b.c", "email_verified": "true"},
				"finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS", "desiredDeliveryMediums": []string{"EMAIL"},
				"forceAliasCreation": false, "enableSMSMFA": true}
		}))
		var out trigger.UserMigrationEvent
		ev := trigger.UserMigrationEvent{Event: c.Header(trigger.SourceUserMigrationAuthentication, "p", "u", trigger.CallerContext{}),
			Request: trigger.UserMigrationRequest{Password: "pw"}}
		if err := c.Call(ctx, trigger.TriggerUserMigration, "mig", ev, &out); err != nil {
			t.Fatal(err)
		}
		r := out.Response
		if r.FinalUserStatus == nil || *r.FinalUserStatus != "CONFIRMED" || r.MessageAction == nil || *r.MessageAction != "SUPPRESS" ||
			r.ForceAliasCreation == nil || *r.ForceAliasCreation || r.EnableSMSMFA == nil || !*r.EnableSMSMFA ||
			r.UserAttributes["email"] != "a@b.c" || len(r.DesiredDeliveryMediums) != 1 {
			t.Errorf("decoded response %+v", r)
		}
	})

	t.Run("pre sign-up", func(t *testing.T) {
		fake.Handle("psu", lambdafake.Echo(func(ev map[string]any) {
			ev["response"].(map[string]any)["autoConfirmUser"] = true
			ev["response"].(map[string]any)["autoVerifyEmail"] = true
		}))
		var out trigger.PreSignUpEvent
		ev := trigger.PreSignUpEvent{Event: c.Header(trigger.SourcePreSignUpSignUp, "p", "u", trigger.CallerContext{}),
			Request: trigger.PreSignUpRequest{UserAttributes: map[string]string{"email": "a@b.c"}}}
		if err := c.Call(ctx, trigger.TriggerPreSignUp, "psu", ev, &out); err != nil {
			t.Fatal(err)
		}
		if !out.Response.AutoConfirmUser || !out.Response.AutoVerifyEmail || out.Response.AutoVerifyPhone {
			t.Errorf("decoded response %+v", out.Response)
		}
		if !bytes.Contains(fake.Events("psu")[0], []byte(`"triggerSource":"PreSignUp_SignUp"`)) {
			t.Errorf("event lacks the trigger source: %s", fake.Events("psu")[0])
		}
	})
}
