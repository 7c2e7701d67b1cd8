package core

import (
	"context"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
)

// MaxAuthEvents is how many sign-in events a user keeps; older ones are
// dropped. Unconfirmed: Cognito keeps events for a period, not a count.
const MaxAuthEvents = 100

// AuthEvent is one recorded sign-in event (AdminListUserAuthEvents).
type AuthEvent struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`     // SignIn, …
	Created   time.Time `json:"at"`       //
	Response  string    `json:"response"` // Pass, Fail, InProgress
	Challenge string    `json:"challenge,omitempty"`
	Outcome   string    `json:"outcome,omitempty"` // Success, Failure
	IP        string    `json:"ip,omitempty"`
	Device    string    `json:"device,omitempty"`
	// Feedback is the latest AdminUpdateAuthEventFeedback or
	// UpdateAuthEventFeedback on the event, if any.
	Feedback *AuthEventFeedback `json:"feedback,omitempty"`
}

// AuthEventFeedback is what an administrator or the user said of an event.
type AuthEventFeedback struct {
	Value    string    `json:"value"`    // Valid or Invalid
	Provider string    `json:"provider"` // Admin or User
	At       time.Time `json:"at"`
}

// RecordsAuthEvents reports whether the pool records sign-in events: its
// threat protection (UserPoolAddOns.AdvancedSecurityMode) is AUDIT or
// ENFORCED.
func (p *Pool) RecordsAuthEvents() bool {
	a := p.Cfg.UserPoolAddOns
	if a == nil {
		return false
	}
	m := model.StringValue(a.AdvancedSecurityMode)
	return m == "AUDIT" || m == "ENFORCED"
}

// AddAuthEvent records a sign-in event for u when the pool records
// events: response is Pass, Fail or InProgress; outcome that of the
// password challenge (Success or Failure).
func (s *Env) AddAuthEvent(ctx context.Context, p *Pool, u *User, response, outcome string) error {
	if !p.RecordsAuthEvents() {
		return nil
	}
	id, err := s.NewUUID()
	if err != nil {
		return err
	}
	info := cognito.RequestInfoFrom(ctx)
	ev := AuthEvent{ID: id, Type: "SignIn", Created: s.Now().UTC(), Response: response,
		Challenge: "Password", Outcome: outcome, IP: info.SourceIP, Device: info.UserAgent}
	if u.Doc.Extra == nil {
		u.Doc.Extra = &UserExtra{}
	}
	evs := append([]AuthEvent{ev}, u.Doc.Extra.AuthEvents...)
	if len(evs) > MaxAuthEvents {
		evs = evs[:MaxAuthEvents]
	}
	u.Doc.Extra.AuthEvents = evs
	return nil
}

// AuthEventType is ev as AdminListUserAuthEvents shows it. Cognate does
// no risk analysis: every event is rated NoRisk.
func (ev AuthEvent) AuthEventType() model.AuthEventType {
	out := model.AuthEventType{
		EventId:       model.String(ev.ID),
		EventType:     model.String(ev.Type),
		CreationDate:  model.NewTime(ev.Created),
		EventResponse: model.String(ev.Response),
		EventRisk: &model.EventRiskType{
			RiskDecision: model.String("NoRisk"), CompromisedCredentialsDetected: model.Bool(false),
		},
		ChallengeResponses: []model.ChallengeResponseType{},
		EventContextData:   &model.EventContextDataType{},
	}
	if ev.Challenge != "" {
		out.ChallengeResponses = append(out.ChallengeResponses, model.ChallengeResponseType{
			ChallengeName: model.String(ev.Challenge), ChallengeResponse: model.String(ev.Outcome),
		})
	}
	if f := ev.Feedback; f != nil {
		out.EventFeedback = &model.EventFeedbackType{
			FeedbackValue: model.String(f.Value), Provider: model.String(f.Provider), FeedbackDate: model.NewTime(f.At),
		}
	}
	if ev.IP != "" {
		out.EventContextData.IpAddress = model.String(ev.IP)
	}
	if ev.Device != "" {
		out.EventContextData.DeviceName = model.String(ev.Device)
	}
	return out
}
