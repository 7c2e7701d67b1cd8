package auth

import (
	"bytes"
	"context"
	"encoding/hex"

	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/trigger"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/triggers"
	"github.com/google/uuid"
)

// phantomUser is a stand-in user for an SRP challenge: a verifier nobody
// knows the password of, and the internal name a real user would show.
func (s *Service) phantomUser(p *core.Pool, name string) (*core.User, []byte, error) {
	seed := s.delivery.Phantom(p, name, "srp")
	internal := name
	if len(p.UsernameAttrs) > 0 {
		id, err := uuid.NewRandomFromReader(bytes.NewReader(s.delivery.Phantom(p, name, "sub")))
		if err != nil {
			return nil, nil, err
		}
		internal = id.String()
	}
	salt, v, err := srp.NewVerifier(bytes.NewReader(seed), p.Id, internal, hex.EncodeToString(s.delivery.Phantom(p, name, "password")))
	if err != nil {
		return nil, nil, err
	}
	u := &core.User{Doc: &core.UserDoc{SRPSalt: salt}}
	u.Rec.Username = internal
	return u, v, nil
}

// passwordSignInUser resolves the user of a password sign-in
// (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH): an unknown name goes
// through the UserMigration trigger, then PreAuthentication runs. Errors
// for an unknown name are signInUser's.
func (s *Service) passwordSignInUser(ctx context.Context, p *core.Pool, c *core.Client, r authRequest, name, password string) (*core.User, error) {
	u, err := s.signInUser(ctx, p, c, name)
	if err != nil && triggers.IsUnknownUser(err) {
		migrated, merr := s.users.MigrateUser(ctx, p, c, name, password, trigger.SourceUserMigrationAuthentication, r.clientMetadata)
		if merr != nil {
			return nil, merr
		}
		if migrated != nil {
			u, err = migrated, nil
		}
	}
	if err != nil {
		if triggers.IsUnknownUser(err) {
			if terr := s.triggers.PreAuthentication(ctx, p, c, name, nil, r.clientMetadata); terr != nil {
				return nil, terr
			}
		}
		return nil, err
	}
	if err := s.triggers.PreAuthentication(ctx, p, c, name, u, r.clientMetadata); err != nil {
		return nil, err
	}
	return u, nil
}

// srpSignInUser resolves the user of USER_SRP_AUTH and runs
// PreAuthentication. SRP never migrates: it cannot send the password.
func (s *Service) srpSignInUser(ctx context.Context, p *core.Pool, c *core.Client, r authRequest, name string) (*core.User, error) {
	u, err := s.signInUser(ctx, p, c, name)
	if err != nil {
		if triggers.IsUnknownUser(err) {
			if terr := s.triggers.PreAuthentication(ctx, p, c, name, nil, r.clientMetadata); terr != nil {
				return nil, terr
			}
		}
		return nil, err
	}
	if err := s.triggers.PreAuthentication(ctx, p, c, name, u, r.clientMetadata); err != nil {
		return nil, err
	}
	return u, nil
}
