package message

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

func TestOutboxHandler(t *testing.T) {
	st := newMemStore()
	base := time.Date(2025, 1, 2, 3, 4, 5, 250_000_000, time.UTC)
	mk := func(id, pool, user, attr string, medium Medium, dest string, age time.Duration) Message {
		subj, body := Compose(Templates{}, medium, "1234"+id, user)
		return Message{ID: id, PoolID: pool, Username: user, AttributeName: attr, Medium: medium,
			Destination: dest, Subject: subj, Body: body, Code: "1234" + id, Created: base.Add(-age)}
	}
	msgs := []Message{
		mk("01", "pool1", "jane", "email", Email, "jane@example.com", 3*time.Minute),
		mk("02", "pool1", "jane", "phone_number", SMS, "+12065551212", 2*time.Minute),
		mk("03", "pool1", "bob", "email", Email, "bob@example.com", time.Minute),
		mk("04", "pool2", "jane", "email", Email, "jane2@example.com", 0),
	}
	for _, m := range msgs {
		seed(t, st, m.ToRecord())
	}
	h := OutboxHandler(st)

	tests := []struct {
		name    string
		method  string
		query   string
		status  int
		wantIDs []string
	}{
		{"all newest first", http.MethodGet, "", 200, []string{"04", "03", "02", "01"}},
		{"by pool", http.MethodGet, "?userPoolId=pool1", 200, []string{"03", "02", "01"}},
		{"by pool and user", http.MethodGet, "?userPoolId=pool1&username=jane", 200, []string{"02", "01"}},
		{"by attribute", http.MethodGet, "?username=jane&attributeName=email", 200, []string{"04", "01"}},
		{"limit", http.MethodGet, "?userPoolId=pool1&limit=1", 200, []string{"03"}},
		{"nothing matches", http.MethodGet, "?userPoolId=nope", 200, []string{}},
		{"bad limit", http.MethodGet, "?limit=ten", 400, nil},
		{"negative limit", http.MethodGet, "?limit=-1", 400, nil},
		{"post not allowed", http.MethodPost, "", 405, nil},
		{"delete not allowed", http.MethodDelete, "", 405, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, OutboxPath+tt.query, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.status == 405 && rec.Header().Get("Allow") != "GET" {
				t.Errorf("Allow = %q", rec.Header().Get("Allow"))
			}
			if tt.wantIDs == nil {
				return
			}
			var out struct{ Messages []map[string]any }
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			if out.Messages == nil {
				t.Fatalf("Messages missing or null: %s", rec.Body)
			}
			var ids []string
			for _, m := range out.Messages {
				ids = append(ids, m["Id"].(string))
			}
			if strings.Join(ids, ",") != strings.Join(tt.wantIDs, ",") {
				t.Errorf("ids %v, want %v", ids, tt.wantIDs)
			}
		})
	}

	t.Run("entry fields", func(t *testing.T) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, OutboxPath+"?userPoolId=pool1&attributeName=phone_number", nil))
		want := `{"Messages":[{"Id":"02","UserPoolId":"pool1","Username":"jane","AttributeName":"phone_number",` +
			`"DeliveryMedium":"SMS","Destination":"+12065551212","Subject":"","Body":"Your verification code is 123402. ",` +
			`"Code":"123402","CreatedAt":1735786925.25}]}`
		if got := strings.TrimSpace(rec.Body.String()); got != want {
			t.Errorf("body\n%s\nwant\n%s", got, want)
		}
	})
}

func TestList(t *testing.T) {
	st := newMemStore()
	m := Message{ID: "x", PoolID: "p", Username: "u", AttributeName: "email", Medium: Email,
		Destination: "u@example.com", Subject: "s", Body: "b", Code: "c", Created: t0}
	if err := st.Update(context.Background(), func(tx store.Tx) error { return Enqueue(tx, m) }); err != nil {
		t.Fatal(err)
	}
	got, err := List(context.Background(), st, store.MessageFilter{PoolID: "p"})
	if err != nil || len(got) != 1 || got[0] != m {
		t.Fatalf("List = %+v, %v; want [%+v]", got, err, m)
	}
}
