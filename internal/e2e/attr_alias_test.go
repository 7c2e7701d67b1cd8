package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestAliasUniqueness proves AliasExistsException and alias moves.
func TestAliasUniqueness(t *testing.T) {
	t.Parallel()
	t.Run("username-attribute pool refuses at update", func(t *testing.T) {
		t.Parallel()
		for _, mode := range []string{"B", "C"} {
			pool := &cip.CreateUserPoolInput{
				UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail, types.UsernameAttributeTypePhoneNumber},
				AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail, types.VerifiedAttributeTypePhoneNumber},
			}
			if mode == "C" {
				pool.UserAttributeUpdateSettings = &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: pool.AutoVerifiedAttributes}
			}
			e := newEnv(t, pool, nil)
			e.s.User(t, e.pool, "a@example.com", "email", "a@example.com", "phone_number", "+14325550001")
			tok := e.signedIn(t, "b@example.com", "email", "b@example.com", "phone_number", "+14325550002")
			_, err := e.update(tok, "email", "A@example.com", "nickname", "x")
			testserver.WantError[*types.AliasExistsException](t, err, "An account with the given email already exists.")
			_, err = e.update(tok, "phone_number", "+14325550001", "nickname", "x")
			testserver.WantError[*types.AliasExistsException](t, err, "An account with the given phone_number already exists.")
			wantEntries(t, mode, e.getUser(t, tok), map[string]string{"email": "b@example.com", "phone_number": "+14325550002", "nickname": ""})
			testserver.WantError[*types.AliasExistsException](t, e.adminUpdate("b@example.com", "email", "a@example.com", "email_verified", "true"),
				"An account with the given email already exists.")
		}
	})

	aliasPool := func(t *testing.T) *env {
		e := newEnv(t, &cip.CreateUserPoolInput{
			AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		}, nil)
		e.s.User(t, e.pool, "alice", "email", "shared@example.com", "email_verified", "true")
		return e
	}
	t.Run("alias pool refuses at verify", func(t *testing.T) {
		t.Parallel()
		e := aliasPool(t)
		tok := e.signedIn(t, "bob", "email", "bob@example.com", "email_verified", "true")
		out, err := e.update(tok, "email", "shared@example.com")
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		if len(out.CodeDeliveryDetailsList) != 1 {
			t.Fatalf("CodeDeliveryDetailsList = %s", testserver.String(out.CodeDeliveryDetailsList))
		}
		err = e.verify(tok, "email", e.s.LastCode(t, e.pool, "bob", "email"))
		testserver.WantError[*types.AliasExistsException](t, err, "An account with the given email already exists.")
		wantEntries(t, "bob", e.adminAttrs(t, "bob"), map[string]string{"email": "shared@example.com", "email_verified": "false"})
		wantEntries(t, "alice", e.adminAttrs(t, "alice"), map[string]string{"email_verified": "true"})
	})
	t.Run("alias pool: neither email signs in until verified", func(t *testing.T) {
		t.Parallel()
		e := aliasPool(t)
		tok := e.signedIn(t, "bob", "email", "bob@example.com", "email_verified", "true")
		if err := e.signInErr("bob@example.com"); err != nil {
			t.Fatalf("verified alias: %v", err)
		}
		if _, err := e.update(tok, "email", "bobby@example.com"); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"bob@example.com", "bobby@example.com"} {
			if err := e.signInErr(name); err == nil {
				t.Errorf("sign-in with %s worked before verification", name)
			}
		}
		if err := e.signInErr("bob"); err != nil {
			t.Errorf("username: %v", err)
		}
		if err := e.verify(tok, "email", e.s.LastCode(t, e.pool, "bob", "email")); err != nil {
			t.Fatal(err)
		}
		if err := e.signInErr("bobby@example.com"); err != nil {
			t.Errorf("verified new alias: %v", err)
		}
	})
	t.Run("admin verified flag moves the alias", func(t *testing.T) {
		t.Parallel()
		e := aliasPool(t)
		e.s.User(t, e.pool, "bob", "email", "bob@example.com", "email_verified", "true")
		if err := e.adminUpdate("bob", "email", "shared@example.com", "email_verified", "true"); err != nil {
			t.Fatal(err)
		}
		wantEntries(t, "alice", e.adminAttrs(t, "alice"), map[string]string{"email": "shared@example.com", "email_verified": "false"})
		wantEntries(t, "bob", e.adminAttrs(t, "bob"), map[string]string{"email": "shared@example.com", "email_verified": "true"})
		if ms := e.s.Messages(t, e.pool, "", "email"); len(ms) != 0 {
			t.Errorf("messages = %s, want none", testserver.String(ms))
		}
		auth := e.s.SignIn(t, e.client, "shared@example.com")
		if got := testserver.JWTClaims(t, aws.ToString(auth.AccessToken))["username"]; got != "bob" {
			t.Errorf("sign-in with the email is %v, want bob", got)
		}
		if err := e.signInErr("alice"); err != nil {
			t.Errorf("alice by username: %v", err)
		}
	})
}
