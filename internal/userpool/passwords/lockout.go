package passwords

import (
	"context"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Wrong passwords lock a user out for a while, as Cognito does: after
// freeAttempts consecutive failures each further one doubles the lock, from
// one second up to maxLockout. A correct password clears the count.
const (
	freeAttempts = 5
	maxLockout   = 15 * time.Minute
)

// CheckLockout refuses a password attempt while the user is locked.
func (s *Service) CheckLockout(u *core.User) error {
	if s.Now().Before(u.Doc.LockedUntil) {
		return cognito.New(cognito.NotAuthorized, "Password attempts exceeded")
	}
	return nil
}

// PasswordFailed counts a wrong password for u and returns the error to
// report. Failing to record the attempt is an error too: an attacker must
// not gain tries from a storage fault.
func (s *Service) PasswordFailed(ctx context.Context, p *core.Pool, u *core.User) error {
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		fresh, err := s.Reload(tx, p, u)
		if err != nil {
			return err
		}
		if err := s.CountFailure(ctx, p, fresh); err != nil {
			return err
		}
		return core.SaveUser(tx, fresh)
	})
	if err != nil {
		return err
	}
	return core.IncorrectPassword()
}

// CountFailure counts a failed sign-in attempt (a wrong password or MFA
// code) on u, read inside the caller's transaction, which saves it.
func (s *Service) CountFailure(ctx context.Context, p *core.Pool, u *core.User) error {
	u.Doc.FailedSignIns++
	if over := u.Doc.FailedSignIns - freeAttempts; over >= 0 {
		lock := maxLockout
		if over < 20 {
			lock = min(time.Second<<over, maxLockout)
		}
		u.Doc.LockedUntil = s.Now().Add(lock).UTC()
	}
	return s.AddAuthEvent(ctx, p, u, "Fail", "Failure")
}

// PasswordSucceeded clears the failure count once a sign-in has passed
// every factor.
func (s *Service) PasswordSucceeded(ctx context.Context, p *core.Pool, u *core.User) error {
	if u.Doc.FailedSignIns == 0 && u.Doc.LockedUntil.IsZero() {
		return nil
	}
	return s.Store.Update(ctx, func(tx store.Tx) error {
		fresh, err := s.Reload(tx, p, u)
		if err != nil {
			return err
		}
		fresh.Doc.FailedSignIns, fresh.Doc.LockedUntil = 0, time.Time{}
		return core.SaveUser(tx, fresh)
	})
}
