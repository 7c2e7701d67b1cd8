package delivery

import (
	"context"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// Outgoing is a verification message about to be sent.
type Outgoing struct {
	Attr    string // "email" or "phone_number"
	Value   string // the destination address or number
	Purpose string // code purpose (attribute name, signup, forgot)
	Source  string // CustomMessage trigger source
	Code    string
	// Templates, when set, replace the pool's verification templates
	// (MFA codes use the pool's authentication messages).
	Templates *message.Templates
	msg       message.Message // composed by compose
}

func mediumOf(attr string) message.Medium {
	if attr == "phone_number" {
		return message.SMS
	}
	return message.Email
}

// details returns the CodeDeliveryDetails entry of o.
func (o *Outgoing) details() model.CodeDeliveryDetailsType {
	m := mediumOf(o.Attr)
	return model.CodeDeliveryDetailsType{
		AttributeName:  model.String(o.Attr),
		DeliveryMedium: model.String(string(m)),
		Destination:    model.String(message.Mask(m, o.Value)),
	}
}

// Compose builds the messages, running the pool's CustomMessage trigger
// when it has one. attrs are the user's attributes as the trigger should
// see them. It runs outside any store transaction.
func (s *Service) Compose(ctx context.Context, p *core.Pool, username string, attrs map[string]string, status, clientID string,
	clientMetadata map[string]string, outs []*Outgoing) error {
	tmpl := message.Templates{}
	if t := p.Cfg.VerificationMessageTemplate; t != nil {
		tmpl.EmailSubject = model.StringValue(t.EmailSubject)
		tmpl.EmailMessage = model.StringValue(t.EmailMessage)
		tmpl.SMSMessage = model.StringValue(t.SmsMessage)
	}
	fn := ""
	if p.Cfg.LambdaConfig != nil {
		fn = model.StringValue(p.Cfg.LambdaConfig.CustomMessage)
	}
	for _, o := range outs {
		medium := mediumOf(o.Attr)
		t := tmpl
		if o.Templates != nil {
			t = *o.Templates
		}
		subject, body := message.Compose(t, medium, o.Code, username)
		if fn != "" {
			var err error
			subject, body, err = s.customMessage(ctx, p, fn, username, attrs, status, clientID, clientMetadata, o, subject, body)
			if err != nil {
				return err
			}
		}
		id, err := s.NewUUID()
		if err != nil {
			return err
		}
		o.msg = message.Message{
			ID: id, PoolID: p.Id, Username: username, AttributeName: o.Attr, Medium: medium,
			Destination: o.Value, Subject: subject, Body: body, Code: o.Code, Created: s.Now().UTC(),
		}
	}
	return nil
}

// customMessage invokes the CustomMessage trigger for one message and
// returns the subject and body to send.
func (s *Service) customMessage(ctx context.Context, p *core.Pool, fn, username string, attrs map[string]string, status, clientID string,
	clientMetadata map[string]string, o *Outgoing, subject, body string) (string, string, error) {
	ev := trigger.CustomMessageEvent{
		Event: s.triggers.EventHeader(ctx, p, o.Source, username, clientID),
		Request: trigger.CustomMessageRequest{
			UserAttributes: triggers.EventAttributes(p, attrs, status), CodeParameter: "{####}", LinkParameter: "{##Click Here##}",
			UsernameParameter: triggers.UsernameParameter(o.Source), ClientMetadata: clientMetadata,
		},
	}
	var out trigger.CustomMessageEvent
	if err := s.triggers.Call(ctx, "CustomMessage", fn, ev, &out); err != nil {
		return "", "", err
	}
	medium := mediumOf(o.Attr)
	if medium == message.SMS {
		if m := out.Response.SMSMessage; m != nil {
			if err := message.ValidateCustom(medium, *m); err != nil {
				return "", "", err
			}
			body = fillCustomMessage(*m, o, username)
		}
		return subject, body, nil
	}
	if m := out.Response.EmailMessage; m != nil {
		if err := message.ValidateCustom(medium, *m); err != nil {
			return "", "", err
		}
		body = fillCustomMessage(*m, o, username)
	}
	if m := out.Response.EmailSubject; m != nil {
		subject = *m
	}
	return subject, body, nil
}

// Record stores the composed messages in the outbox, inside tx.
func Record(tx store.Tx, outs []*Outgoing) error {
	for _, o := range outs {
		if err := tx.CreateMessage(o.msg.ToRecord()); err != nil {
			return err
		}
	}
	return nil
}

// Deliver hands the recorded messages to the sender, after the commit. A
// failed hand-off is CodeDeliveryFailureException, as in Cognito; the
// message stays in the outbox for a retry.
func (s *Service) Deliver(ctx context.Context, outs []*Outgoing) ([]model.CodeDeliveryDetailsType, error) {
	var details []model.CodeDeliveryDetailsType
	for _, o := range outs {
		if err := s.dispatcher.Deliver(ctx, o.msg.ID); err != nil {
			s.Log.Warn("message delivery failed", "pool", o.msg.PoolID, "attribute", o.Attr, "error", err)
			return nil, cognito.New(cognito.CodeDeliveryFailure, "Unable to deliver the verification message.")
		}
		details = append(details, o.details())
	}
	return details, nil
}

// fillCustomMessage puts the code (and, for invitations, the username) in
// place of the placeholders of a body returned by the CustomMessage trigger.
func fillCustomMessage(body string, o *Outgoing, username string) string {
	body = strings.ReplaceAll(body, "{####}", o.Code)
	if o.Source == trigger.SourceCustomMessageAdminCreateUser {
		body = strings.ReplaceAll(body, "{username}", username)
	}
	return body
}

// SendCode sends o's code to the user snapshot u and makes it u's live
// code for o.Purpose: the message is composed (CustomMessage runs outside
// any transaction), the send limit, the code and the outbox entry are
// written in one transaction, and the message is handed to the sender
// after the commit.
func (s *Service) SendCode(ctx context.Context, p *core.Pool, u *core.User, clientID string, clientMetadata map[string]string, o *Outgoing) (*model.CodeDeliveryDetailsType, error) {
	outs := []*Outgoing{o}
	if err := s.Compose(ctx, p, u.Rec.Username, u.Doc.Attributes, u.Doc.Status, clientID, clientMetadata, outs); err != nil {
		return nil, err
	}
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		fresh, err := s.Reload(tx, p, u)
		if err != nil {
			return err
		}
		if err := s.NoteSend(fresh, o.Purpose); err != nil {
			return err
		}
		s.StoreCode(p, fresh, o.Purpose, o.Code, o.Value)
		if err := s.PutUser(tx, fresh); err != nil {
			return err
		}
		return Record(tx, outs)
	})
	if err != nil {
		return nil, err
	}
	details, err := s.Deliver(ctx, outs)
	if err != nil {
		return nil, err
	}
	return &details[0], nil
}
