package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
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
