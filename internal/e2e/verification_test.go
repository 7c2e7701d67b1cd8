package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/trigger/lambdafake"
)

// attrMode describes e-mail or phone for the mode tests.
type attrMode struct {
	attr, old, new, other, masked string
	medium                        types.DeliveryMediumType
}

var attrModes = []attrMode{
	{"email", "jane@example.com", "victim+1@gmail.com", "third@example.org", "v***@g***", types.DeliveryMediumTypeEmail},
	{"phone_number", "+14325550000", "+14325551212", "+14325559999", "+*******1212", types.DeliveryMediumTypeSms},
}

// attrWantDelivery fails unless list is exactly one entry for m's new value.
func attrWantDelivery(t *testing.T, list []types.CodeDeliveryDetailsType, m attrMode) {
	t.Helper()
	if len(list) != 1 {
		t.Fatalf("CodeDeliveryDetailsList = %s, want one entry", testserver.String(list))
	}
	d := list[0]
	if aws.ToString(d.AttributeName) != m.attr || d.DeliveryMedium != m.medium || aws.ToString(d.Destination) != m.masked {
		t.Errorf("delivery = %s, want %s %s %s", testserver.String(d), m.attr, m.medium, m.masked)
	}
}

var attrSixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// TestEmailPhoneModes proves the three behaviours of an e-mail or phone
// change: not auto-verified (A), auto-verified (B) and verify before
// update (C).
func TestEmailPhoneModes(t *testing.T) {
	t.Parallel()
	for _, m := range attrModes {
		flag := m.attr + "_verified"
		av := []types.VerifiedAttributeType{types.VerifiedAttributeType(m.attr)}

		t.Run(m.attr+"/A not auto-verified", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, nil)
			tok := e.signedIn(t, "jane", m.attr, m.old, flag, "true")
			out, err := e.update(tok, m.attr, m.new, "nickname", "jj")
			if err != nil {
				t.Fatal(err)
			}
			if out.CodeDeliveryDetailsList != nil {
				t.Errorf("CodeDeliveryDetailsList = %s, want nil", testserver.String(out.CodeDeliveryDetailsList))
			}
			wantEntries(t, "GetUser", e.getUser(t, tok), map[string]string{m.attr: m.new, flag: "false", "nickname": "jj"})
			if ms := e.s.Messages(t, e.pool, "", m.attr); len(ms) != 0 {
				t.Errorf("messages = %s, want none", testserver.String(ms))
			}
		})

		t.Run(m.attr+"/B auto-verified", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: av}, nil)
			tok := e.signedIn(t, "jane", m.attr, m.old, flag, "true")
			out, err := e.update(tok, m.attr, m.new, "nickname", "jj")
			if err != nil {
				t.Fatal(err)
			}
			attrWantDelivery(t, out.CodeDeliveryDetailsList, m)
			wantEntries(t, "GetUser", e.getUser(t, tok), map[string]string{m.attr: m.new, flag: "false", "nickname": "jj"})
			ms := e.s.Messages(t, e.pool, "jane", m.attr)
			if len(ms) != 1 || ms[0].Destination != m.new || !attrSixDigits.MatchString(ms[0].Code) || !strings.Contains(ms[0].Body, ms[0].Code) {
				t.Fatalf("messages = %s", testserver.String(ms))
			}
			if err := e.verify(tok, m.attr, ms[0].Code); err != nil {
				t.Fatal(err)
			}
			wantEntries(t, "GetUser", e.getUser(t, tok), map[string]string{m.attr: m.new, flag: "true"})
		})

		t.Run(m.attr+"/B admin update sends a code", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: av}, nil)
			e.s.User(t, e.pool, "jane", m.attr, m.old, flag, "true")
			if err := e.adminUpdate("jane", m.attr, m.new); err != nil {
				t.Fatal(err)
			}
			wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{m.attr: m.new, flag: "false"})
			if ms := e.s.Messages(t, e.pool, "jane", m.attr); len(ms) != 1 || ms[0].Destination != m.new {
				t.Errorf("messages = %s, want one to %s", testserver.String(ms), m.new)
			}
		})

		for _, mode := range []struct {
			name string
			pool *cip.CreateUserPoolInput
		}{
			{"A", nil},
			{"B", &cip.CreateUserPoolInput{AutoVerifiedAttributes: av}},
			{"C", &cip.CreateUserPoolInput{AutoVerifiedAttributes: av,
				UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: av}}},
		} {
			t.Run(m.attr+"/"+mode.name+" same value sends nothing", func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, mode.pool, nil)
				tok := e.signedIn(t, "jane", m.attr, m.old, flag, "true")
				out, err := e.update(tok, m.attr, m.old)
				if err != nil {
					t.Fatal(err)
				}
				if out.CodeDeliveryDetailsList != nil {
					t.Errorf("CodeDeliveryDetailsList = %s, want nil", testserver.String(out.CodeDeliveryDetailsList))
				}
				if ms := e.s.Messages(t, e.pool, "", m.attr); len(ms) != 0 {
					t.Errorf("messages = %s, want none", testserver.String(ms))
				}
				wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{m.attr: m.old, flag: "true"})
			})
		}

		t.Run(m.attr+"/C verify before update", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: av,
				UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: av}}, nil)
			tok := e.signedIn(t, "jane", m.attr, m.old, flag, "true")
			out, err := e.update(tok, m.attr, m.new, "nickname", "jj")
			if err != nil {
				t.Fatal(err)
			}
			attrWantDelivery(t, out.CodeDeliveryDetailsList, m)
			oldState := map[string]string{m.attr: m.old, flag: "true", "nickname": "jj"}
			wantEntries(t, "GetUser", e.getUser(t, tok), oldState)
			wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), oldState)
			id := testserver.JWTClaims(t, aws.ToString(e.s.SignIn(t, e.client, "jane").IdToken))
			if id[m.attr] != m.old {
				t.Errorf("ID token %s = %v, want %s", m.attr, id[m.attr], m.old)
			}
			ms := e.s.Messages(t, e.pool, "jane", m.attr)
			if len(ms) != 1 || ms[0].Destination != m.new {
				t.Fatalf("messages = %s", testserver.String(ms))
			}
			first := ms[0].Code

			// A second update replaces the pending value and the code.
			if _, err := e.update(tok, m.attr, m.other); err != nil {
				t.Fatal(err)
			}
			ms = e.s.Messages(t, e.pool, "jane", m.attr)
			if len(ms) != 2 || ms[0].Destination != m.other {
				t.Fatalf("messages = %s", testserver.String(ms))
			}
			second := ms[0].Code
			if first != second {
				testserver.WantError[*types.CodeMismatchException](t, e.verify(tok, m.attr, first), "Invalid verification code provided, please try again.")
			}
			wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), oldState)
			if err := e.verify(tok, m.attr, second); err != nil {
				t.Fatal(err)
			}
			wantEntries(t, "GetUser", e.getUser(t, tok), map[string]string{m.attr: m.other, flag: "true"})
			id = testserver.JWTClaims(t, aws.ToString(e.s.SignIn(t, e.client, "jane").IdToken))
			if id[m.attr] != m.other {
				t.Errorf("ID token %s = %v after verify, want %s", m.attr, id[m.attr], m.other)
			}
		})

		t.Run(m.attr+"/C admin verified flag applies at once", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: av,
				UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: av}}, nil)
			e.s.User(t, e.pool, "jane", m.attr, m.old, flag, "true")
			if err := e.adminUpdate("jane", m.attr, m.new, flag, "true"); err != nil {
				t.Fatal(err)
			}
			wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{m.attr: m.new, flag: "true"})
			if ms := e.s.Messages(t, e.pool, "", m.attr); len(ms) != 0 {
				t.Errorf("messages = %s, want none", testserver.String(ms))
			}
			// Without the flag the value is held, and the flag alone applies it.
			if err := e.adminUpdate("jane", m.attr, m.other); err != nil {
				t.Fatal(err)
			}
			wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{m.attr: m.new, flag: "true"})
			if err := e.adminUpdate("jane", flag, "true"); err != nil {
				t.Fatal(err)
			}
			wantEntries(t, "AdminGetUser", e.adminAttrs(t, "jane"), map[string]string{m.attr: m.other, flag: "true"})
		})
	}

	t.Run("C sign-in keeps the old email until verified", func(t *testing.T) {
		t.Parallel()
		av := []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
		e := newEnv(t, &cip.CreateUserPoolInput{
			UsernameAttributes:          []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			AutoVerifiedAttributes:      av,
			UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: av},
		}, nil)
		tok := e.signedIn(t, "old@example.com", "email", "old@example.com", "email_verified", "true")
		if _, err := e.update(tok, "email", "new@example.com"); err != nil {
			t.Fatal(err)
		}
		if err := e.signInErr("old@example.com"); err != nil {
			t.Fatalf("sign-in with the old email: %v", err)
		}
		if err := e.signInErr("new@example.com"); err == nil {
			t.Fatal("sign-in with the unverified new email worked")
		}
		if err := e.verify(tok, "email", e.s.LastCode(t, e.pool, "", "email")); err != nil {
			t.Fatal(err)
		}
		if err := e.signInErr("new@example.com"); err != nil {
			t.Fatalf("sign-in with the verified new email: %v", err)
		}
		if err := e.signInErr("old@example.com"); err == nil {
			t.Fatal("sign-in with the replaced email still works")
		}
	})

	t.Run("B sign-in name moves at once in an email-username pool", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, &cip.CreateUserPoolInput{
			UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		}, nil)
		tok := e.signedIn(t, "old@example.com", "email", "old@example.com", "email_verified", "true")
		if _, err := e.update(tok, "email", "new@example.com"); err != nil {
			t.Fatal(err)
		}
		if err := e.signInErr("new@example.com"); err != nil {
			t.Fatalf("sign-in with the new email: %v", err)
		}
		if err := e.signInErr("old@example.com"); err == nil {
			t.Fatal("sign-in with the old email still works")
		}
	})

	t.Run("AttributesRequireVerificationBeforeUpdate must be auto-verified", func(t *testing.T) {
		t.Parallel()
		s := testserver.Start(t)
		ctx := context.Background()
		const msg = "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes"
		settings := &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypePhoneNumber}}
		_, err := s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"),
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}, UserAttributeUpdateSettings: settings})
		testserver.WantError[*types.InvalidParameterException](t, err, msg)
		pool := s.Pool(t, nil)
		_, err = s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(pool), UserAttributeUpdateSettings: settings})
		testserver.WantError[*types.InvalidParameterException](t, err, msg)
	})
}

// TestVerificationCodes proves code format, single use, expiry, tries and
// the send throttle.
func TestVerificationCodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	setup := func(t *testing.T) (*env, string) {
		e := newEnv(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}, nil)
		return e, e.signedIn(t, "jane", "email", "jane@example.com", "name", "Jane")
	}
	getCode := func(t *testing.T, e *env, tok, attr string) (*cip.GetUserAttributeVerificationCodeOutput, error) {
		return e.s.Client.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{
			AccessToken: aws.String(tok), AttributeName: aws.String(attr)})
	}
	const mismatch = "Invalid verification code provided, please try again."
	const expired = "Invalid code provided, please request a code again."
	const limit = "Attempt limit exceeded, please try after some time."

	t.Run("six digits, single use", func(t *testing.T) {
		t.Parallel()
		e, tok := setup(t)
		out, err := getCode(t, e, tok, "email")
		if err != nil {
			t.Fatal(err)
		}
		d := out.CodeDeliveryDetails
		if d == nil || aws.ToString(d.Destination) != "j***@e***" || d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.AttributeName) != "email" {
			t.Fatalf("CodeDeliveryDetails = %s", testserver.String(d))
		}
		code := e.s.LastCode(t, e.pool, "jane", "email")
		if !attrSixDigits.MatchString(code) {
			t.Fatalf("code %q is not 6 digits", code)
		}
		if err := e.verify(tok, "email", code); err != nil {
			t.Fatal(err)
		}
		wantEntries(t, "GetUser", e.getUser(t, tok), map[string]string{"email_verified": "true"})
		testserver.WantError[*types.ExpiredCodeException](t, e.verify(tok, "email", code), expired)
	})
	t.Run("expires after 24 hours", func(t *testing.T) {
		t.Parallel()
		e, tok := setup(t)
		if _, err := getCode(t, e, tok, "email"); err != nil {
			t.Fatal(err)
		}
		code := e.s.LastCode(t, e.pool, "jane", "email")
		e.s.Clock.Advance(24 * time.Hour)
		tok = aws.ToString(e.s.SignIn(t, e.client, "jane").AccessToken)
		testserver.WantError[*types.ExpiredCodeException](t, e.verify(tok, "email", code), expired)
		wantEntries(t, "GetUser", e.getUser(t, tok), map[string]string{"email_verified": "false"})
	})
	t.Run("valid just before 24 hours", func(t *testing.T) {
		t.Parallel()
		e, tok := setup(t)
		if _, err := getCode(t, e, tok, "email"); err != nil {
			t.Fatal(err)
		}
		code := e.s.LastCode(t, e.pool, "jane", "email")
		e.s.Clock.Advance(24*time.Hour - time.Minute)
		tok = aws.ToString(e.s.SignIn(t, e.client, "jane").AccessToken)
		if err := e.verify(tok, "email", code); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("wrong code, then bounded tries", func(t *testing.T) {
		t.Parallel()
		e, tok := setup(t)
		if _, err := getCode(t, e, tok, "email"); err != nil {
			t.Fatal(err)
		}
		code := e.s.LastCode(t, e.pool, "jane", "email")
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		tries := 0
		for ; tries < 20; tries++ {
			err := e.verify(tok, "email", wrong)
			var le *types.LimitExceededException
			if errors.As(err, &le) {
				break
			}
			testserver.WantError[*types.CodeMismatchException](t, err, mismatch)
		}
		if tries == 0 || tries == 20 {
			t.Fatalf("LimitExceededException after %d wrong codes", tries)
		}
		testserver.WantError[*types.LimitExceededException](t, e.verify(tok, "email", code), limit)
		wantEntries(t, "GetUser", e.getUser(t, tok), map[string]string{"email_verified": "false"})
		// A new code starts over.
		if _, err := getCode(t, e, tok, "email"); err != nil {
			t.Fatal(err)
		}
		if err := e.verify(tok, "email", e.s.LastCode(t, e.pool, "jane", "email")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a wrong code is not a user change", func(t *testing.T) {
		t.Parallel()
		e, tok := setup(t)
		if _, err := getCode(t, e, tok, "email"); err != nil {
			t.Fatal(err)
		}
		modified := func() time.Time {
			out, err := e.s.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("jane")})
			if err != nil {
				t.Fatal(err)
			}
			return aws.ToTime(out.UserLastModifiedDate)
		}
		before := modified()
		e.s.Clock.Advance(time.Minute)
		code := e.s.LastCode(t, e.pool, "jane", "email")
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		testserver.WantError[*types.CodeMismatchException](t, e.verify(tok, "email", wrong), mismatch)
		if after := modified(); !after.Equal(before) {
			t.Errorf("UserLastModifiedDate moved from %v to %v on a wrong code", before, after)
		}
		if err := e.verify(tok, "email", code); err != nil {
			t.Fatal(err)
		}
		if after := modified(); !after.After(before) {
			t.Errorf("UserLastModifiedDate %v did not move on verification", after)
		}
	})
	t.Run("new code replaces the old", func(t *testing.T) {
		t.Parallel()
		e, tok := setup(t)
		var codes []string
		for len(codes) < 2 || codes[0] == codes[1] {
			if _, err := getCode(t, e, tok, "email"); err != nil {
				t.Fatal(err)
			}
			codes = append([]string{e.s.LastCode(t, e.pool, "jane", "email")}, codes...)
		}
		testserver.WantError[*types.CodeMismatchException](t, e.verify(tok, "email", codes[len(codes)-1]), mismatch)
		if err := e.verify(tok, "email", codes[0]); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("send throttle", func(t *testing.T) {
		t.Parallel()
		e, tok := setup(t)
		sent := 0
		var err error
		for ; sent < 100; sent++ {
			if _, err = getCode(t, e, tok, "email"); err != nil {
				break
			}
		}
		if sent == 0 || sent == 100 {
			t.Fatalf("throttled after %d sends", sent)
		}
		testserver.WantError[*types.LimitExceededException](t, err, limit)
		if ms := e.s.Messages(t, e.pool, "jane", "email"); len(ms) != sent {
			t.Errorf("outbox has %d messages, want %d", len(ms), sent)
		}
		// UpdateUserAttributes does not declare LimitExceededException, so
		// the SDK can only surface it as a generic API error.
		_, err = e.update(tok, "email", "new@example.com", "nickname", "x")
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "LimitExceededException" || ae.ErrorMessage() != limit {
			t.Fatalf("update when throttled: %v", err)
		}
		wantEntries(t, "GetUser", e.getUser(t, tok), map[string]string{"email": "jane@example.com", "nickname": ""})
		e.s.Clock.Advance(time.Hour)
		tok = aws.ToString(e.s.SignIn(t, e.client, "jane").AccessToken)
		if _, err := getCode(t, e, tok, "email"); err != nil {
			t.Fatalf("after an hour: %v", err)
		}
	})
	t.Run("only email and phone", func(t *testing.T) {
		t.Parallel()
		e, tok := setup(t)
		_, err := getCode(t, e, tok, "name")
		testserver.WantError[*types.InvalidParameterException](t, err, "Invalid attribute name. Only phone_number and email can be verified")
		testserver.WantError[*types.InvalidParameterException](t, e.verify(tok, "name", "123456"), "Invalid attribute name. Only phone_number and email can be verified")
	})
	t.Run("attribute the user lacks", func(t *testing.T) {
		t.Parallel()
		e, tok := setup(t)
		_, err := getCode(t, e, tok, "phone_number")
		testserver.WantError[*types.InvalidParameterException](t, err, "User does not have a value for the attribute: phone_number")
		testserver.WantError[*types.ExpiredCodeException](t, e.verify(tok, "phone_number", "123456"), expired)
	})
}

// TestCodeDeliveryDetailsAndClientMetadata proves the response list and
// that ClientMetadata reaches the trigger but is never stored.
func TestCodeDeliveryDetailsAndClientMetadata(t *testing.T) {
	t.Parallel()
	const secret = "cm-value-7f3b9c1e-never-stored"
	e := newTriggerEnv(t, &types.LambdaConfigType{CustomMessage: aws.String(fnCustomMessage)}, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail, types.VerifiedAttributeTypePhoneNumber},
	}, nil)
	e.fake.Handle(fnCustomMessage, lambdafake.Echo(nil))
	s, pool := e.s, e.pool
	tok := e.signedIn(t, "jane", "email", "jane@example.com", "phone_number", "+14325550000")

	out, err := s.Client.UpdateUserAttributes(context.Background(), &cip.UpdateUserAttributesInput{
		AccessToken:    aws.String(tok),
		UserAttributes: testserver.AttrList("email", "victimsemail@gmail.com", "phone_number", "+12065551212"),
		ClientMetadata: map[string]string{"k": secret},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range out.CodeDeliveryDetailsList {
		got[aws.ToString(d.AttributeName)] = string(d.DeliveryMedium) + " " + aws.ToString(d.Destination)
	}
	want := map[string]string{"email": "EMAIL v***@g***", "phone_number": "SMS +*******1212"}
	if len(out.CodeDeliveryDetailsList) != 2 || testserver.String(got) != testserver.String(want) {
		t.Errorf("CodeDeliveryDetailsList = %s, want %v", testserver.String(out.CodeDeliveryDetailsList), want)
	}
	events := e.fake.Events(fnCustomMessage)
	if len(events) != 2 {
		t.Fatalf("CustomMessage invoked %d times, want 2", len(events))
	}
	for _, ev := range events {
		if !bytes.Contains(ev, []byte(secret)) || !bytes.Contains(ev, []byte("CustomMessage_UpdateUserAttribute")) {
			t.Errorf("trigger event lacks the metadata or source: %s", ev)
		}
	}
	out2, err := s.Client.UpdateUserAttributes(context.Background(), &cip.UpdateUserAttributesInput{
		AccessToken: aws.String(tok), UserAttributes: testserver.AttrList("nickname", "jj"), ClientMetadata: map[string]string{"k": secret},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out2.CodeDeliveryDetailsList != nil {
		t.Errorf("nothing sent, CodeDeliveryDetailsList = %s", testserver.String(out2.CodeDeliveryDetailsList))
	}

	ms := s.Messages(t, pool, "", "")
	if len(ms) != 2 {
		t.Fatalf("outbox has %d messages, want 2", len(ms))
	}
	if strings.Contains(testserver.String(ms), secret) {
		t.Errorf("outbox holds ClientMetadata: %s", testserver.String(ms))
	}
	files, err := filepath.Glob(filepath.Join(s.Config.Data, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("data files: %v %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds ClientMetadata", filepath.Base(f))
		}
	}
	// The search must be able to fail: attribute values are stored.
	found := false
	for _, f := range files {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte("victimsemail@gmail.com")) {
			found = true
		}
	}
	if !found {
		t.Error("the data files hold no attribute value either; the search proves nothing")
	}
}
