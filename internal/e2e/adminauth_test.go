package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestAdminAuthentication: with admin credentials configured, operations
// Cognito authorises by IAM need a valid SigV4 signature with that key
// (verified against the real SDK's signing), unsigned operations stay
// open, and the outbox is not served.
func TestAdminAuthentication(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithConfig(func(c *config.Config) {
		c.Admin = config.AdminCredentials{AccessKeyID: "AKIDCOGNATE", SecretAccessKey: "admin-secret"}
	}))
	ctx := context.Background()
	client := func(key, secret string) *cip.Client {
		return cip.New(cip.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""), HTTPClient: testserver.HTTPClient})
	}
	admin := client("AKIDCOGNATE", "admin-secret")
	out, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("secured")})
	noErr(t, err)
	pool := *out.UserPool.Id

	tests := []struct {
		name, key, secret, code string
	}{
		{"wrong secret", "AKIDCOGNATE", "guess", "InvalidSignatureException"},
		{"unknown key", "AKIDOTHER", "admin-secret", "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client(tt.key, tt.secret).DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
		})
	}
	t.Run("unsigned request", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(`{"UserPoolId":"`+pool+`"}`))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := (&http.Client{}).Do(req)
		noErr(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException:" {
			t.Errorf("status %d, type %q", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
		}
	})
	t.Run("unsigned operations stay open", func(t *testing.T) {
		c, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("app")})
		noErr(t, err)
		_, err = client("anyone", "anything").SignUp(ctx, &cip.SignUpInput{ClientId: c.UserPoolClient.ClientId,
			Username: aws.String("newbie"), Password: aws.String(testserver.Password)})
		noErr(t, err)
	})
	t.Run("outbox not served", func(t *testing.T) {
		resp, err := (&http.Client{}).Get(s.URL + "/_cognate/messages")
		noErr(t, err)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("outbox served with admin credentials configured")
		}
	})
}
