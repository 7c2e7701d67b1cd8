package core

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
)

// TestDecodeClientLegacySecret: a client document from before clients had
// several secrets keeps its one secret, as the described first one, with an
// ID from the client's creation time that survives a rewrite.
func TestDecodeClientLegacySecret(t *testing.T) {
	created := time.Date(2025, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	old, err := json.Marshal(model.UserPoolClientType{
		ClientId: model.String("abc"), ClientSecret: model.String("s3cret"), CreationDate: model.NewTime(created),
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := DecodeClient(old)
	if err != nil {
		t.Fatal(err)
	}
	want := ClientSecret{ID: "abc--1741064767890", Value: "s3cret", Created: created, Described: true}
	if len(c.Secrets) != 1 || !c.Secrets[0].Created.Equal(want.Created) || c.Secrets[0].ID != want.ID ||
		c.Secrets[0].Value != want.Value || !c.Secrets[0].Described {
		t.Fatalf("secrets = %+v, want [%+v]", c.Secrets, want)
	}
	if model.StringValue(c.Cfg.ClientSecret) != "s3cret" {
		t.Errorf("ClientSecret = %q", model.StringValue(c.Cfg.ClientSecret))
	}
	if !c.MatchesSecret("s3cret") || c.MatchesSecret("s3cre") || c.MatchesSecret("") {
		t.Errorf("MatchesSecret is wrong")
	}

	// Rewritten, the document holds the secret once, in the list.
	data, err := EncodeClient(c.Cfg, c.Secrets)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["ClientSecret"]; ok {
		t.Errorf("rewritten document still has ClientSecret: %s", data)
	}
	again, err := DecodeClient(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Secrets) != 1 || again.Secrets[0].ID != want.ID || model.StringValue(again.Cfg.ClientSecret) != "s3cret" {
		t.Errorf("after a rewrite: secrets %+v, ClientSecret %q", again.Secrets, model.StringValue(again.Cfg.ClientSecret))
	}

	// A public client has none.
	pub, err := DecodeClient([]byte(`{"ClientId":"pub"}`))
	if err != nil {
		t.Fatal(err)
	}
	if pub.HasSecret() || pub.Cfg.ClientSecret != nil || pub.MatchesSecret("") {
		t.Errorf("public client: %+v", pub)
	}
}
