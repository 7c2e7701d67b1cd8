package userpool

import (
	"context"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/message"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
)

// outgoing is a verification message about to be sent.
type outgoing struct {
	attr    string // "email" or "phone_number"
	value   string // the destination address or number
	purpose string // code purpose (attribute name, signup, forgot)
	source  string // CustomMessage trigger source
	code    string
	msg     message.Message // composed by compose
}

func mediumOf(attr string) message.Medium {
	if attr == "phone_number" {
		return message.SMS
	}
	return message.Email
}

// details returns the CodeDeliveryDetails entry of o.
func (o *outgoing) details() model.CodeDeliveryDetailsType {
	m := mediumOf(o.attr)
	return model.CodeDeliveryDetailsType{
		AttributeName:  model.String(o.attr),
		DeliveryMedium: model.String(string(m)),
		Destination:    model.String(message.Mask(m, o.value)),
	}
}

// compose builds the messages, running the pool's CustomMessage trigger
// when it has one. attrs are the user's attributes as the trigger should
// see them. It runs outside any store transaction.
func (s *Service) compose(ctx context.Context, p *pool, username string, attrs map[string]string, status, clientID string,
	clientMetadata map[string]string, outs []*outgoing) error {
	tmpl := message.Templates{}
	if t := p.cfg.VerificationMessageTemplate; t != nil {
		tmpl.EmailSubject = model.StringValue(t.EmailSubject)
		tmpl.EmailMessage = model.StringValue(t.EmailMessage)
		tmpl.SMSMessage = model.StringValue(t.SmsMessage)
	}
	fn := ""
	if p.cfg.LambdaConfig != nil {
		fn = model.StringValue(p.cfg.LambdaConfig.CustomMessage)
	}
	for _, o := range outs {
		medium := mediumOf(o.attr)
		subject, body := message.Compose(tmpl, medium, o.code, username)
		if fn != "" {
			var err error
			subject, body, err = s.customMessage(ctx, p, fn, username, attrs, status, clientID, clientMetadata, o, subject, body)
			if err != nil {
				return err
			}
		}
		id, err := s.newUUID()
		if err != nil {
			return err
		}
		o.msg = message.Message{
			ID: id, PoolID: p.id, Username: username, AttributeName: o.attr, Medium: medium,
			Destination: o.value, Subject: subject, Body: body, Code: o.code, Created: s.now().UTC(),
		}
	}
	return nil
}

// customMessage invokes the CustomMessage trigger for one message and
// returns the subject and body to send.
func (s *Service) customMessage(ctx context.Context, p *pool, fn, username string, attrs map[string]string, status, clientID string,
	clientMetadata map[string]string, o *outgoing, subject, body string) (string, string, error) {
	ev := trigger.CustomMessageEvent{
		Event: s.eventHeader(ctx, p, o.source, username, clientID),
		Request: trigger.CustomMessageRequest{
			UserAttributes: eventAttributes(p, attrs, status), CodeParameter: "{####}", LinkParameter: "{##Click Here##}",
			UsernameParameter: usernameParameter(o.source), ClientMetadata: clientMetadata,
		},
	}
	var out trigger.CustomMessageEvent
	if err := s.triggers.Call(ctx, "CustomMessage", fn, ev, &out); err != nil {
		return "", "", err
	}
	medium := mediumOf(o.attr)
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

// record stores the composed messages in the outbox, inside tx.
func record(tx store.Tx, outs []*outgoing) error {
	for _, o := range outs {
		if err := tx.CreateMessage(o.msg.ToRecord()); err != nil {
			return err
		}
	}
	return nil
}

// deliver hands the recorded messages to the sender, after the commit. A
// failed hand-off is CodeDeliveryFailureException, as in Cognito; the
// message stays in the outbox for a retry.
func (s *Service) deliver(ctx context.Context, outs []*outgoing) ([]model.CodeDeliveryDetailsType, error) {
	var details []model.CodeDeliveryDetailsType
	for _, o := range outs {
		if err := s.dispatcher.Deliver(ctx, o.msg.ID); err != nil {
			s.log.Warn("message delivery failed", "pool", o.msg.PoolID, "attribute", o.attr, "error", err)
			return nil, cognito.New(cognito.CodeDeliveryFailure, "Unable to deliver the verification message.")
		}
		details = append(details, o.details())
	}
	return details, nil
}
