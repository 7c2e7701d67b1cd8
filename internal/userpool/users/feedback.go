package users

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Feedback providers as AdminListUserAuthEvents shows them.
const (
	feedbackByAdmin = "Admin"
	// Unconfirmed: the Provider Cognito records for UpdateAuthEventFeedback
	// (the documentation names only Admin, for the console).
	feedbackByUser = "User"
)

// FeedbackToken returns the token that lets UpdateAuthEventFeedback rate
// one event of one user without signing in: an HMAC of the pool ID, the
// user's sub and the event ID under a key derived from the server secret.
// It does not expire, and a user deleted and created again under the same
// name has a new sub, so old tokens do not apply to them.
//
// Cognito puts its token in the links of its risk notification emails.
// Cognate sends none, so nothing hands the token out over the API: it is
// for tools and tests that hold the service.
func (s *Service) FeedbackToken(poolID, sub, eventID string) string {
	m := hmac.New(sha256.New, s.feedbackKey)
	for _, part := range []string{poolID, sub, eventID} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Unconfirmed: the message.
func eventNotFound() error {
	return cognito.New(cognito.ResourceNotFound, "Auth event not found.")
}

// rateEvent records feedback on the event eventID of the user named in a
// pool with threat protection; check, when not nil, runs on the user
// before the event is looked up.
func (s *Service) rateEvent(ctx context.Context, poolID, username, eventID, value, provider string, check func(*core.User) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := s.LoadPool(tx, poolID)
		if err != nil {
			return err
		}
		if !p.RecordsAuthEvents() {
			return addOnNotEnabled()
		}
		u, err := s.ResolveUser(tx, p, username)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(u); err != nil {
				return err
			}
		}
		if u.Doc.Extra == nil {
			return eventNotFound()
		}
		for i := range u.Doc.Extra.AuthEvents {
			ev := &u.Doc.Extra.AuthEvents[i]
			if ev.ID != eventID {
				continue
			}
			ev.Feedback = &core.AuthEventFeedback{Value: value, Provider: provider, At: s.Now().UTC()}
			// Feedback is not a change to the user: its
			// UserLastModifiedDate stays.
			return core.SaveUser(tx, u)
		}
		return eventNotFound()
	})
}

// AdminUpdateAuthEventFeedback rates a user's sign-in event as Valid or
// Invalid; AdminListUserAuthEvents shows it with Provider Admin. Later
// feedback replaces earlier.
func (s *Service) AdminUpdateAuthEventFeedback(ctx context.Context, in *model.AdminUpdateAuthEventFeedbackRequest) (any, error) {
	err := s.rateEvent(ctx, model.StringValue(in.UserPoolId), model.StringValue(in.Username), model.StringValue(in.EventId),
		model.StringValue(in.FeedbackValue), feedbackByAdmin, nil)
	return nil, err
}

// UpdateAuthEventFeedback is AdminUpdateAuthEventFeedback for the user
// themselves, unsigned: the FeedbackToken of the event (FeedbackToken)
// stands in for credentials.
//
// Unconfirmed: a wrong token is NotAuthorizedException with this message,
// and it is checked before the event is looked up, so that the answer
// does not tell which event IDs exist.
func (s *Service) UpdateAuthEventFeedback(ctx context.Context, in *model.UpdateAuthEventFeedbackRequest) (any, error) {
	poolID, eventID := model.StringValue(in.UserPoolId), model.StringValue(in.EventId)
	err := s.rateEvent(ctx, poolID, model.StringValue(in.Username), eventID, model.StringValue(in.FeedbackValue), feedbackByUser,
		func(u *core.User) error {
			want := s.FeedbackToken(poolID, u.Rec.Sub, eventID)
			if !hmac.Equal([]byte(want), []byte(model.StringValue(in.FeedbackToken))) {
				return cognito.New(cognito.NotAuthorized, "Invalid feedback token.")
			}
			return nil
		})
	return nil, err
}
