package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// racers is how many goroutines each concurrency test starts.
const racers = 50

// testNoLostUpdate has racers goroutines each read one user, add a distinct
// key to its Data and write it back, while readers watch the user: every
// key must survive, and no reader may see the document shrink.
func testNoLostUpdate(t *testing.T, e *env) {
	pool := e.id("p")
	u := user(pool, "counter")
	u.Data = []byte(`{}`)
	e.update(func(tx store.Tx) error { return tx.CreateUser(u) })

	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() {
			errs[i] = e.s.Update(e.ctx, func(tx store.Tx) error {
				u, err := tx.GetUser(pool, "counter")
				if err != nil {
					return err
				}
				m := map[string]int{}
				if err := json.Unmarshal(u.Data, &m); err != nil {
					return err
				}
				m[fmt.Sprintf("k%02d", i)] = i
				if u.Data, err = json.Marshal(m); err != nil {
					return err
				}
				return tx.PutUser(u)
			})
		})
	}
	readErrs := make([]error, 5)
	for r := range readErrs {
		wg.Go(func() {
			seen := 0
			for range 20 {
				err := e.s.View(e.ctx, func(tx store.Tx) error {
					u, err := tx.GetUser(pool, "counter")
					if err != nil {
						return err
					}
					m := map[string]int{}
					if err := json.Unmarshal(u.Data, &m); err != nil {
						return err
					}
					if len(m) < seen {
						return fmt.Errorf("read %d keys after having seen %d", len(m), seen)
					}
					seen = len(m)
					return nil
				})
				if err != nil {
					readErrs[r] = err
					return
				}
			}
		})
	}
	wg.Wait()
	reportErrors(t, "update", errs)
	reportErrors(t, "reader", readErrs)
	e.view(func(tx store.Tx) error {
		u, err := tx.GetUser(pool, "counter")
		if err != nil {
			return err
		}
		m := map[string]int{}
		if err := json.Unmarshal(u.Data, &m); err != nil {
			return err
		}
		for i := range racers {
			if v, ok := m[fmt.Sprintf("k%02d", i)]; !ok || v != i {
				t.Errorf("key k%02d lost (%d keys in %s)", i, len(m), u.Data)
			}
		}
		return nil
	})
}

// testAliasRace has racers goroutines claim one alias for different users:
// exactly one wins, every other gets ErrConflict.
func testAliasRace(t *testing.T, e *env) {
	pool := e.id("p")
	const alias = "email:shared@example.com"
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() {
			errs[i] = e.s.Update(e.ctx, func(tx store.Tx) error {
				return tx.PutAlias(pool, alias, fmt.Sprintf("user%02d", i))
			})
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("users %d and %d both claimed the alias", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("claim %d: %v, want ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("nobody claimed the alias")
	}
	e.view(func(tx store.Tx) error {
		got, err := tx.GetAlias(pool, alias)
		if want := fmt.Sprintf("user%02d", winner); err == nil && got != want {
			t.Errorf("alias held by %q, want the winner %q", got, want)
		}
		return err
	})
}

// testRefreshTokenRace has racers goroutines try to use one refresh token:
// an Update reads it and, if it is not yet revoked, revokes it and creates
// a successor. Exactly one must win. Readers meanwhile check that a revoked
// token's successor is always visible in the same snapshot.
func testRefreshTokenRace(t *testing.T, e *env) {
	pool := e.id("p")
	rtID := e.id("rt")
	successor := func(i int) string { return fmt.Sprintf("%s-next-%02d", rtID, i) }
	e.update(func(tx store.Tx) error { return tx.CreateRefreshToken(token(rtID, pool, "jane")) })

	var wg sync.WaitGroup
	errs := make([]error, racers)
	won := make([]bool, racers)
	for i := range racers {
		wg.Go(func() {
			errs[i] = e.s.Update(e.ctx, func(tx store.Tx) error {
				won[i] = false // fn may run more than once
				rt, err := tx.GetRefreshToken(rtID)
				if err != nil || rt.Revoked {
					return err
				}
				rt.Revoked = true
				rt.Data = []byte(successor(i))
				if err := tx.PutRefreshToken(rt); err != nil {
					return err
				}
				if err := tx.CreateRefreshToken(token(successor(i), pool, "jane")); err != nil {
					return err
				}
				won[i] = true
				return nil
			})
		})
	}
	readErrs := make([]error, 5)
	for r := range readErrs {
		wg.Go(func() {
			for range 20 {
				err := e.s.View(e.ctx, func(tx store.Tx) error {
					rt, err := tx.GetRefreshToken(rtID)
					if err != nil || !rt.Revoked {
						return err
					}
					if _, err := tx.GetRefreshToken(string(rt.Data)); err != nil {
						return fmt.Errorf("token revoked for %q but successor: %w", rt.Data, err)
					}
					return nil
				})
				if err != nil {
					readErrs[r] = err
					return
				}
			}
		})
	}
	wg.Wait()
	reportErrors(t, "use", errs)
	reportErrors(t, "reader", readErrs)
	winner := -1
	for i, w := range won {
		if w && winner >= 0 {
			t.Errorf("uses %d and %d both won the token", winner, i)
		}
		if w {
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("no use of the token won")
	}
	e.view(func(tx store.Tx) error {
		rt, err := tx.GetRefreshToken(rtID)
		if err != nil {
			return err
		}
		if !rt.Revoked || string(rt.Data) != successor(winner) {
			t.Errorf("token revoked=%v data=%q, want revoked by %q", rt.Revoked, rt.Data, successor(winner))
		}
		for i := range racers {
			_, err := tx.GetRefreshToken(successor(i))
			if i == winner && err != nil {
				t.Errorf("winner's successor: %v", err)
			}
			if i != winner && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("successor of loser %d: %v, want ErrNotFound", i, err)
			}
		}
		return nil
	})
}

// reportErrors fails the test for every non-nil entry of errs, naming it
// "<what> <index>".
func reportErrors(t *testing.T, what string, errs []error) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s %d: %v", what, i, err)
		}
	}
}

// testReadsFollowWrites checks that a read started after an Update returned
// sees that Update (and never one that failed), by key and by sub, while
// other Updates of the same users run: writers each own a user and count
// its Data up, following every good write with a failing one; readers
// note the count acknowledged before each View and check it is there.
func testReadsFollowWrites(t *testing.T, e *env) {
	const users, rounds = 4, 40
	pool := e.id("p")
	acked := make([]atomic.Int64, users)
	name := func(i int) string { return fmt.Sprintf("u%d", i) }
	for i := range users {
		u := user(pool, name(i))
		u.Data = []byte("0")
		e.update(func(tx store.Tx) error { return tx.CreateUser(u) })
	}
	errRollBack := errors.New("rolled back on purpose")
	var wg sync.WaitGroup
	errs := make([]error, users)
	for i := range users {
		wg.Go(func() {
			for n := 1; n <= rounds; n++ {
				err := e.s.Update(e.ctx, func(tx store.Tx) error {
					u, err := tx.GetUser(pool, name(i))
					if err != nil {
						return err
					}
					if got, want := string(u.Data), strconv.Itoa(n-1); got != want {
						return fmt.Errorf("update %d read %s, want %s", n, got, want)
					}
					u.Data = []byte(strconv.Itoa(n))
					return tx.PutUser(u)
				})
				if err != nil {
					errs[i] = err
					return
				}
				acked[i].Store(int64(n))
				err = e.s.Update(e.ctx, func(tx store.Tx) error {
					u, err := tx.GetUser(pool, name(i))
					if err != nil {
						return err
					}
					u.Data = []byte("-1")
					if err := tx.PutUser(u); err != nil {
						return err
					}
					return errRollBack
				})
				if !errors.Is(err, errRollBack) {
					errs[i] = fmt.Errorf("failing update: %v", err)
					return
				}
			}
		})
	}
	readErrs := make([]error, 4)
	for r := range readErrs {
		wg.Go(func() {
			for k := 0; k < 200; k++ {
				i := k % users
				want := acked[i].Load()
				err := e.s.View(e.ctx, func(tx store.Tx) error {
					byKey, err := tx.GetUser(pool, name(i))
					if err != nil {
						return err
					}
					bySub, err := tx.GetUserBySub(pool, "sub-"+name(i))
					if err != nil {
						return err
					}
					for _, u := range []store.User{byKey, bySub} {
						got, err := strconv.ParseInt(string(u.Data), 10, 64)
						if err != nil || got < want {
							return fmt.Errorf("%s: read %q after update %d was acknowledged", name(i), u.Data, want)
						}
					}
					return nil
				})
				if err != nil {
					readErrs[r] = err
					return
				}
			}
		})
	}
	wg.Wait()
	reportErrors(t, "writer", errs)
	reportErrors(t, "reader", readErrs)

	// A changed sub and a deleted user are seen at once, inside the
	// Update that changes them and after it.
	e.update(func(tx store.Tx) error {
		u, err := tx.GetUserBySub(pool, "sub-"+name(0))
		if err != nil {
			return err
		}
		u.Sub = "sub-new"
		if err := tx.PutUser(u); err != nil {
			return err
		}
		if _, err := tx.GetUserBySub(pool, "sub-"+name(0)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old sub inside the update: %v, want ErrNotFound", err)
		}
		if err := tx.DeleteUser(pool, name(1)); err != nil {
			return err
		}
		if _, err := tx.GetUserBySub(pool, "sub-"+name(1)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted user by sub inside the update: %v, want ErrNotFound", err)
		}
		return nil
	})
	e.view(func(tx store.Tx) error {
		if _, err := tx.GetUserBySub(pool, "sub-"+name(0)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old sub: %v, want ErrNotFound", err)
		}
		if u, err := tx.GetUserBySub(pool, "sub-new"); err != nil || u.Key != name(0) {
			t.Errorf("new sub: %v %v, want user %s", u.Key, err, name(0))
		}
		for _, get := range []func() (store.User, error){
			func() (store.User, error) { return tx.GetUser(pool, name(1)) },
			func() (store.User, error) { return tx.GetUserBySub(pool, "sub-"+name(1)) },
		} {
			if _, err := get(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleted user: %v, want ErrNotFound", err)
			}
		}
		return nil
	})
}
