package e2e

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

const (
	logGroupArn = "arn:aws:logs:us-east-1:123456789012:log-group:cognito-notifications"
	bucketArn   = "arn:aws:s3:::cognito-activity"
	streamArn   = "arn:aws:firehose:us-east-1:123456789012:deliverystream/cognito"
)

func setLogs(e *env, cs ...types.LogConfigurationType) (*cip.SetLogDeliveryConfigurationOutput, error) {
	if cs == nil {
		cs = []types.LogConfigurationType{}
	}
	return e.s.Client.SetLogDeliveryConfiguration(context.Background(), &cip.SetLogDeliveryConfigurationInput{
		UserPoolId: aws.String(e.pool), LogConfigurations: cs,
	})
}

func getLogs(t *testing.T, e *env) []types.LogConfigurationType {
	t.Helper()
	out, err := e.s.Client.GetLogDeliveryConfiguration(context.Background(), &cip.GetLogDeliveryConfigurationInput{UserPoolId: aws.String(e.pool)})
	noErr(t, err)
	if got := aws.ToString(out.LogDeliveryConfiguration.UserPoolId); got != e.pool {
		t.Fatalf("UserPoolId = %q, want %q", got, e.pool)
	}
	if out.LogDeliveryConfiguration.LogConfigurations == nil {
		t.Fatal("LogConfigurations absent, want a list")
	}
	return out.LogDeliveryConfiguration.LogConfigurations
}

func TestLogDeliveryConfiguration(t *testing.T) {
	e := newEnv(t, nil, nil)
	notify := types.LogConfigurationType{
		EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelError,
		CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String(logGroupArn)},
	}
	activity := types.LogConfigurationType{
		EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo,
		S3Configuration: &types.S3ConfigurationType{BucketArn: aws.String(bucketArn)},
	}

	t.Run("default is an empty list", func(t *testing.T) {
		if got := getLogs(t, e); len(got) != 0 {
			t.Fatalf("LogConfigurations = %+v, want []", got)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		out, err := setLogs(e, notify, activity)
		noErr(t, err)
		want := []types.LogConfigurationType{notify, activity}
		if got := out.LogDeliveryConfiguration.LogConfigurations; !reflect.DeepEqual(got, want) {
			t.Fatalf("Set answered %+v, want %+v", got, want)
		}
		if aws.ToString(out.LogDeliveryConfiguration.UserPoolId) != e.pool {
			t.Fatalf("Set answered UserPoolId %q", aws.ToString(out.LogDeliveryConfiguration.UserPoolId))
		}
		if got := getLogs(t, e); !reflect.DeepEqual(got, want) {
			t.Fatalf("Get = %+v, want %+v", got, want)
		}
	})
	t.Run("replace with firehose", func(t *testing.T) {
		fh := types.LogConfigurationType{
			EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo,
			FirehoseConfiguration: &types.FirehoseConfigurationType{StreamArn: aws.String(streamArn)},
		}
		_, err := setLogs(e, fh)
		noErr(t, err)
		if got := getLogs(t, e); !reflect.DeepEqual(got, []types.LogConfigurationType{fh}) {
			t.Fatalf("Get = %+v", got)
		}
	})
	t.Run("empty list clears", func(t *testing.T) {
		_, err := setLogs(e)
		noErr(t, err)
		if got := getLogs(t, e); len(got) != 0 {
			t.Fatalf("Get = %+v, want []", got)
		}
	})

	cw := &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String(logGroupArn)}
	invalid := []struct {
		name string
		cs   []types.LogConfigurationType
		msg  string
	}{
		{"no destination", []types.LogConfigurationType{{EventSource: "userNotification", LogLevel: "ERROR"}},
			"Exactly one of CloudWatchLogsConfiguration, S3Configuration or FirehoseConfiguration must be set."},
		{"two destinations", []types.LogConfigurationType{{EventSource: "userAuthEvents", LogLevel: "INFO", CloudWatchLogsConfiguration: cw,
			S3Configuration: &types.S3ConfigurationType{BucketArn: aws.String(bucketArn)}}},
			"Exactly one of CloudWatchLogsConfiguration, S3Configuration or FirehoseConfiguration must be set."},
		{"notification at INFO", []types.LogConfigurationType{{EventSource: "userNotification", LogLevel: "INFO", CloudWatchLogsConfiguration: cw}},
			"The log level for event source userNotification must be ERROR."},
		{"notification to S3", []types.LogConfigurationType{{EventSource: "userNotification", LogLevel: "ERROR",
			S3Configuration: &types.S3ConfigurationType{BucketArn: aws.String(bucketArn)}}},
			"Logs for event source userNotification can only be delivered to CloudWatch Logs."},
		{"activity at ERROR", []types.LogConfigurationType{{EventSource: "userAuthEvents", LogLevel: "ERROR", CloudWatchLogsConfiguration: cw}},
			"The log level for event source userAuthEvents must be INFO."},
		{"source twice", []types.LogConfigurationType{notify, notify},
			"Only one log configuration is allowed per event source: userNotification."},
		{"destination without ARN", []types.LogConfigurationType{{EventSource: "userAuthEvents", LogLevel: "INFO",
			FirehoseConfiguration: &types.FirehoseConfigurationType{}}},
			"The log delivery destination must have an ARN."},
		{"bad log level", []types.LogConfigurationType{{EventSource: "userNotification", LogLevel: "DEBUG", CloudWatchLogsConfiguration: cw}},
			"1 validation error detected: Value 'DEBUG' at 'logConfigurations.1.member.logLevel' failed to satisfy constraint: Member must satisfy enum value set: [ERROR, INFO]"},
	}
	_, err := setLogs(e, activity)
	noErr(t, err)
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := setLogs(e, tc.cs...)
			testserver.WantError[*types.InvalidParameterException](t, err, tc.msg)
			if got := getLogs(t, e); !reflect.DeepEqual(got, []types.LogConfigurationType{activity}) {
				t.Fatalf("a refused Set changed the configuration to %+v", got)
			}
		})
	}

	t.Run("unknown pool", func(t *testing.T) {
		_, err := e.s.Client.GetLogDeliveryConfiguration(context.Background(), &cip.GetLogDeliveryConfigurationInput{UserPoolId: aws.String("us-east-1_Nope")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
		_, err = e.s.Client.SetLogDeliveryConfiguration(context.Background(), &cip.SetLogDeliveryConfigurationInput{
			UserPoolId: aws.String("us-east-1_Nope"), LogConfigurations: []types.LogConfigurationType{notify}})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
	})
	t.Run("deleted with the pool", func(t *testing.T) {
		p := e.s.Pool(t, nil)
		_, err := e.s.Client.SetLogDeliveryConfiguration(context.Background(), &cip.SetLogDeliveryConfigurationInput{
			UserPoolId: aws.String(p), LogConfigurations: []types.LogConfigurationType{notify}})
		noErr(t, err)
		_, err = e.s.Client.DeleteUserPool(context.Background(), &cip.DeleteUserPoolInput{UserPoolId: aws.String(p)})
		noErr(t, err)
		_, err = e.s.Client.GetLogDeliveryConfiguration(context.Background(), &cip.GetLogDeliveryConfigurationInput{UserPoolId: aws.String(p)})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool "+p+" does not exist.")
	})
}
