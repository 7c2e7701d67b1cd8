package auth

import (
	"context"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// purposeChallenge is the code purpose that holds the nonce of a user's
// open challenge session. One slot per user: a newer challenge replaces
// the older one, whose session is then refused.
const purposeChallenge = "challenge"

// bindOnce makes the session cs of u single-use: a random nonce travels
// sealed in the session and its MAC is kept on the user until an answer
// that passes the challenge spends it. A session for a name nobody has is
// left unbound: it can only fail.
func (s *Service) bindOnce(ctx context.Context, p *core.Pool, u *core.User, cs *core.AuthSession) error {
	if u == nil || u.Rec.Key == "" {
		return nil
	}
	nonce, err := s.RandomToken(16)
	if err != nil {
		return err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		fresh, err := s.Reload(tx, p, u)
		if err != nil {
			return err
		}
		s.delivery.StoreCode(p, fresh, purposeChallenge, nonce, "")
		return s.PutUser(tx, fresh)
	})
	if err != nil {
		return err
	}
	cs.Once = nonce
	return nil
}

// spendOnce spends the nonce of cs on u, read inside the caller's
// transaction, which saves it; a session spent or replaced is refused.
func (s *Service) spendOnce(p *core.Pool, u *core.User, cs *core.AuthSession) error {
	if cs.Once == "" {
		return nil
	}
	if _, err := s.delivery.CheckCode(p, u, purposeChallenge, cs.Once); err != nil {
		return core.SpentSession()
	}
	return nil
}
