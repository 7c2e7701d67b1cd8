package users

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
)

// migrateForForgotPassword runs UserMigration_ForgotPassword when the pool
// has the trigger and nobody has the name, creating the user (without a
// usable password, RESET_REQUIRED) so that ForgotPassword can continue.
func (s *Service) migrateForForgotPassword(ctx context.Context, p *core.Pool, c *core.Client, name string, clientMetadata map[string]string) error {
	if triggers.LambdaFn(p, trigger.TriggerUserMigration) == "" {
		return nil
	}
	err := s.Store.View(ctx, func(tx store.Tx) error {
		_, err := s.ResolveUser(tx, p, name)
		return err
	})
	if !cognito.IsCode(err, cognito.UserNotFound) {
		return err
	}
	_, err = s.MigrateUser(ctx, p, c, name, "", trigger.SourceUserMigrationForgotPassword, clientMetadata)
	return err
}

// MigrateUser asks the UserMigration trigger for the user name and creates
// it. It returns nil, nil when the pool has no trigger or the function
// returned no attributes (the user stays unknown). password is "" in the
// forgot-password flow.
func (s *Service) MigrateUser(ctx context.Context, p *core.Pool, c *core.Client, name, password, source string, clientMetadata map[string]string) (*core.User, error) {
	fn := triggers.LambdaFn(p, trigger.TriggerUserMigration)
	if fn == "" {
		return nil, nil
	}
	ev := trigger.UserMigrationEvent{
		Event: s.triggers.EventHeader(ctx, p, source, name, triggers.ClientIDOf(c)),
		Request: trigger.UserMigrationRequest{
			Password: password, ValidationData: clientMetadata, ClientMetadata: clientMetadata,
		},
	}
	var out trigger.UserMigrationEvent
	if err := s.triggers.Call(ctx, trigger.TriggerUserMigration, fn, ev, &out); err != nil {
		return nil, err
	}
	r := out.Response
	if len(r.UserAttributes) == 0 {
		return nil, nil
	}
	attrs := make([]model.AttributeType, 0, len(r.UserAttributes))
	for _, k := range slices.Sorted(maps.Keys(r.UserAttributes)) {
		if k == "username" {
			continue
		}
		attrs = append(attrs, model.AttributeType{Name: model.String(k), Value: model.String(r.UserAttributes[k])})
	}
	changes, err := CheckAttributes(p, Writer{}, attrs, "", "userAttributes.", true)
	if err != nil {
		return nil, err
	}
	u, err := s.newUser(p, name, changes)
	if err != nil {
		return nil, err
	}
	if err := MissingRequired(p, u.Doc.Attributes, "", "userAttributes."); err != nil {
		return nil, err
	}
	status := strings.ToUpper(model.StringValue(r.FinalUserStatus))
	switch {
	case password == "":
		// Nothing to sign in with: the reset code sets the password.
		u.Doc.Status = core.StatusResetRequired
	case status == core.StatusResetRequired:
		u.Doc.Status = core.StatusResetRequired
	case status == "" || status == core.StatusConfirmed:
		u.Doc.Status = core.StatusConfirmed
	default:
		return nil, cognito.New(cognito.InvalidLambdaResponse, "Unrecognizable lambda output")
	}
	if password != "" {
		if err := s.passwords.SetPassword(p, u, password); err != nil {
			return nil, err
		}
	}
	exists := cognito.New(cognito.UsernameExists, "User account already exists")
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		return s.createUser(tx, p, u, r.ForceAliasCreation != nil && *r.ForceAliasCreation, exists)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
