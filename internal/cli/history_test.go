package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHistoryRedaction runs calls that carry every kind of secret and
// checks that none reaches the history file, while the calls are there.
func TestHistoryRedaction(t *testing.T) {
	h := newHarness(t)
	h.s.User(t, h.pool, "hist", "email", "h@example.com")
	signIn := h.svc("Passw0rd!\n", "sign-in", "--client-id", h.client, "--username", "hist", "--password-stdin", "--select", "*")
	if signIn.code != ExitOK {
		t.Fatalf("sign-in: %s", signIn)
	}
	var res struct {
		AuthenticationResult struct{ AccessToken, IdToken, RefreshToken string }
	}
	if err := json.Unmarshal([]byte(signIn.stdout), &res); err != nil {
		t.Fatal(err)
	}
	tok := res.AuthenticationResult.AccessToken
	srpIn := h.svc("", "sign-in", "--client-id", h.client, "--username", "hist", "--password", "Passw0rd!",
		"--auth-flow", "USER_SRP_AUTH", "--user-pool-id", h.pool, "--select", "IdToken")
	if srpIn.code != ExitOK {
		t.Fatalf("SRP sign-in: %s", srpIn)
	}
	if r := h.svc("", "update-user-attribute", tok, "--user-attribute", "email=new@example.com"); r.code != ExitOK {
		t.Fatalf("update: %s", r)
	}
	code := h.s.LastCode(t, h.pool, "hist", "email")
	if r := h.svc("", "verify-user-attribute", tok, "--attribute-name", "email", "--code", code); r.code != ExitOK {
		t.Fatalf("verify: %s", r)
	}
	if r := h.svc("", "get-user", "--access-token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln"); r.code != ExitService {
		t.Fatalf("bad token: %s", r)
	}

	raw, err := os.ReadFile(h.histFile)
	if err != nil {
		t.Fatal(err)
	}
	file := string(raw)
	secrets := map[string]string{
		"access token": tok, "id token": res.AuthenticationResult.IdToken, "refresh token": res.AuthenticationResult.RefreshToken,
		"SRP id token": strings.TrimSpace(srpIn.stdout), "password": "Passw0rd!", "verification code": code,
		"forged token": "eyJhbGciOiJub25lIn0",
	}
	for what, s := range secrets {
		if s == "" || strings.Contains(file, s) {
			t.Errorf("history holds the %s (%q)", what, s)
		}
	}
	for _, key := range []string{`"PASSWORD":"***"`, `"AccessToken":"***"`, `"SRP_A":"***"`, `"PASSWORD_CLAIM_SIGNATURE":"***"`, `"Code":"***"`,
		`"SECRET_BLOCK":"***"`} {
		if !strings.Contains(file, key) {
			t.Errorf("history lacks redacted %s", key)
		}
	}
	var ops []string
	for line := range strings.SplitSeq(strings.TrimSpace(file), "\n") {
		var e historyEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("history line %q: %v", line, err)
		}
		ops = append(ops, e.Operation)
	}
	want := "InitiateAuth InitiateAuth RespondToAuthChallenge UpdateUserAttributes VerifyUserAttribute GetUser"
	if got := strings.Join(ops, " "); got != want {
		t.Errorf("history operations %q, want %q", got, want)
	}
	if !strings.Contains(file, `"Error":{"Type":"NotAuthorizedException","Message":"Invalid Access Token"}`) {
		t.Errorf("history lacks the failed call's error:\n%s", file)
	}

	t.Run("history command", func(t *testing.T) {
		r := h.run("", "history", "--count", "2")
		var entries []historyEntry
		if r.code != ExitOK || json.Unmarshal([]byte(r.stdout), &entries) != nil || len(entries) != 2 {
			t.Fatalf("history --count 2: %s", r)
		}
		if entries[0].Operation != "VerifyUserAttribute" || entries[1].Operation != "GetUser" || entries[1].Command != "get-user" {
			t.Errorf("history --count 2 shows %+v", entries)
		}
		if strings.Contains(r.stdout, code) || strings.Contains(r.stdout, tok) {
			t.Error("history output holds a secret")
		}
	})
}

// TestHistoryKeepsNewest checks the size limit, --clear, and that a history
// that cannot be written only warns.
func TestHistoryKeepsNewest(t *testing.T) {
	h := newHarness(t)
	tok := h.user(t, "keeper")
	cases := []struct {
		name      string
		size      string
		calls     int
		wantLines int
	}{
		{"default keeps 20", "", 22, 20},
		{"COGNATE_HISTORY_SIZE=3", "3", 5, 3},
		{"COGNATE_HISTORY_SIZE=0 disables", "0", 2, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.env["COGNATE_HISTORY_FILE"] = filepath.Join(t.TempDir(), "sub", "history.jsonl")
			h.env["COGNATE_HISTORY_SIZE"] = tc.size
			for i := range tc.calls {
				if r := h.svc("", "update-user-attribute", tok, "--user-attribute", "nickname=n"+string(rune('a'+i))); r.code != ExitOK {
					t.Fatalf("call %d: %s", i, r)
				}
			}
			lines, err := readHistory(h.env["COGNATE_HISTORY_FILE"])
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != tc.wantLines {
				t.Fatalf("%d history lines, want %d", len(lines), tc.wantLines)
			}
			if tc.wantLines > 0 && !strings.Contains(string(lines[len(lines)-1]), `"Value":"n`+string(rune('a'+tc.calls-1))+`"`) {
				t.Errorf("newest entry is %s", lines[len(lines)-1])
			}
		})
	}
	t.Run("clear", func(t *testing.T) {
		h.env["COGNATE_HISTORY_SIZE"] = ""
		h.svc("", "get-user", tok)
		if r := h.run("", "history", "--clear"); r.code != ExitOK {
			t.Fatalf("--clear: %s", r)
		}
		if r := h.run("", "history"); r.code != ExitOK || r.stdout != "" {
			t.Errorf("history after --clear: %s", r)
		}
	})
	t.Run("unwritable file only warns", func(t *testing.T) {
		blocker := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(blocker, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		h.env["COGNATE_HISTORY_FILE"] = filepath.Join(blocker, "history.jsonl")
		r := h.svc("", "get-user", tok, "--select", "Username")
		if r.code != ExitOK || r.stdout != "keeper\n" || !strings.Contains(r.stderr, "cognate: warning: history not saved") {
			t.Errorf("get-user with an unwritable history: %s", r)
		}
	})
}
