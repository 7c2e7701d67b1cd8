package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cognate-idp/cognate/internal/app"
	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/server"
)

// target is a server under load.
type target interface {
	// URL is the server's base URL.
	URL() string
	// PID is the server's process ID, 0 when unknown.
	PID() int
	// Stop shuts the server down and waits for it.
	Stop(ctx context.Context) error
}

// remote is a server started by someone else.
type remote struct{ url string }

func (r remote) URL() string                { return r.url }
func (r remote) PID() int                   { return 0 }
func (r remote) Stop(context.Context) error { return nil }

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// buildServer builds cmd/cognate from the module root into dir.
func buildServer(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "cognate")
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/cognate")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/cognate: %w\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot finds the directory holding go.mod, from the working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory; run from the module")
		}
		dir = parent
	}
}

// child is a `cognate serve` process.
type child struct {
	url     string
	cmd     *exec.Cmd
	done    chan error
	stopped bool  // Stop ran: the process is gone
	stopErr error // and what Stop returned
}

// startChild starts bin on dataDir, pinned to cpu with GOMAXPROCS=procs
// when cpu >= 0, and waits for /health. It returns the time from exec to the
// first healthy answer.
func startChild(ctx context.Context, hc *http.Client, bin, dataDir, database string, cpu, procs int, logFile *os.File) (*child, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	args := []string{"serve", "-listen", addr, "-data", dataDir, "-log-level", "warn"}
	if database != "" {
		args = append(args, "-database", database)
	}
	var cmd *exec.Cmd
	if cpu >= 0 {
		cmd = exec.Command("taskset", append([]string{"-c", strconv.Itoa(cpu), bin}, args...)...)
	} else {
		cmd = exec.Command(bin, args...)
	}
	cmd.Env = os.Environ()
	if procs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(procs))
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("start server: %w", err)
	}
	c := &child{url: "http://" + addr, cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	hctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	healthy := make(chan error, 1)
	go func() { healthy <- waitHealthy(hctx, hc, c.url) }()
	select {
	case err := <-healthy:
		if err != nil {
			_ = c.Stop(ctx)
			return nil, 0, err
		}
	case err := <-c.done:
		cancel()
		return nil, 0, fmt.Errorf("server exited before it was healthy (%v); see %s", err, logFile.Name())
	}
	return c, time.Since(start), nil
}

func (c *child) URL() string { return c.url }

// PID is the server's PID: taskset execs the server in place.
func (c *child) PID() int { return c.cmd.Process.Pid }

// Stop stops the server; stopping it again returns the first outcome (a
// setup that fails after stopping a server for -bulk stops it once more).
func (c *child) Stop(ctx context.Context) error {
	if c.stopped {
		return c.stopErr
	}
	c.stopped = true
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	select {
	case c.stopErr = <-c.done:
	case <-ctx.Done():
		_ = c.cmd.Process.Kill()
		<-c.done
		c.stopErr = errors.New("server did not stop within 30s; killed")
	}
	return c.stopErr
}

// inproc is a server running in this process, so profiles see it.
type inproc struct {
	url string
	app *app.App
	srv *server.Front
	err chan error
}

// startInProcess assembles the server as cmd/cognate does and serves it on
// a loopback listener.
func startInProcess(ctx context.Context, dataDir string, logw io.Writer) (*inproc, time.Duration, error) {
	start := time.Now()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	cfg := config.Default()
	cfg.Data = dataDir
	cfg.SecretFile = filepath.Join(dataDir, "secret.key")
	cfg.Listen = ln.Addr().String()
	cfg.PublicURL = "http://" + cfg.Listen
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(ctx, cfg, log, app.Overrides{})
	if err != nil {
		ln.Close()
		return nil, 0, err
	}
	p := &inproc{url: cfg.PublicURL, app: a, err: make(chan error, 1), srv: a.Front(&http.Server{
		ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
	})}
	go func() { p.err <- p.srv.Serve(ln) }()
	return p, time.Since(start), nil
}

func (p *inproc) URL() string { return p.url }
func (p *inproc) PID() int    { return os.Getpid() }

func (p *inproc) Stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := p.srv.Shutdown(ctx)
	<-p.err
	return errors.Join(err, p.app.Close())
}

// memory is a process's resident set size now and at its peak, in KiB.
type memory struct{ RSS, HWM int64 }

// readMemory reads VmRSS and VmHWM of pid from /proc.
func readMemory(pid int) (memory, error) {
	var m memory
	if pid <= 0 {
		return m, errors.New("no server process")
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			m.RSS = n
		case "VmHWM":
			m.HWM = n
		}
	}
	return m, sc.Err()
}

// readCPU returns the CPU time (user + system) process pid has used, from
// /proc/<pid>/stat in clock ticks of 10 ms.
func readCPU(pid int) (time.Duration, error) {
	if pid <= 0 {
		return 0, errors.New("no server process")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after it start
	// at the state (field 3). utime and stime are fields 14 and 15.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}
