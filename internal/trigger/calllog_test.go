package trigger_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

func TestCallLogKeepsTheNewestCalls(t *testing.T) {
	l := trigger.NewCallLog(3)
	for _, f := range []string{"a", "b", "c", "d", "e"} {
		pool := "p1"
		if f == "d" {
			pool = "p2"
		}
		l.Record(trigger.Call{Function: f, PoolID: pool})
	}
	names := func(cs []trigger.Call) string {
		var s []string
		for _, c := range cs {
			s = append(s, c.Function)
		}
		return strings.Join(s, ",")
	}
	tests := []struct {
		name, pool string
		limit      int
		want       string
	}{
		{"all, newest first, oldest dropped", "", 0, "e,d,c"},
		{"limited", "", 2, "e,d"},
		{"one pool", "p1", 0, "e,c"},
		{"other pool", "p2", 0, "d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(l.Recent(tt.pool, tt.limit)); got != tt.want {
				t.Errorf("Recent(%q, %d) = %s, want %s", tt.pool, tt.limit, got, tt.want)
			}
		})
	}
}

func TestCallerRecordsCalls(t *testing.T) {
	fake := newFake(t)
	fake.Handle("custom-message", lambdafake.Echo(func(ev map[string]any) {
		ev["response"] = map[string]any{"emailMessage": "code {####}"}
	}))
	fake.Handle("migrate", lambdafake.FunctionError("Error", "no such user"))
	c := newCaller(t, fake, nil, 0)
	c.Log = trigger.NewCallLog(0)

	ev := customMessageEvent(c)
	if err := c.Call(context.Background(), trigger.TriggerCustomMessage, "custom-message", ev, &trigger.CustomMessageEvent{}); err != nil {
		t.Fatal(err)
	}
	mig := trigger.UserMigrationEvent{Event: c.Header(trigger.SourceUserMigrationAuthentication, "eu-west-2_itQT3MKZj", "jane", trigger.CallerContext{})}
	mig.Request.Password = "Secret-Passw0rd"
	if err := c.Call(context.Background(), trigger.TriggerUserMigration, "migrate", mig, &trigger.UserMigrationEvent{}); err == nil {
		t.Fatal("UserMigration: want the function's error")
	}

	calls := c.Log.Recent("", 0)
	if len(calls) != 2 {
		t.Fatalf("recorded %d calls, want 2", len(calls))
	}
	failed, ok := calls[0], calls[1]
	t.Run("success", func(t *testing.T) {
		if ok.PoolID != "eu-west-2_itQT3MKZj" || ok.Function != "custom-message" || ok.Source != trigger.SourceCustomMessageUpdateUserAttribute ||
			ok.Trigger != trigger.TriggerCustomMessage || ok.Error != "" || ok.Duration <= 0 {
			t.Errorf("call = %+v", ok)
		}
		if !strings.Contains(string(ok.Response), "code {####}") || !json.Valid(ok.Event) {
			t.Errorf("event %s, response %s", ok.Event, ok.Response)
		}
	})
	t.Run("failure, password redacted", func(t *testing.T) {
		if !strings.Contains(failed.Error, "UserLambdaValidationException") || !strings.Contains(failed.Error, "no such user") {
			t.Errorf("error = %q", failed.Error)
		}
		if strings.Contains(string(failed.Event), "Secret-Passw0rd") || !strings.Contains(string(failed.Event), "(redacted)") {
			t.Errorf("event keeps the password: %s", failed.Event)
		}
	})
}
