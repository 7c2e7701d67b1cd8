package message

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SESConfig configures an SESSender.
type SESConfig struct {
	// From is the verified SES identity to send from
	// ("addr@example.com" or "Name <addr@example.com>").
	From string
	// ConfigurationSet is the optional SES configuration set name.
	ConfigurationSet string
	// Endpoint overrides the service endpoint (e.g. LocalStack's
	// "http://localhost:4566"); empty means AWS's.
	Endpoint string
	// Timeout bounds one send; default 10s.
	Timeout time.Duration
}

// SESSender sends email verification messages with Amazon SES v2
// SendEmail. It refuses SMS.
type SESSender struct {
	client  *sesv2.Client
	cfg     SESConfig
	charset *string
}

// NewSESSender returns an SES sender using awsCfg (credentials, region,
// HTTP client, retryer) and cfg.
func NewSESSender(awsCfg aws.Config, cfg SESConfig) (*SESSender, error) {
	if cfg.From == "" {
		return nil, errors.New("message: ses: from address is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSendTimeout
	}
	client := sesv2.NewFromConfig(awsCfg, func(o *sesv2.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return &SESSender{client: client, cfg: cfg, charset: aws.String("UTF-8")}, nil
}

// Send delivers an email message through SES.
func (s *SESSender) Send(ctx context.Context, m Message) error {
	if m.Medium != Email {
		return fmt.Errorf("message: ses sender cannot send %s", m.Medium)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	body := &sestypes.Body{}
	content := &sestypes.Content{Data: aws.String(m.Body), Charset: s.charset}
	if LooksLikeHTML(m.Body) {
		body.Html = content
	} else {
		body.Text = content
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.cfg.From),
		Destination:      &sestypes.Destination{ToAddresses: []string{m.Destination}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(m.Subject), Charset: s.charset},
			Body:    body,
		}},
	}
	if s.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.cfg.ConfigurationSet)
	}
	if _, err := s.client.SendEmail(ctx, in); err != nil {
		return fmt.Errorf("message: ses: %w", err)
	}
	return nil
}

// SNSConfig configures an SNSSender.
type SNSConfig struct {
	// SenderID is the optional AWS.SNS.SMS.SenderID attribute.
	SenderID string
	// Endpoint overrides the service endpoint; empty means AWS's.
	Endpoint string
	// Timeout bounds one send; default 10s.
	Timeout time.Duration
}

// SNSSender sends SMS verification messages with Amazon SNS Publish to a
// phone number, as transactional SMS. It refuses email.
type SNSSender struct {
	client *sns.Client
	cfg    SNSConfig
}

// NewSNSSender returns an SNS sender using awsCfg and cfg.
func NewSNSSender(awsCfg aws.Config, cfg SNSConfig) (*SNSSender, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSendTimeout
	}
	client := sns.NewFromConfig(awsCfg, func(o *sns.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return &SNSSender{client: client, cfg: cfg}, nil
}

// Send delivers an SMS message through SNS.
func (s *SNSSender) Send(ctx context.Context, m Message) error {
	if m.Medium != SMS {
		return fmt.Errorf("message: sns sender cannot send %s", m.Medium)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	attrs := map[string]snstypes.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
	}
	if s.cfg.SenderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s.cfg.SenderID)}
	}
	_, err := s.client.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(m.Destination),
		Message:           aws.String(m.Body),
		MessageAttributes: attrs,
	})
	if err != nil {
		return fmt.Errorf("message: sns: %w", err)
	}
	return nil
}
