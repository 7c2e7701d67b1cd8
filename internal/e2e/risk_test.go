package e2e

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// protectedEnv is a pool with threat protection in AUDIT mode and a client.
func protectedEnv(t *testing.T) *env {
	return newEnv(t, &cip.CreateUserPoolInput{UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit}}, nil)
}

func describeRisk(t *testing.T, e *env, clientID string) *types.RiskConfigurationType {
	t.Helper()
	in := &cip.DescribeRiskConfigurationInput{UserPoolId: aws.String(e.pool)}
	if clientID != "" {
		in.ClientId = aws.String(clientID)
	}
	out, err := e.s.Client.DescribeRiskConfiguration(context.Background(), in)
	noErr(t, err)
	return out.RiskConfiguration
}

// wantRisk compares the configuration parts of got with want and checks
// the IDs; LastModifiedDate must be set and recent.
func wantRisk(t *testing.T, got *types.RiskConfigurationType, poolID, clientID string, want *cip.SetRiskConfigurationInput) {
	t.Helper()
	if aws.ToString(got.UserPoolId) != poolID || aws.ToString(got.ClientId) != clientID {
		t.Errorf("IDs = %q/%q, want %q/%q", aws.ToString(got.UserPoolId), aws.ToString(got.ClientId), poolID, clientID)
	}
	if !reflect.DeepEqual(got.CompromisedCredentialsRiskConfiguration, want.CompromisedCredentialsRiskConfiguration) {
		t.Errorf("CompromisedCredentials = %+v, want %+v", got.CompromisedCredentialsRiskConfiguration, want.CompromisedCredentialsRiskConfiguration)
	}
	if !reflect.DeepEqual(got.AccountTakeoverRiskConfiguration, want.AccountTakeoverRiskConfiguration) {
		t.Errorf("AccountTakeover = %+v, want %+v", got.AccountTakeoverRiskConfiguration, want.AccountTakeoverRiskConfiguration)
	}
	if !reflect.DeepEqual(got.RiskExceptionConfiguration, want.RiskExceptionConfiguration) {
		t.Errorf("RiskException = %+v, want %+v", got.RiskExceptionConfiguration, want.RiskExceptionConfiguration)
	}
	if got.LastModifiedDate == nil || time.Since(*got.LastModifiedDate) > time.Minute {
		t.Errorf("LastModifiedDate = %v, want now", got.LastModifiedDate)
	}
}

func fullRisk(poolID string) *cip.SetRiskConfigurationInput {
	email := &types.NotifyEmailType{Subject: aws.String("Sign-in"), HtmlBody: aws.String("<p>{login-time}</p>"), TextBody: aws.String("{login-time}")}
	return &cip.SetRiskConfigurationInput{
		UserPoolId: aws.String(poolID),
		CompromisedCredentialsRiskConfiguration: &types.CompromisedCredentialsRiskConfigurationType{
			EventFilter: []types.EventFilterType{types.EventFilterTypeSignIn, types.EventFilterTypePasswordChange},
			Actions:     &types.CompromisedCredentialsActionsType{EventAction: types.CompromisedCredentialsEventActionTypeBlock},
		},
		AccountTakeoverRiskConfiguration: &types.AccountTakeoverRiskConfigurationType{
			NotifyConfiguration: &types.NotifyConfigurationType{
				SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/example.com"),
				From:      aws.String("security@example.com"), ReplyTo: aws.String("help@example.com"),
				BlockEmail: email, NoActionEmail: email, MfaEmail: email,
			},
			Actions: &types.AccountTakeoverActionsType{
				LowAction:    &types.AccountTakeoverActionType{Notify: false, EventAction: types.AccountTakeoverEventActionTypeNoAction},
				MediumAction: &types.AccountTakeoverActionType{Notify: true, EventAction: types.AccountTakeoverEventActionTypeMfaIfConfigured},
				HighAction:   &types.AccountTakeoverActionType{Notify: true, EventAction: types.AccountTakeoverEventActionTypeBlock},
			},
		},
		RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{
			BlockedIPRangeList: []string{"192.0.2.0/24", "2001:db8::/32"},
			SkippedIPRangeList: []string{"198.51.100.7/32"},
		},
	}
}

func TestRiskConfiguration(t *testing.T) {
	e := protectedEnv(t)
	ctx := context.Background()

	t.Run("default holds only the pool ID", func(t *testing.T) {
		got := describeRisk(t, e, "")
		want := &types.RiskConfigurationType{UserPoolId: aws.String(e.pool)}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Describe = %+v, want %+v", got, want)
		}
		got = describeRisk(t, e, e.client)
		want.ClientId = aws.String(e.client)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Describe(client) = %+v, want %+v", got, want)
		}
	})

	pool := fullRisk(e.pool)
	t.Run("pool round trip", func(t *testing.T) {
		out, err := e.s.Client.SetRiskConfiguration(ctx, pool)
		noErr(t, err)
		wantRisk(t, out.RiskConfiguration, e.pool, "", pool)
		wantRisk(t, describeRisk(t, e, ""), e.pool, "", pool)
	})
	t.Run("client falls back on the pool's", func(t *testing.T) {
		wantRisk(t, describeRisk(t, e, e.client), e.pool, "", pool)
	})

	client := &cip.SetRiskConfigurationInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(e.client),
		RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{SkippedIPRangeList: []string{"10.0.0.0/8"}},
	}
	t.Run("client round trip", func(t *testing.T) {
		out, err := e.s.Client.SetRiskConfiguration(ctx, client)
		noErr(t, err)
		wantRisk(t, out.RiskConfiguration, e.pool, e.client, client)
		wantRisk(t, describeRisk(t, e, e.client), e.pool, e.client, client)
		wantRisk(t, describeRisk(t, e, ""), e.pool, "", pool)
	})
	t.Run("set replaces", func(t *testing.T) {
		only := &cip.SetRiskConfigurationInput{UserPoolId: aws.String(e.pool),
			CompromisedCredentialsRiskConfiguration: pool.CompromisedCredentialsRiskConfiguration}
		_, err := e.s.Client.SetRiskConfiguration(ctx, only)
		noErr(t, err)
		wantRisk(t, describeRisk(t, e, ""), e.pool, "", only)
		pool = only
	})
	t.Run("deleting the client drops its configuration", func(t *testing.T) {
		c := e.s.AppClient(t, e.pool, nil)
		_, err := e.s.Client.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(c),
			RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"203.0.113.0/24"}}})
		noErr(t, err)
		_, err = e.s.Client.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(c)})
		noErr(t, err)
		_, err = e.s.Client.DescribeRiskConfiguration(ctx, &cip.DescribeRiskConfigurationInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(c)})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client "+c+" does not exist.")
		// The API cannot tell a kept item from a dropped one; the store can.
		err = e.s.App.Store.View(ctx, func(tx store.Tx) error {
			_, err := tx.GetItem(e.pool, core.RiskKind, c)
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("risk item of deleted client: got %v, want ErrNotFound", err)
		}
	})

	invalid := []struct {
		name string
		ex   *types.RiskExceptionConfigurationType
		msg  string
	}{
		{"address without prefix", &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"192.0.2.1"}}, "192.0.2.1 is not a valid CIDR block."},
		{"not an address", &types.RiskExceptionConfigurationType{SkippedIPRangeList: []string{"10.0.0.0/8", "example.com/24"}}, "example.com/24 is not a valid CIDR block."},
		{"prefix too long", &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"10.0.0.0/33"}}, "10.0.0.0/33 is not a valid CIDR block."},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.s.Client.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{UserPoolId: aws.String(e.pool), RiskExceptionConfiguration: tc.ex})
			testserver.WantError[*types.InvalidParameterException](t, err, tc.msg)
			wantRisk(t, describeRisk(t, e, ""), e.pool, "", pool)
		})
	}

	t.Run("unknown pool and client", func(t *testing.T) {
		_, err := e.s.Client.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{UserPoolId: aws.String("us-east-1_Nope")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
		_, err = e.s.Client.DescribeRiskConfiguration(ctx, &cip.DescribeRiskConfigurationInput{UserPoolId: aws.String("us-east-1_Nope")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_Nope does not exist.")
		_, err = e.s.Client.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{UserPoolId: aws.String(e.pool), ClientId: aws.String("nope")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client nope does not exist.")
		_, err = e.s.Client.DescribeRiskConfiguration(ctx, &cip.DescribeRiskConfigurationInput{UserPoolId: aws.String(e.pool), ClientId: aws.String("nope")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool client nope does not exist.")
	})
}

func TestRiskConfigurationNeedsThreatProtection(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	const msg = "Advanced security features are not enabled for this user pool."
	_, err := e.s.Client.SetRiskConfiguration(ctx, fullRisk(e.pool))
	testserver.WantError[*types.UserPoolAddOnNotEnabledException](t, err, msg)
	_, err = e.s.Client.DescribeRiskConfiguration(ctx, &cip.DescribeRiskConfigurationInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(e.client)})
	testserver.WantError[*types.UserPoolAddOnNotEnabledException](t, err, msg)
}
