package e2e

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestConcurrentUpdateUserAttributes proves that concurrent updates of
// different attributes of one user are all kept (no lost update).
func TestConcurrentUpdateUserAttributes(t *testing.T) {
	t.Parallel()
	const n = 50 // Cognito's maximum number of custom attributes
	var schema []types.SchemaAttributeType
	for i := range n {
		schema = append(schema, types.SchemaAttributeType{Name: aws.String(fmt.Sprintf("a%d", i)), AttributeDataType: types.AttributeDataTypeString})
	}
	e := newEnv(t, &cip.CreateUserPoolInput{
		Schema:                 schema,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	}, nil)
	tok := e.signedIn(t, "jane", "email", "jane@example.com")

	tests := []struct {
		name  string
		write func(i int) error
	}{
		{"self-service", func(i int) error {
			_, err := e.update(tok, fmt.Sprintf("custom:a%d", i), fmt.Sprintf("self-%d", i))
			return err
		}},
		{"admin", func(i int) error {
			return e.adminUpdate("jane", fmt.Sprintf("custom:a%d", i), fmt.Sprintf("admin-%d", i))
		}},
		{"mixed with an email change", func(i int) error {
			if i == 0 {
				_, err := e.update(tok, "email", "new@example.com")
				return err
			}
			_, err := e.update(tok, fmt.Sprintf("custom:a%d", i), fmt.Sprintf("mixed-%d", i))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() { errs[i] = tt.write(i) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("update %d: %v", i, err)
				}
			}
			got := e.adminAttrs(t, "jane")
			prefix := map[string]string{"self-service": "self", "admin": "admin", "mixed with an email change": "mixed"}[tt.name]
			lost := 0
			for i := range n {
				if tt.name == "mixed with an email change" && i == 0 {
					continue
				}
				if want := fmt.Sprintf("%s-%d", prefix, i); got[fmt.Sprintf("custom:a%d", i)] != want {
					lost++
				}
			}
			if lost > 0 {
				t.Errorf("%d of %d concurrent updates lost: %v", lost, n, got)
			}
			if tt.name == "mixed with an email change" {
				wantEntries(t, "email", got, map[string]string{"email": "new@example.com", "email_verified": "false"})
				if ms := e.s.Messages(t, e.pool, "jane", "email"); len(ms) != 1 {
					t.Errorf("%d email messages, want 1", len(ms))
				}
			}
		})
	}
}
