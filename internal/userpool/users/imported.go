package users

import (
	"errors"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// PrepareImported checks one user of a CSV import as AdminCreateUser
// checks its input (attribute schema and formats, username rules,
// required attributes) and returns the user to create: RESET_REQUIRED,
// without a password, so that the first sign-in goes through a password
// reset. Nothing is written and no trigger runs.
func (s *Service) PrepareImported(p *core.Pool, username string, attrs []model.AttributeType) (*core.User, error) {
	changes, err := CheckAttributes(p, Writer{}, attrs, "", "", true)
	if err != nil {
		return nil, err
	}
	u, err := s.newUser(p, username, changes)
	if err != nil {
		return nil, err
	}
	if err := MissingRequired(p, u.Doc.Attributes, "", ""); err != nil {
		return nil, err
	}
	u.Doc.Status = core.StatusResetRequired
	return u, nil
}

// CreateImported inserts a user from PrepareImported in tx and claims its
// aliases. When it returns an error nothing of the user is left in tx, so
// the caller may go on with other users in the same transaction: a taken
// username is UsernameExistsException, a taken alias AliasExistsException.
func (s *Service) CreateImported(tx store.Tx, p *core.Pool, u *core.User) error {
	rec, err := u.Encode()
	if err != nil {
		return err
	}
	if err := tx.CreateUser(rec); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return cognito.New(cognito.UsernameExists, "User account already exists")
		}
		return err
	}
	u.Written(rec)
	if err := s.SyncAliases(tx, p, u, nil, false); err != nil {
		if derr := tx.DeleteUser(p.Id, rec.Key); derr != nil {
			return derr
		}
		return err
	}
	return nil
}
