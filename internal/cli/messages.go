package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// defaultLocalEndpoint is where `cognate serve` listens by default.
const defaultLocalEndpoint = "http://127.0.0.1:9229"

func messagesCommand() command {
	return command{
		name:     "messages",
		summary:  "list messages (codes) in a local cognate server's outbox (GET /_cognate/messages)",
		synopsis: "[--user-pool-id ID] [--username NAME] [--attribute-name NAME] [--limit N] [--endpoint-url URL] [--output json|text|table] [--select S]",
		example:  "  cognate messages --username alice --attribute-name email --limit 1 --select Messages.0.Code",
		setup: func(inv *invocation) func(context.Context) error {
			pool := inv.fs.String("user-pool-id", "", "only this pool's messages (pool `ID`)")
			user := inv.fs.String("username", "", "only this user's messages (user `name`)")
			attr := inv.fs.String("attribute-name", "", "only messages for this attribute `name` (email, phone_number)")
			limit := inv.fs.Int("limit", 0, "at most `N` messages, newest first (default all)")
			inv.fs.StringVar(&inv.endpoint, "endpoint-url", defaultLocalEndpoint, "the cognate server's `URL`")
			inv.outputFlags("Messages", nil)
			return func(ctx context.Context) error {
				if *limit < 0 {
					return usagef("--limit must not be negative")
				}
				if err := checkURL(inv.endpoint); err != nil {
					return err
				}
				q := url.Values{}
				for k, v := range map[string]string{"userPoolId": *pool, "username": *user, "attributeName": *attr} {
					if v != "" {
						q.Set(k, v)
					}
				}
				if *limit > 0 {
					q.Set("limit", strconv.Itoa(*limit))
				}
				u := strings.TrimRight(inv.endpoint, "/") + "/_cognate/messages"
				if len(q) > 0 {
					u += "?" + q.Encode()
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
				if err != nil {
					return err
				}
				resp, err := inv.env.HTTPClient.Do(req)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
				if err != nil {
					return err
				}
				var out map[string]any
				if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != http.StatusOK {
					msg, _ := out["message"].(string)
					if msg == "" {
						msg = "not a cognate server (no outbox at " + u + ")"
					}
					return fmt.Errorf("%s: %s", resp.Status, msg)
				}
				return inv.emit(out)
			}
		},
	}
}
