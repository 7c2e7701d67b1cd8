package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/argon2"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/passwords"
)

// bulkUserDoc mirrors userDoc in internal/userpool/records.go (the fields a
// confirmed user with a permanent password has). COUPLING: if userDoc's
// JSON names or the meaning of these fields change, change this too.
//
// It has no SRP salt and verifier: an SRP verifier depends on the username
// and is sealed with the server secret bound to it, so one computed once
// cannot serve every user. Bulk users sign in with USER_PASSWORD_AUTH
// only; USER_SRP_AUTH fails for them.
type bulkUserDoc struct {
	Attributes map[string]string `json:"attrs"`
	Status     string            `json:"status"`
	Enabled    bool              `json:"enabled"`
	// PasswordHash is argon2id in the PHC format of
	// internal/userpool/password.go (hashPassword). COUPLING as above.
	PasswordHash string `json:"pw,omitempty"`
}

// phcHash hashes password once with the server's default argon2id
// parameters, in the format checkPassword reads.
func phcHash(password string) (string, error) {
	h := passwords.DefaultHashParams()
	salt := make([]byte, 16)
	if _, err := io.ReadFull(rand.Reader, salt); err != nil {
		return "", err
	}
	sum := argon2.IDKey([]byte(password), salt, h.Time, h.Memory, h.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.Memory, h.Time, h.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(sum)), nil
}

// bulkLoad inserts users [from, to) of fx's pool straight into the SQLite
// database of dataDir, in batches. The server must NOT be running.
func bulkLoad(ctx context.Context, dataDir string, fx *fixture, from, to, batch int, progress io.Writer) error {
	st, err := sqlite.Open(ctx, filepath.Join(dataDir, "cognate.db"), sqlite.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	hash, err := phcHash(fx.Password)
	if err != nil {
		return err
	}
	start := time.Now()
	now := start.UTC()
	recs := make([]store.User, 0, batch)
	for lo := from; lo < to; lo += batch {
		recs = recs[:0]
		for i := lo; i < min(lo+batch, to); i++ {
			sub := uuid.NewString()
			name := userName(i)
			data, err := json.Marshal(bulkUserDoc{
				Attributes: map[string]string{"sub": sub, "given_name": "bench", "custom:tier": "0", "email": userEmail(name)},
				Status:     "CONFIRMED", Enabled: true, PasswordHash: hash,
			})
			if err != nil {
				return err
			}
			// Usernames are lower case, so the key is the same whether
			// the pool folds case or not.
			rec := store.User{PoolID: fx.PoolID, Key: name, Username: name, Sub: sub,
				Created: now, Modified: now, Data: data}
			// The server's own decoder derives the index entries, so
			// they are what the server would have written.
			u, err := core.DecodeUser(rec)
			if err != nil {
				return err
			}
			rec.Index = u.IndexEntries()
			recs = append(recs, rec)
		}
		uctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		err := st.Update(uctx, func(tx store.Tx) error {
			for _, r := range recs {
				if err := tx.CreateUser(r); err != nil {
					return fmt.Errorf("bulk user %s: %w", r.Username, err)
				}
				if err := tx.AddMember(r.PoolID, benchGroup, r.Key); err != nil {
					return err
				}
			}
			return core.MarkUserIndexBuilt(tx)
		})
		cancel()
		if err != nil {
			return err
		}
		if done := lo + len(recs); done%100_000 == 0 || done == to {
			el := time.Since(start)
			fmt.Fprintf(progress, "bulk: %d users (%.0f/s)\n", done, float64(done-from)/el.Seconds())
		}
	}
	return nil
}
