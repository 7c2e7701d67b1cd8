package message

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/cognate-idp/cognate/internal/store"
)

// List returns the outbox messages matching f, newest first.
func List(ctx context.Context, st store.Store, f store.MessageFilter) ([]Message, error) {
	var out []Message
	err := st.View(ctx, func(tx store.Tx) error {
		recs, err := tx.ListMessages(f)
		if err != nil {
			return err
		}
		out = make([]Message, 0, len(recs))
		for _, r := range recs {
			out = append(out, FromRecord(r))
		}
		return nil
	})
	return out, err
}

// outboxEntry is one message as the outbox endpoint shows it.
type outboxEntry struct {
	ID             string  `json:"Id"`
	UserPoolID     string  `json:"UserPoolId"`
	Username       string  `json:"Username"`
	AttributeName  string  `json:"AttributeName"`
	DeliveryMedium string  `json:"DeliveryMedium"`
	Destination    string  `json:"Destination"`
	Subject        string  `json:"Subject"`
	Body           string  `json:"Body"`
	Code           string  `json:"Code"`
	CreatedAt      float64 `json:"CreatedAt"`
}

// OutboxPath is where the server mounts OutboxHandler.
const OutboxPath = "/_cognate/messages"

// OutboxHandler serves the outbox test hook (GET /_cognate/messages):
// query parameters userPoolId, username, attributeName and limit filter it;
// the answer is {"Messages":[...]}, newest first, CreatedAt in epoch
// seconds. It shows codes in clear, so it must only be mounted on a local
// server. Other methods get 405.
func OutboxHandler(st store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "method not allowed"})
			return
		}
		q := r.URL.Query()
		f := store.MessageFilter{
			PoolID:        q.Get("userPoolId"),
			Username:      q.Get("username"),
			AttributeName: q.Get("attributeName"),
		}
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				writeJSON(w, http.StatusBadRequest, map[string]string{"message": "limit must be a non-negative integer"})
				return
			}
			f.Limit = n
		}
		msgs, err := List(r.Context(), st, f)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "cannot read the outbox"})
			return
		}
		entries := make([]outboxEntry, 0, len(msgs))
		for _, m := range msgs {
			entries = append(entries, outboxEntry{
				ID: m.ID, UserPoolID: m.PoolID, Username: m.Username, AttributeName: m.AttributeName,
				DeliveryMedium: string(m.Medium), Destination: m.Destination, Subject: m.Subject,
				Body: m.Body, Code: m.Code, CreatedAt: float64(m.Created.UnixMilli()) / 1000,
			})
		}
		writeJSON(w, http.StatusOK, map[string]any{"Messages": entries})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
