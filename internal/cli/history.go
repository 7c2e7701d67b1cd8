package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go"
)

// defaultHistorySize is how many calls the history keeps, as the
// cmdlets' $AWSHistory keeps 20 by default.
const defaultHistorySize = 20

// historyEntry is one recorded service call. Secrets are redacted before
// it is built.
type historyEntry struct {
	Time      time.Time     `json:"Time"`
	Command   string        `json:"Command"`
	Operation string        `json:"Operation"`
	Request   any           `json:"Request,omitempty"`
	Response  any           `json:"Response,omitempty"`
	Error     *historyError `json:"Error,omitempty"`
}

type historyError struct {
	Type    string `json:"Type"`
	Message string `json:"Message"`
}

// call runs one service operation and records it in the history.
func call[O any](inv *invocation, operation string, input any, do func() (O, error)) (O, error) {
	out, err := do()
	inv.record(operation, input, out, err)
	return out, err
}

// record appends a redacted entry to the history file; failures only warn.
func (inv *invocation) record(operation string, input, output any, callErr error) {
	size, path, err := historySettings(inv.env.Getenv)
	if err == nil && (size == 0 || path == "") {
		return
	}
	e := historyEntry{Time: inv.env.Now().UTC(), Command: inv.cmd.name, Operation: operation}
	if err == nil {
		e.Request, err = redacted(input)
	}
	if err == nil && callErr == nil {
		e.Response, err = redacted(output)
	}
	if callErr != nil {
		e.Error = &historyError{Type: "Error", Message: callErr.Error()}
		var api smithy.APIError
		if errors.As(callErr, &api) {
			e.Error = &historyError{Type: api.ErrorCode(), Message: api.ErrorMessage()}
		}
	}
	if err == nil {
		err = appendHistory(path, size, e)
	}
	if err != nil {
		fmt.Fprintf(inv.env.Stderr, "cognate: warning: history not saved: %v\n", err)
	}
}

// historySettings returns how many entries to keep and where.
func historySettings(getenv func(string) string) (size int, path string, err error) {
	size = defaultHistorySize
	if s := getenv("COGNATE_HISTORY_SIZE"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, "", fmt.Errorf("COGNATE_HISTORY_SIZE=%q is not a non-negative integer", s)
		}
		size = n
	}
	if p := getenv("COGNATE_HISTORY_FILE"); p != "" {
		return size, p, nil
	}
	dir, err := userConfigDir(getenv)
	if err != nil {
		return size, "", err
	}
	return size, filepath.Join(dir, "cognate", "history.jsonl"), nil
}

// userConfigDir is os.UserConfigDir reading the environment through getenv.
func userConfigDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := getenv("AppData"); d != "" {
			return d, nil
		}
		return "", errors.New("%AppData% is not set")
	case "darwin", "ios":
		if d := getenv("HOME"); d != "" {
			return filepath.Join(d, "Library", "Application Support"), nil
		}
		return "", errors.New("$HOME is not set")
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	if d := getenv("HOME"); d != "" {
		return filepath.Join(d, ".config"), nil
	}
	return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME is set")
}

// readHistory returns the stored entries, oldest first, as raw JSON lines.
// A missing file is an empty history.
func readHistory(path string) ([]json.RawMessage, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || !json.Valid(line) {
			continue // a torn or hand-edited line is skipped, not fatal
		}
		out = append(out, json.RawMessage(bytes.Clone(line)))
	}
	return out, sc.Err()
}

// appendHistory adds e and keeps the newest size entries, replacing the
// file atomically so a crash never leaves half a history.
func appendHistory(path string, size int, e historyEntry) error {
	lines, err := readHistory(path)
	if err != nil {
		return err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	lines = append(lines, b)
	if len(lines) > size {
		lines = lines[len(lines)-size:]
	}
	var buf bytes.Buffer
	for _, l := range lines {
		buf.Write(l)
		buf.WriteByte('\n')
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".history-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Redaction: members whose names say they hold a secret, and any string
// that looks like a JWT, become redactedValue.
const redactedValue = "***"

// jwtPattern matches JWS (3 parts) and JWE (5 parts) compact tokens.
var jwtPattern = regexp.MustCompile(`^eyJ[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){2,4}$`)

// secretKey reports whether a member name holds a secret: tokens,
// passwords, secrets, codes, sessions and the SRP exchange values.
func secretKey(k string) bool {
	l := strings.ToLower(strings.ReplaceAll(k, "_", ""))
	switch {
	case strings.HasSuffix(l, "token"), strings.Contains(l, "password"), strings.Contains(l, "secret"),
		strings.HasSuffix(l, "code"), l == "session", strings.Contains(l, "signature"),
		strings.HasPrefix(l, "srp"), l == "salt", l == "body":
		return true
	}
	return false
}

func redacted(v any) (any, error) {
	g, err := generic(v)
	if err != nil {
		return nil, err
	}
	return redact(g), nil
}

func redact(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if secretKey(k) {
				t[k] = redactedValue
				continue
			}
			t[k] = redact(x)
		}
	case []any:
		for i := range t {
			t[i] = redact(t[i])
		}
	case string:
		if jwtPattern.MatchString(t) {
			return redactedValue
		}
	}
	return v
}

func historyCommand() command {
	return command{
		name:     "history",
		summary:  "show the last service calls (secrets redacted), like $AWSHistory",
		synopsis: "[--count N] [--clear] [--output json|text|table]",
		example:  "  cognate history --count 3",
		setup: func(inv *invocation) func(context.Context) error {
			count := inv.fs.Int("count", 0, "show only the newest `N` calls (default all kept)")
			clear := inv.fs.Bool("clear", false, "delete the history")
			inv.outputFlags("*", nil)
			return func(ctx context.Context) error {
				if *count < 0 {
					return usagef("--count must not be negative")
				}
				_, path, err := historySettings(inv.env.Getenv)
				if err != nil {
					return err
				}
				if *clear {
					if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
						return err
					}
					return nil
				}
				lines, err := readHistory(path)
				if err != nil {
					return err
				}
				if *count > 0 && len(lines) > *count {
					lines = lines[len(lines)-*count:]
				}
				if len(lines) == 0 {
					return nil
				}
				return inv.emit(lines)
			}
		},
	}
}
