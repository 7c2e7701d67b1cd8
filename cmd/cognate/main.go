// Command cognate is an Amazon Cognito user pools server (`cognate serve`)
// and a command-line client for it and for Cognito itself.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/cognate-idp/cognate/internal/app"
	"github.com/cognate-idp/cognate/internal/cli"
	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/gcfloor"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

const usage = `Usage: cognate <command> [flags]

Server:
  serve        run the Cognito user pools server (default 127.0.0.1:9229)

Client (Amazon Cognito or cognate serve; no AWS credentials needed):
  update-user-attribute, sign-in, get-user, get-user-attribute-verification-code,
  verify-user-attribute, delete-user-attributes, global-sign-out, messages, history

Run 'cognate serve --help' for the server's flags, 'cognate help' for every
command, 'cognate --version' for the version.
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr, getenv)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, "Usage: cognate <command> [flags]\n\nServer:\n  serve        run the Cognito user pools server (default 127.0.0.1:9229); 'cognate serve --help' lists its flags\n")
		cli.Help(stdout)
		return 0
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "cognate %s\n", version.String())
		return 0
	}
	return cli.Run(args, cli.Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv})
}

func serve(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cfg, err := config.Load(args, getenv)
	if err != nil {
		var ue config.UsageError
		if config.IsHelp(err) && errors.As(err, &ue) {
			fmt.Fprintf(stdout, "Usage: cognate serve [flags]\n\nRuns the Cognito user pools server. Each flag also has an environment\nvariable; flags win over the environment, which wins over --config.\n\nFlags:\n%s", ue.Usage)
			return 0
		}
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "cognate serve: %v\n\nFlags:\n%s", err, ue.Usage)
			return 2
		}
		fmt.Fprintf(stderr, "cognate serve: %v\n", err)
		return 2
	}
	log := newLogger(cfg, stderr)
	// Request ids and subs are random UUIDs; drawing their randomness from
	// the system in blocks of 256 bytes spares one getrandom per request.
	// Set once, before anything generates a UUID.
	uuid.EnableRandPool()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Requests allocate a few KB each and keep little; with the runtime's
	// default the collector would run several times a second under load.
	// Let the heap reach gcHeapFloor first (see gcfloor). GOGC, when set,
	// decides instead.
	if getenv("GOGC") == "" {
		go gcfloor.Run(ctx, gcHeapFloor, 400, 100*time.Millisecond)
	}
	start := time.Now()
	var access io.Writer
	if log.Enabled(ctx, slog.LevelInfo) {
		access = stderr
	}
	a, err := app.New(ctx, cfg, log, app.Overrides{AccessLog: access})
	if err != nil {
		log.Error("start failed", "error", err)
		return 1
	}
	// A store that blocks a thread in fsync while it commits would, with a
	// single P (a process on one core), stall request handling until the
	// runtime hands the P over; a second P keeps serving meanwhile. On one
	// core a second P otherwise costs: the kernel then time-slices two busy
	// threads. An explicit GOMAXPROCS is respected.
	if getenv("GOMAXPROCS") == "" && runtime.GOMAXPROCS(0) < 2 && a.BlocksOnDisk() {
		runtime.GOMAXPROCS(2)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		log.Error("listen failed", "error", err)
		_ = a.Close()
		return 1
	}
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	log.Info("cognate serving", "version", version.String(), "listen", ln.Addr().String(), "public_url", cfg.PublicURL, "data", cfg.Data,
		"region", cfg.Region, "startup", time.Since(start).Round(time.Millisecond))
	front := a.Front(srv)
	err = server.Serve(ctx, front, func() error { return front.Serve(ln) }, cfg.ShutdownTimeout.Duration)
	if cerr := a.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		log.Error("server stopped", "error", err)
		return 1
	}
	log.Info("cognate stopped")
	return 0
}

// gcHeapFloor is the heap size below which the collector runs rarely.
const gcHeapFloor = 96 << 20

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
