package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestSignInAndUpdateAttributes is the product's core story: an app signs a
// user in and the user changes attributes with the access token.
func TestSignInAndUpdateAttributes(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	pool := s.Pool(t, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		Schema:                 []types.SchemaAttributeType{{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString}},
	})
	client := s.AppClient(t, pool, nil)
	s.User(t, pool, "jane", "email", "jane@example.com", "email_verified", "true")
	tokens := s.SignIn(t, client, "jane")

	out, err := s.Client.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
		AccessToken:    tokens.AccessToken,
		UserAttributes: testserver.AttrList("email", "victim+1@gmail.com", "custom:tier", "gold"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CodeDeliveryDetailsList) != 1 {
		t.Fatalf("CodeDeliveryDetailsList = %s", testserver.String(out.CodeDeliveryDetailsList))
	}
	d := out.CodeDeliveryDetailsList[0]
	if aws.ToString(d.Destination) != "v***@g***" || d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.AttributeName) != "email" {
		t.Errorf("delivery = %s", testserver.String(d))
	}
	user, err := s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: tokens.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	got := testserver.Attrs(user.UserAttributes)
	if got["email"] != "victim+1@gmail.com" || got["email_verified"] != "false" || got["custom:tier"] != "gold" {
		t.Errorf("attributes after update = %v", got)
	}
	code := s.LastCode(t, pool, "jane", "email")
	if _, err := s.Client.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{
		AccessToken: tokens.AccessToken, AttributeName: aws.String("email"), Code: aws.String(code),
	}); err != nil {
		t.Fatal(err)
	}
	user, err = s.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: tokens.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range user.UserAttributes {
		if aws.ToString(a.Name) == "email_verified" && aws.ToString(a.Value) != "true" {
			t.Errorf("email_verified = %s after VerifyUserAttribute", aws.ToString(a.Value))
		}
	}
}
