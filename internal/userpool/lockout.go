package userpool

import (
	"context"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/store"
)

// Wrong passwords lock a user out for a while, as Cognito does: after
// freeAttempts consecutive failures each further one doubles the lock, from
// one second up to maxLockout. A correct password clears the count.
const (
	freeAttempts = 5
	maxLockout   = 15 * time.Minute
)

// checkLockout refuses a password attempt while the user is locked.
func (s *Service) checkLockout(u *user) error {
	if s.now().Before(u.doc.LockedUntil) {
		return cognito.New(cognito.NotAuthorized, "Password attempts exceeded")
	}
	return nil
}

// passwordFailed counts a wrong password for u and returns the error to
// report. Failing to record the attempt is an error too: an attacker must
// not gain tries from a storage fault.
func (s *Service) passwordFailed(ctx context.Context, p *pool, u *user) error {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		fresh, err := s.reload(tx, p, u)
		if err != nil {
			return err
		}
		fresh.doc.FailedSignIns++
		if over := fresh.doc.FailedSignIns - freeAttempts; over >= 0 {
			lock := maxLockout
			if over < 20 {
				lock = min(time.Second<<over, maxLockout)
			}
			fresh.doc.LockedUntil = s.now().Add(lock).UTC()
		}
		return saveUser(tx, fresh)
	})
	if err != nil {
		return err
	}
	return incorrectPassword()
}

// passwordSucceeded clears the failure count after a correct password.
func (s *Service) passwordSucceeded(ctx context.Context, p *pool, u *user) error {
	if u.doc.FailedSignIns == 0 && u.doc.LockedUntil.IsZero() {
		return nil
	}
	return s.store.Update(ctx, func(tx store.Tx) error {
		fresh, err := s.reload(tx, p, u)
		if err != nil {
			return err
		}
		fresh.doc.FailedSignIns, fresh.doc.LockedUntil = 0, time.Time{}
		return saveUser(tx, fresh)
	})
}
