package settings

import (
	"context"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// logDeliveryDoc is the stored log delivery configuration of a pool.
type logDeliveryDoc struct {
	LogConfigurations []model.LogConfigurationType `json:"configs"`
}

// checkLogConfigurations applies the rules the model cannot state: one
// configuration per event source, each with exactly one destination;
// user-notification logs are ERROR-level and go to CloudWatch Logs, user
// activity logs are INFO-level.
//
// Unconfirmed: the messages, and whether Cognito checks the combinations
// in this order.
func checkLogConfigurations(cs []model.LogConfigurationType) error {
	seen := map[string]bool{}
	for _, c := range cs {
		src, level := model.StringValue(c.EventSource), model.StringValue(c.LogLevel)
		if seen[src] {
			return cognito.Errorf(cognito.InvalidParameter, "Only one log configuration is allowed per event source: %s.", src)
		}
		seen[src] = true
		n := 0
		for _, set := range []bool{c.CloudWatchLogsConfiguration != nil, c.S3Configuration != nil, c.FirehoseConfiguration != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return cognito.New(cognito.InvalidParameter, "Exactly one of CloudWatchLogsConfiguration, S3Configuration or FirehoseConfiguration must be set.")
		}
		switch src {
		case "userNotification":
			if level != "ERROR" {
				return cognito.New(cognito.InvalidParameter, "The log level for event source userNotification must be ERROR.")
			}
			if c.CloudWatchLogsConfiguration == nil {
				return cognito.New(cognito.InvalidParameter, "Logs for event source userNotification can only be delivered to CloudWatch Logs.")
			}
		case "userAuthEvents":
			if level != "INFO" {
				return cognito.New(cognito.InvalidParameter, "The log level for event source userAuthEvents must be INFO.")
			}
		}
		if c.CloudWatchLogsConfiguration != nil && c.CloudWatchLogsConfiguration.LogGroupArn == nil ||
			c.S3Configuration != nil && c.S3Configuration.BucketArn == nil ||
			c.FirehoseConfiguration != nil && c.FirehoseConfiguration.StreamArn == nil {
			return cognito.New(cognito.InvalidParameter, "The log delivery destination must have an ARN.")
		}
	}
	return nil
}

// SetLogDeliveryConfiguration replaces a pool's log delivery
// configuration; an empty list turns logging off.
func (s *Service) SetLogDeliveryConfiguration(ctx context.Context, in *model.SetLogDeliveryConfigurationRequest) (*model.SetLogDeliveryConfigurationResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	doc := logDeliveryDoc{LogConfigurations: in.LogConfigurations}
	if doc.LogConfigurations == nil {
		doc.LogConfigurations = []model.LogConfigurationType{}
	}
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, poolID); err != nil {
			return err
		}
		if err := checkLogConfigurations(doc.LogConfigurations); err != nil {
			return err
		}
		_, err := s.putDoc(tx, poolID, core.LogDeliveryKind, "", doc)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.SetLogDeliveryConfigurationResponse{LogDeliveryConfiguration: &model.LogDeliveryConfigurationType{
		UserPoolId: model.String(poolID), LogConfigurations: doc.LogConfigurations,
	}}, nil
}

// GetLogDeliveryConfiguration returns a pool's log delivery configuration:
// an empty list when none was set.
func (s *Service) GetLogDeliveryConfiguration(ctx context.Context, in *model.GetLogDeliveryConfigurationRequest) (*model.GetLogDeliveryConfigurationResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	doc := logDeliveryDoc{}
	err := s.Store.View(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, poolID); err != nil {
			return err
		}
		_, _, err := getDoc(tx, poolID, core.LogDeliveryKind, "", &doc)
		return err
	})
	if err != nil {
		return nil, err
	}
	if doc.LogConfigurations == nil {
		doc.LogConfigurations = []model.LogConfigurationType{}
	}
	return &model.GetLogDeliveryConfigurationResponse{LogDeliveryConfiguration: &model.LogDeliveryConfigurationType{
		UserPoolId: model.String(poolID), LogConfigurations: doc.LogConfigurations,
	}}, nil
}
