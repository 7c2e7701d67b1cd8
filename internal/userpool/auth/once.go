package auth

import (
	"context"
	"strconv"
	"strings"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// purposeChallenge is the code purpose that holds the nonce of a user's
// open challenge session; slot k > 0 uses purposeChallenge + "." + k.
const purposeChallenge = "challenge"

// challengeSlots is how many challenge sessions of one user can be open
// at once (sign-ins in several tabs or devices) in each of the two ranges
// below: a new challenge takes a free slot of its range, or else the
// oldest, whose session is then refused.
//
// Unconfirmed: Cognito keeps each session independent until it expires;
// the bound keeps the user record small.
const challengeSlots = 4

// slotRange says which slots a challenge may take. A challenge that
// anyone who knows the user name can start (a first factor of USER_AUTH:
// a one-time code or a passkey; a custom challenge) takes the range of
// unproven sign-ins, so starting such sign-ins over and over cannot void
// the session of a sign-in that has passed its password and waits for
// its MFA code or new password.
type slotRange int

const (
	afterPassword slotRange = iota // slots 0 to challengeSlots-1
	unproven                       // slots challengeSlots to 2*challengeSlots-1
)

func slotPurpose(k int) string {
	if k == 0 {
		return purposeChallenge
	}
	return purposeChallenge + "." + strconv.Itoa(k)
}

// freeSlot returns the slot of range r a new challenge of u takes: the
// first empty or expired one, else the one that expires first (the
// oldest).
func (s *Service) freeSlot(u *core.User, r slotRange) int {
	first := int(r) * challengeSlots
	best := first
	for k := first; k < first+challengeSlots; k++ {
		c := u.Doc.Codes[slotPurpose(k)]
		if c == nil || !s.Now().Before(c.Expires) {
			return k
		}
		if c.Expires.Before(u.Doc.Codes[slotPurpose(best)].Expires) {
			best = k
		}
	}
	return best
}

// onceSlot splits a session's Once into its slot and nonce; a Once
// without a slot is slot 0.
func onceSlot(once string) (int, string) {
	if k, nonce, ok := strings.Cut(once, "."); ok {
		if n, err := strconv.Atoi(k); err == nil && n >= 0 && n < 2*challengeSlots {
			return n, nonce
		}
		return -1, ""
	}
	return 0, once
}

// bindOnce makes the session cs of u single-use: a random nonce travels
// sealed in the session with its slot, taken from range r, and its MAC is
// kept in that slot on the user until an answer that passes the
// challenge spends it. A session for a name nobody has is left unbound:
// it can only fail.
func (s *Service) bindOnce(ctx context.Context, p *core.Pool, u *core.User, cs *core.AuthSession, r slotRange) error {
	if u == nil || u.Rec.Key == "" {
		return nil
	}
	nonce, err := s.RandomToken(16)
	if err != nil {
		return err
	}
	slot := 0
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		fresh, err := s.Reload(tx, p, u)
		if err != nil {
			return err
		}
		slot = s.freeSlot(fresh, r)
		s.delivery.StoreCode(p, fresh, slotPurpose(slot), nonce, "")
		return s.PutUser(tx, fresh)
	})
	if err != nil {
		return err
	}
	cs.Once = strconv.Itoa(slot) + "." + nonce
	return nil
}

// spendOnce spends the nonce of cs on u, read inside the caller's
// transaction, which saves it; a session spent or replaced is refused.
func (s *Service) spendOnce(p *core.Pool, u *core.User, cs *core.AuthSession) error {
	if cs.Once == "" {
		return nil
	}
	slot, nonce := onceSlot(cs.Once)
	if slot < 0 {
		return core.SpentSession()
	}
	if _, err := s.delivery.CheckCode(p, u, slotPurpose(slot), nonce); err != nil {
		return core.SpentSession()
	}
	return nil
}
