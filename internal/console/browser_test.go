package console_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/chromedp/chromedp"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// browser is the console's Chromium tab.
type browser struct{ *testserver.Browser }

func newBrowser(t *testing.T) *browser { return &browser{testserver.NewBrowser(t, "console-")} }

func (b *browser) flashIs(want string) {
	b.WaitFor("the notice "+want, fmt.Sprintf(`(document.querySelector("#flash")||{}).textContent === %q`, want))
}

// TestConsoleInBrowser walks the change-email-and-verify story through the
// console in a real browser: create a pool and a user, change the email,
// read the code on the live outbox page, verify it as the user through the
// API, and see the result on the user's page.
func TestConsoleInBrowser(t *testing.T) {
	b := newBrowser(t)
	s := testserver.Start(t)
	ctx := context.Background()
	base := s.URL + "/_cognate/console"

	b.Run("open the console", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#create-pool")))
	b.Shot("pools-empty")

	b.Run("create a pool",
		chromedp.SendKeys(chromedp.CSS(`#create-pool input[name=name]`), "console-demo"),
		chromedp.Click(chromedp.CSS(`#create-pool input[name=keepEmail]`)),
		chromedp.Click(chromedp.CSS(`#create-pool button`)),
		chromedp.WaitVisible(chromedp.CSS("#pool-id")))
	poolID := b.Text("#pool-id")
	b.flashIs("Created user pool " + poolID + ".")
	desc, err := s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatalf("the pool the console shows is not in the API: %v", err)
	}
	if got := desc.UserPool.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate; len(got) != 1 || got[0] != "email" {
		t.Errorf("AttributesRequireVerificationBeforeUpdate = %v, want [email]", got)
	}

	b.Run("create a user",
		chromedp.SendKeys(chromedp.CSS(`#create-user input[name=username]`), "jane"),
		chromedp.SendKeys(chromedp.CSS(`#create-user input[name=email]`), "jane@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#create-user input[name=password]`), testserver.Password),
		chromedp.Click(chromedp.CSS(`#create-user input[name=emailVerified]`)),
		chromedp.Click(chromedp.CSS(`#create-user input[name=suppress]`)),
		chromedp.Click(chromedp.CSS(`#create-user button`)),
		chromedp.WaitVisible(chromedp.CSS("#username")))
	b.flashIs("Created user jane with a permanent password.")
	if got := b.Text("#status"); got != "CONFIRMED" {
		t.Errorf("status on the user page = %q, want CONFIRMED", got)
	}

	t.Run("a refused change shows the API's error", func(t *testing.T) {
		_, apiErr := s.Client.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(poolID),
			Username: aws.String("jane"), UserAttributes: []types.AttributeType{{Name: aws.String("custom:nope"), Value: aws.String("x")}}})
		var ae smithy.APIError
		if !errors.As(apiErr, &ae) {
			t.Fatalf("API: want a service error, got %v", apiErr)
		}
		code, msg := ae.ErrorCode(), ae.ErrorMessage()
		b.Run("submit an unknown attribute",
			chromedp.SendKeys(chromedp.CSS(`#edit-attribute input[name=name]`), "custom:nope"),
			chromedp.SendKeys(chromedp.CSS(`#edit-attribute input[name=value]`), "x"),
			chromedp.Click(chromedp.CSS(`#edit-attribute button`)))
		b.flashIs(code + ": " + msg)
		b.WaitFor("an error notice", `document.querySelector("#flash").classList.contains("error")`)
		b.Shot("user-error")
	})

	b.Run("change the email",
		chromedp.SetValue(chromedp.CSS(`#edit-attribute input[name=name]`), "email"),
		chromedp.SetValue(chromedp.CSS(`#edit-attribute input[name=value]`), "jane@new.example"),
		chromedp.Click(chromedp.CSS(`#edit-attribute button`)))
	b.flashIs("Updated email.")
	if got := b.Text("#pending"); !strings.Contains(got, "jane@new.example") {
		t.Errorf("pending changes = %q, want the new email waiting", got)
	}
	if got := b.Text("#attributes"); !strings.Contains(got, "jane@example.com") {
		t.Errorf("attributes = %q, want the old email still active", got)
	}
	b.Shot("user-pending")

	b.Run("open the outbox", chromedp.Navigate(base+"/outbox"), chromedp.WaitVisible(chromedp.CSS("#outbox")))
	firstRow := `#outbox tbody tr:first-child`
	if got := b.Text(firstRow); !strings.Contains(got, "jane") || !strings.Contains(got, "jane@new.example") {
		t.Fatalf("newest outbox row = %q, want the code sent to jane's new address", got)
	}
	code1 := b.Text(firstRow + " td.code")

	// A second code, asked for through the API, must appear on the open
	// page by itself, on top.
	client := s.AppClient(t, poolID, nil)
	tokens := s.SignIn(t, client, "jane")
	if _, err := s.Client.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{
		AccessToken: tokens.AccessToken, AttributeName: aws.String("email")}); err != nil {
		t.Fatalf("GetUserAttributeVerificationCode: %v", err)
	}
	b.WaitFor("the live outbox to show the second code", `document.querySelectorAll("#outbox tbody tr").length === 2`)
	code2 := b.Text(firstRow + " td.code")
	if code2 == "" || code2 == code1 {
		t.Fatalf("codes on the outbox page: newest %q, older %q; want a new code on top", code2, code1)
	}
	b.Shot("outbox")

	if _, err := s.Client.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: tokens.AccessToken,
		AttributeName: aws.String("email"), Code: aws.String(code2)}); err != nil {
		t.Fatalf("VerifyUserAttribute with the code read from the console: %v", err)
	}

	b.Run("open the user again", chromedp.Navigate(base+"/pools/"+poolID+"/users/jane"), chromedp.WaitVisible(chromedp.CSS("#attributes")))
	attrs := b.Text("#attributes")
	if !strings.Contains(attrs, "jane@new.example") || !strings.Contains(attrs, "email_verified\ttrue") {
		t.Errorf("attributes after verification = %q, want the new email, verified", attrs)
	}
	if got := b.Text("#pending"); got != "None." {
		t.Errorf("pending changes after verification = %q, want none", got)
	}
	b.Shot("user-verified")

	b.Run("search the users", chromedp.Navigate(base+"/pools/"+poolID), chromedp.WaitVisible(chromedp.CSS("#search")),
		chromedp.SendKeys(chromedp.CSS(`#search input[name=filter]`), `email ^= "jane@new"`),
		chromedp.Submit(chromedp.CSS(`#search input[name=filter]`)),
		chromedp.WaitVisible(chromedp.CSS(`#users a`)))
	if got := b.Text("#users tbody"); !strings.Contains(got, "jane") {
		t.Errorf("search result = %q, want jane", got)
	}
	b.Shot("pool")

	b.Run("open the trigger log", chromedp.Navigate(base+"/triggers"), chromedp.WaitVisible(chromedp.CSS("#triggers")))
	b.Shot("triggers")
}

// TestTriggerLogInBrowser opens the trigger log and sees a new call, and
// its error, appear by itself.
func TestTriggerLogInBrowser(t *testing.T) {
	b := newBrowser(t)
	s, pool := triggerEnv(t)
	s.User(t, pool, "jane", "email", "jane@example.com", "email_verified", "true")
	b.Run("open the trigger log", chromedp.Navigate(s.URL+"/_cognate/console/triggers"), chromedp.WaitVisible(chromedp.CSS("#triggers")))
	if got := b.Text("#triggers tbody"); !strings.Contains(got, "PreSignUp_AdminCreateUser") {
		t.Fatalf("trigger log = %q, want the PreSignUp call of the user's creation", got)
	}
	client := s.AppClient(t, pool, nil)
	if _, err := s.Client.SignUp(context.Background(), &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("bob"),
		Password: aws.String(testserver.Password)}); err == nil {
		t.Fatal("SignUp: want PreSignUp's refusal")
	}
	b.WaitFor("the refused sign-up on top", `document.querySelector("#triggers tbody tr").textContent.includes("PreSignUp failed with error sign-up is closed.")`)
	b.Run("open the event of the creation", chromedp.Click(chromedp.CSS("#triggers tbody tr:nth-child(2) details summary")))
	// Another call refreshes the table; what the person opened stays open.
	if _, err := s.Client.SignUp(context.Background(), &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("carol"),
		Password: aws.String(testserver.Password)}); err == nil {
		t.Fatal("SignUp: want PreSignUp's refusal")
	}
	b.WaitFor("the second refused sign-up", `document.querySelectorAll("#triggers tbody tr").length === 3`)
	b.WaitFor("the opened event to stay open", `document.querySelector("#triggers tbody tr:nth-child(3) details").open`)
	b.Shot("triggers-live")
}
