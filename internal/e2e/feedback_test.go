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

func listEvents(t *testing.T, e *env, username string) []types.AuthEventType {
	t.Helper()
	out, err := e.s.Client.AdminListUserAuthEvents(context.Background(), &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(e.pool), Username: aws.String(username)})
	noErr(t, err)
	return out.AuthEvents
}

func wantFeedback(t *testing.T, ev types.AuthEventType, value types.FeedbackValueType, provider string) {
	t.Helper()
	f := ev.EventFeedback
	if f == nil || f.FeedbackValue != value || aws.ToString(f.Provider) != provider || f.FeedbackDate == nil || time.Since(*f.FeedbackDate) > time.Minute {
		t.Fatalf("EventFeedback = %+v, want %s by %s, dated now", f, value, provider)
	}
}

func TestAuthEventFeedback(t *testing.T) {
	t.Parallel()
	e := protectedEnv(t)
	ctx := context.Background()
	e.s.User(t, e.pool, "ava")
	e.s.SignIn(t, e.client, "ava")
	if _, err := e.signIn("ava", "Wr0ng-password!", nil); err == nil {
		t.Fatal("a wrong password signed in")
	}
	evs := listEvents(t, e, "ava")
	if len(evs) != 2 || evs[0].EventFeedback != nil || evs[1].EventFeedback != nil {
		t.Fatalf("events = %+v, want two without feedback", evs)
	}
	failed, passed := aws.ToString(evs[0].EventId), aws.ToString(evs[1].EventId)
	user, err := e.s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("ava")})
	noErr(t, err)
	sub := testserver.Attrs(user.UserAttributes)["sub"]
	admin := func(username, eventID string, v types.FeedbackValueType) error {
		_, err := e.s.Client.AdminUpdateAuthEventFeedback(ctx, &cip.AdminUpdateAuthEventFeedbackInput{
			UserPoolId: aws.String(e.pool), Username: aws.String(username), EventId: aws.String(eventID), FeedbackValue: v})
		return err
	}
	byUser := func(eventID, token string, v types.FeedbackValueType) error {
		_, err := e.s.Client.UpdateAuthEventFeedback(ctx, &cip.UpdateAuthEventFeedbackInput{
			UserPoolId: aws.String(e.pool), Username: aws.String("ava"), EventId: aws.String(eventID), FeedbackToken: aws.String(token), FeedbackValue: v})
		return err
	}

	t.Run("admin feedback", func(t *testing.T) {
		noErr(t, admin("ava", failed, types.FeedbackValueTypeInvalid))
		evs := listEvents(t, e, "ava")
		wantFeedback(t, evs[0], types.FeedbackValueTypeInvalid, "Admin")
		if evs[1].EventFeedback != nil {
			t.Fatalf("other event has feedback %+v", evs[1].EventFeedback)
		}
	})
	t.Run("later feedback replaces earlier", func(t *testing.T) {
		noErr(t, admin("ava", failed, types.FeedbackValueTypeValid))
		wantFeedback(t, listEvents(t, e, "ava")[0], types.FeedbackValueTypeValid, "Admin")
	})
	t.Run("feedback leaves the user's modification date", func(t *testing.T) {
		again, err := e.s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("ava")})
		noErr(t, err)
		if !again.UserLastModifiedDate.Equal(*user.UserLastModifiedDate) {
			t.Fatalf("UserLastModifiedDate %v, was %v", again.UserLastModifiedDate, user.UserLastModifiedDate)
		}
	})
	t.Run("user feedback with the event's token", func(t *testing.T) {
		token := e.s.App.Service.Users.FeedbackToken(e.pool, sub, passed)
		noErr(t, byUser(passed, token, types.FeedbackValueTypeInvalid))
		wantFeedback(t, listEvents(t, e, "ava")[1], types.FeedbackValueTypeInvalid, "User")
	})
	t.Run("a token of another event does not apply", func(t *testing.T) {
		token := e.s.App.Service.Users.FeedbackToken(e.pool, sub, passed)
		err := byUser(failed, token, types.FeedbackValueTypeInvalid)
		testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid feedback token.")
		err = byUser(passed, token+"x", types.FeedbackValueTypeValid)
		testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid feedback token.")
		err = byUser("no-such-event", token, types.FeedbackValueTypeValid)
		testserver.WantError[*types.NotAuthorizedException](t, err, "Invalid feedback token.")
		wantFeedback(t, listEvents(t, e, "ava")[0], types.FeedbackValueTypeValid, "Admin")
	})
	t.Run("unknown event, user and pool", func(t *testing.T) {
		testserver.WantError[*types.ResourceNotFoundException](t, admin("ava", "no-such-event", types.FeedbackValueTypeValid), "Auth event not found.")
		token := e.s.App.Service.Users.FeedbackToken(e.pool, sub, "no-such-event")
		testserver.WantError[*types.ResourceNotFoundException](t, byUser("no-such-event", token, types.FeedbackValueTypeValid), "Auth event not found.")
		testserver.WantError[*types.UserNotFoundException](t, admin("nobody", failed, types.FeedbackValueTypeValid), "User does not exist.")
		_, err := e.s.Client.AdminUpdateAuthEventFeedback(ctx, &cip.AdminUpdateAuthEventFeedbackInput{
			UserPoolId: aws.String("us-east-1_Nope"), Username: aws.String("ava"), EventId: aws.String(failed), FeedbackValue: types.FeedbackValueTypeValid})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
	})
}

func TestAuthEventFeedbackNeedsThreatProtection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	e.s.User(t, e.pool, "ava")
	const msg = "Advanced security features are not enabled for this user pool."
	_, err := e.s.Client.AdminUpdateAuthEventFeedback(context.Background(), &cip.AdminUpdateAuthEventFeedbackInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("ava"), EventId: aws.String("e1"), FeedbackValue: types.FeedbackValueTypeValid})
	testserver.WantError[*types.UserPoolAddOnNotEnabledException](t, err, msg)
	_, err = e.s.Client.UpdateAuthEventFeedback(context.Background(), &cip.UpdateAuthEventFeedbackInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("ava"), EventId: aws.String("e1"), FeedbackToken: aws.String("t"), FeedbackValue: types.FeedbackValueTypeValid})
	testserver.WantError[*types.UserPoolAddOnNotEnabledException](t, err, msg)
}
