package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// options are the command-line flags.
type options struct {
	endpoint   string
	serve      bool
	inprocess  bool
	data       string
	serverCPU  int
	database   string
	serverProc int
	clientCPU  int
	pinned     bool
	op         string
	users      int
	bulk       bool
	batch      int
	tokens     int
	conns      int
	dur        time.Duration
	warmup     time.Duration
	runs       int
	setupConc  int
	cpuprofile string
	memprofile string
	keep       bool
	timeout    time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.endpoint, "endpoint", "", "drive an existing server at this base URL")
	fs.BoolVar(&o.serve, "serve", false, "build ./cmd/cognate and start `cognate serve` as a child")
	fs.BoolVar(&o.inprocess, "inprocess", false, "run the server in this process (for -cpuprofile of the server)")
	fs.StringVar(&o.data, "data", "", "data directory to use and keep (default: a fresh temp dir); bench.json in it lets later runs reuse the pool and users")
	fs.StringVar(&o.database, "database", "", "with -serve: run the server on this postgres:// database instead of SQLite (setup state is still kept in -data)")
	fs.IntVar(&o.serverCPU, "server-cpu", -1, "with -serve: pin the server to this CPU (taskset)")
	fs.IntVar(&o.serverProc, "server-procs", 0, "GOMAXPROCS of the child server; 0 leaves it to cognate serve (at least 2)")
	fs.IntVar(&o.clientCPU, "client-cpu", -1, "pin this load generator to this CPU (re-exec under taskset)")
	fs.BoolVar(&o.pinned, "pinned", false, "internal: already running under taskset")
	fs.StringVar(&o.op, "op", "update", "operation: update (UpdateUserAttributes), getuser (GetUser) or auth (InitiateAuth USER_PASSWORD_AUTH)")
	fs.IntVar(&o.users, "users", 100, "users in the pool")
	fs.BoolVar(&o.bulk, "bulk", false, "insert users straight into the SQLite store (needs -serve or -inprocess)")
	fs.IntVar(&o.batch, "batch", 5000, "users per transaction with -bulk")
	fs.IntVar(&o.tokens, "tokens", 1000, "sign in and drive at most this many users")
	fs.IntVar(&o.conns, "c", 64, "concurrent keep-alive connections")
	fs.DurationVar(&o.dur, "d", 10*time.Second, "measured duration of a run")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each run")
	fs.IntVar(&o.runs, "runs", 1, "runs; with more than one the median is printed too")
	fs.IntVar(&o.setupConc, "setup-c", 8, "concurrency of setup calls")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured runs (server side only with -inprocess)")
	fs.StringVar(&o.memprofile, "memprofile", "", "write a heap profile after the runs (server side only with -inprocess)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temp dir (binary, data, server log)")
	fs.DurationVar(&o.timeout, "timeout", time.Hour, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	modes := 0
	for _, b := range []bool{o.endpoint != "", o.serve, o.inprocess} {
		if b {
			modes++
		}
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case modes != 1:
		return o, errors.New("give exactly one of -endpoint URL, -serve or -inprocess")
	case opTarget(o.op) == "":
		return o, fmt.Errorf("-op %q: want update, getuser or auth", o.op)
	case o.bulk && o.endpoint != "":
		return o, errors.New("-bulk writes the database directly: use it with -serve or -inprocess")
	case o.database != "" && (!o.serve || o.bulk):
		return o, errors.New("-database needs -serve and cannot be combined with -bulk (which writes SQLite)")
	case o.serverCPU >= 0 && !o.serve:
		return o, errors.New("-server-cpu needs -serve (an -inprocess server shares the -client-cpu pinning)")
	case o.users < 1 || o.conns < 1 || o.runs < 1 || o.tokens < 1 || o.batch < 1 || o.dur <= 0:
		return o, errors.New("-users, -c, -runs, -tokens, -batch and -d must be positive")
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "bench:", err)
		}
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if o.clientCPU >= 0 && !o.pinned {
		return reexecPinned(ctx, o, args, stdout, stderr)
	}
	if err := bench(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	return 0
}

// reexecPinned runs this program again under `taskset -c <client-cpu>`.
func reexecPinned(ctx context.Context, o options, args []string, stdout, stderr io.Writer) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	targs := append([]string{"-c", strconv.Itoa(o.clientCPU), self}, args...)
	cmd := exec.CommandContext(ctx, "taskset", append(targs, "-pinned")...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, stdout, stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = time.Minute
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		fmt.Fprintln(stderr, "bench: taskset:", err)
		return 1
	}
	return 0
}

// bench sets up, runs and reports.
func bench(ctx context.Context, o options, stdout, stderr io.Writer) (err error) {
	printHost(stdout, o)
	hc := &http.Client{
		Transport: &http.Transport{MaxIdleConns: o.conns + 16, MaxIdleConnsPerHost: o.conns + 16,
			DisableCompression: true, IdleConnTimeout: 90 * time.Second},
		Timeout: 60 * time.Second,
	}
	tmp, err := os.MkdirTemp("", "cognate-bench-")
	if err != nil {
		return err
	}
	defer func() {
		if o.keep || err != nil {
			fmt.Fprintln(stderr, "bench: kept", tmp)
			return
		}
		_ = os.RemoveAll(tmp)
	}()
	dataDir := o.data
	if dataDir == "" {
		dataDir = filepath.Join(tmp, "data")
	}
	start, err := starter(ctx, o, hc, tmp, dataDir, stderr)
	if err != nil {
		return err
	}
	var fx *fixture
	if o.endpoint == "" {
		if fx, err = loadFixture(dataDir); err != nil {
			return err
		}
		if fx != nil && fx.Users < o.users {
			return fmt.Errorf("%s holds %d users, fewer than -users %d: use a fresh -data dir", dataDir, fx.Users, o.users)
		}
	}
	tgt, startup, err := start(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if serr := tgt.Stop(context.WithoutCancel(ctx)); serr != nil && err == nil && o.endpoint == "" {
			err = fmt.Errorf("stop server: %w", serr)
		}
	}()
	if o.endpoint == "" {
		fmt.Fprintf(stdout, "server start (exec to healthy /health): %v\n", startup.Round(time.Millisecond))
	}
	api := &apiClient{url: tgt.URL(), hc: hc}
	if fx == nil {
		t0 := time.Now()
		if fx, err = createPool(ctx, api); err != nil {
			return err
		}
		fx.Users, fx.Bulk = o.users, o.bulk
		if o.bulk {
			if err := tgt.Stop(ctx); err != nil {
				return err
			}
			if err := bulkLoad(ctx, dataDir, fx, 0, o.users, o.batch, stdout); err != nil {
				return err
			}
			if tgt, startup, err = start(ctx); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "server start with %d users: %v\n", o.users, startup.Round(time.Millisecond))
			api.url = tgt.URL()
		} else if err := createUsers(ctx, api, fx, o.users, o.setupConc); err != nil {
			return err
		}
		if o.endpoint == "" {
			if err := saveFixture(dataDir, fx); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "setup: pool %s, %d users in %v\n", fx.PoolID, o.users, time.Since(t0).Round(time.Millisecond))
	}
	t0 := time.Now()
	users, err := signIn(ctx, api, fx, min(o.users, o.tokens), o.setupConc)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "signed in %d users in %v\n", len(users), time.Since(t0).Round(time.Millisecond))
	return measure(ctx, o, api, tgt, users, stdout)
}

// starter returns the function that starts (or finds) the server.
func starter(ctx context.Context, o options, hc *http.Client, tmp, dataDir string, stderr io.Writer) (func(context.Context) (target, time.Duration, error), error) {
	switch {
	case o.endpoint != "":
		return func(context.Context) (target, time.Duration, error) { return remote{url: o.endpoint}, 0, nil }, nil
	case o.inprocess:
		return func(ctx context.Context) (target, time.Duration, error) {
			t, d, err := startInProcess(ctx, dataDir, stderr)
			return t, d, err
		}, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	bin, err := buildServer(ctx, root, tmp)
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(tmp, "server.log"))
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (target, time.Duration, error) {
		t, d, err := startChild(ctx, hc, bin, dataDir, o.database, o.serverCPU, o.serverProc, logFile)
		return t, d, err
	}, nil
}

// measure runs the timed runs, checks them and prints the figures.
func measure(ctx context.Context, o options, api *apiClient, tgt target, users []*vuser, stdout io.Writer) error {
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var rs []*result
	bad := 0
	for i := 1; i <= o.runs; i++ {
		spec := loadSpec{url: tgt.URL(), op: o.op, conns: o.conns, warmup: o.warmup, dur: o.dur, run: i}
		if !o.inprocess {
			spec.serverPID = tgt.PID()
		}
		r, err := runLoad(ctx, spec, users)
		if err != nil {
			return err
		}
		r.mem, _ = readMemory(tgt.PID())
		if o.op == "update" {
			if err := verify(ctx, api, users, r); err != nil {
				return fmt.Errorf("verify: %w", err)
			}
		}
		fmt.Fprintf(stdout, "run %d/%d %s\n", i, o.runs, r.line(o, len(users)))
		if r.errs > 0 {
			fmt.Fprintf(stdout, "  first error: %s\n", r.firstErr)
		}
		if r.lost > 0 {
			fmt.Fprintf(stdout, "  LOST WRITE: %s\n", r.lostMsg)
		}
		if r.errs > 0 || r.lost > 0 {
			bad++
		}
		rs = append(rs, r)
	}
	if o.runs > 1 {
		fmt.Fprintf(stdout, "median of %d: %s\n", o.runs, medianLine(o, rs))
	}
	if o.memprofile != "" {
		runtime.GC()
		f, err := os.Create(o.memprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.WriteHeapProfile(f); err != nil {
			return err
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d runs had errors or lost writes", bad, o.runs)
	}
	return nil
}
