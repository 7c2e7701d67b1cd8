package users

import (
	"context"
	"maps"

	"github.com/cognate-idp/cognate/internal/model"
)

// AdminPendingAttributes returns the values a user's attributes will take
// once verified (AttributesRequireVerificationBeforeUpdate), by name. No
// Cognito operation shows them; the console does, for the people who run
// the pool.
func (s *Service) AdminPendingAttributes(ctx context.Context, poolID, username string) (map[string]string, error) {
	_, u, err := s.adminUser(ctx, model.String(poolID), model.String(username))
	if err != nil {
		return nil, err
	}
	return maps.Clone(u.Doc.Pending), nil
}
