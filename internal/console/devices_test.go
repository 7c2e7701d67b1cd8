package console_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestConsoleShowsDevices confirms a device through the API and finds it,
// with its status, on the user's page.
func TestConsoleShowsDevices(t *testing.T) {
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, &cip.CreateUserPoolInput{DeviceConfiguration: &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: true}})
	client := s.AppClient(t, pool, nil)
	s.User(t, pool, "jane")
	res := s.SignIn(t, client, "jane")
	meta := res.NewDeviceMetadata
	salt, v, err := srp.NewVerifier(rand.Reader, aws.ToString(meta.DeviceGroupKey), aws.ToString(meta.DeviceKey), "device secret")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Client.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: res.AccessToken, DeviceKey: meta.DeviceKey, DeviceName: aws.String("Jane's laptop"),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String(base64.StdEncoding.EncodeToString(salt)),
			PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString(v))}})
	if err != nil {
		t.Fatal(err)
	}
	p := newPerson(t, s)
	_, body := p.do("GET", "/_cognate/console/pools/"+pool+"/users/jane", nil)
	if !strings.Contains(body, "Jane&#39;s laptop · not_remembered") {
		t.Fatalf("user page does not show the device:\n%s", body)
	}
}
