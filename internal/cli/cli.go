package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/smithy-go"
	"golang.org/x/term"
)

// Env is what a command may use of the process. Stdin, Stdout, Stderr and
// Getenv are required; the other fields default to the real thing when nil.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string

	// HTTPClient sends every request; nil means a client with a timeout.
	HTTPClient *http.Client
	// Now is the clock (SRP timestamps, history); nil means time.Now.
	Now func() time.Time
	// Rand is the randomness for SRP; nil means crypto/rand.
	Rand io.Reader
}

// Exit codes returned by Run.
const (
	ExitOK      = 0 // success
	ExitService = 1 // the service (or the network) refused the call
	ExitUsage   = 2 // the command line is wrong
)

// requestTimeout bounds each command's network work.
const requestTimeout = 60 * time.Second

// command is one client command.
type command struct {
	name     string
	summary  string
	synopsis string
	example  string
	// setup declares the command's own flags; it returns the action run
	// after parsing.
	setup func(inv *invocation) func(ctx context.Context) error
}

// commands returns the command table, in help order.
func commands() []command {
	return []command{
		updateUserAttributeCommand(),
		signInCommand(),
		getUserCommand(),
		getVerificationCodeCommand(),
		verifyUserAttributeCommand(),
		deleteUserAttributesCommand(),
		globalSignOutCommand(),
		messagesCommand(),
		historyCommand(),
	}
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// Help lists the client commands.
func Help(w io.Writer) {
	fmt.Fprint(w, "\nClient commands (Amazon Cognito user pools API, unsigned operations):\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-38s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun 'cognate <command> --help' for a command's flags and an example.\n")
}

// Run runs a client command and returns the process exit code: 0 on
// success, 1 for a service error, 2 for a usage error.
func Run(args []string, env Env) int {
	env = env.withDefaults()
	if len(args) == 0 {
		Help(env.Stderr)
		return ExitUsage
	}
	cmd, ok := findCommand(args[0])
	if !ok {
		fmt.Fprintf(env.Stderr, "cognate: unknown command %q\nRun 'cognate help' for the list of commands.\n", args[0])
		return ExitUsage
	}
	inv := newInvocation(cmd, env)
	action := cmd.setup(inv)
	if err := inv.parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			inv.usage(env.Stdout)
			return ExitOK
		}
		return inv.fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	return inv.fail(action(ctx))
}

func (e Env) withDefaults() Env {
	if e.Stdin == nil {
		e.Stdin = strings.NewReader("")
	}
	if e.Getenv == nil {
		e.Getenv = func(string) string { return "" }
	}
	if e.HTTPClient == nil {
		e.HTTPClient = &http.Client{Timeout: requestTimeout}
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Rand == nil {
		e.Rand = rand.Reader
	}
	return e
}

// stdinTerminal reports whether standard input is an interactive terminal.
func (e Env) stdinTerminal() bool {
	f, ok := e.Stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// usageError is a mistake on the command line (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// errCancelled is returned when the user declines the confirmation prompt.
var errCancelled = errors.New("operation cancelled")

// fail prints err the way the commands agree on and returns the exit code.
func (inv *invocation) fail(err error) int {
	if err == nil {
		return ExitOK
	}
	var ue usageError
	var api smithy.APIError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(inv.env.Stderr, "cognate %s: %s\nRun 'cognate %s --help' for usage.\n", inv.cmd.name, ue.msg, inv.cmd.name)
		return ExitUsage
	case errors.As(err, &api):
		fmt.Fprintf(inv.env.Stderr, "%s: %s\n", api.ErrorCode(), api.ErrorMessage())
		return ExitService
	default:
		fmt.Fprintf(inv.env.Stderr, "cognate %s: %v\n", inv.cmd.name, err)
		return ExitService
	}
}

// sortedKeys returns m's keys in order (stable output).
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
