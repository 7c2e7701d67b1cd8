package login

import (
	"bytes"
	"crypto/rand"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/token"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

func testService(t *testing.T, key []byte, now *time.Time) *Service {
	t.Helper()
	sealer, err := token.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	env := core.NewEnv(nil, "us-east-1", "http://localhost", sealer, slog.New(slog.DiscardHandler), func() time.Time { return *now }, rand.Reader)
	return New(env, nil, nil, nil, nil, nil)
}

func TestFederationState(t *testing.T) {
	key := bytes.Repeat([]byte{7}, token.SealKeySize)
	now := time.Unix(1_700_000_000, 0)
	s := testService(t, key, &now)
	st := &fedState{PoolID: "us-east-1_aaa", Provider: "Corp", Params: url.Values{"client_id": {"c1"}, "state": {"app"}},
		Callback: "http://localhost/us-east-1_aaa/oauth2/idpresponse", Nonce: "n1", Browser: "browser-1", Exp: now.Unix() + StateTTL}
	raw := s.sealState(st)

	t.Run("opens in its pool before it expires", func(t *testing.T) {
		got := s.openState(raw, "us-east-1_aaa", "browser-1")
		if got == nil || got.Provider != "Corp" || got.Nonce != "n1" || got.Params.Get("state") != "app" || got.Callback != st.Callback {
			t.Fatalf("openState = %+v", got)
		}
	})
	for name, tc := range map[string]struct {
		raw, pool, browser string
		after              time.Duration
		key                byte
	}{
		"another pool":    {raw, "us-east-1_bbb", "browser-1", 0, 7},
		"another browser": {raw, "us-east-1_aaa", "browser-2", 0, 7},
		"no cookie":       {raw, "us-east-1_aaa", "", 0, 7},
		"expired":         {raw, "us-east-1_aaa", "browser-1", StateTTL * time.Second, 7},
		"tampered":        {raw[:len(raw)-4] + "AAAA", "us-east-1_aaa", "browser-1", 0, 7},
		"another server":  {raw, "us-east-1_aaa", "browser-1", 0, 8},
		"empty":           {"", "us-east-1_aaa", "browser-1", 0, 7},
		"not sealed":      {"eyJwIjoidXMtZWFzdC0xX2FhYSJ9", "us-east-1_aaa", "browser-1", 0, 7},
	} {
		t.Run("refused: "+name, func(t *testing.T) {
			at := now.Add(tc.after)
			other := testService(t, bytes.Repeat([]byte{tc.key}, token.SealKeySize), &at)
			if got := other.openState(tc.raw, tc.pool, tc.browser); got != nil {
				t.Errorf("openState = %+v, want nil", got)
			}
		})
	}
}
