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
	vsData     string
	bin        string
	vsBin      string
	vsUsers    int
	probe      time.Duration
	importN    int
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
	fs.StringVar(&o.op, "op", "update", "operation: update (UpdateUserAttributes), getuser (GetUser), auth (InitiateAuth USER_PASSWORD_AUTH), "+
		"listusers (ListUsers by one user's email), listpage (first 60 of ListUsers given_name ^= \"bench\", which every user matches), "+
		"ingroup (first 60 of ListUsersInGroup of the group of every user), groupsof (AdminListGroupsForUser) "+
		"or oauthtoken (POST /<pool>/oauth2/token, client_credentials with a custom scope, against the RS256 signing rate of one core)")
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
	fs.StringVar(&o.vsData, "vs-data", "", "with -serve: also start a second server (B) on this data dir and alternate runs A B, B A, ... between the two, printing the ratio B/A of each pair")
	fs.StringVar(&o.bin, "bin", "", "with -serve: run this cognate binary instead of building ./cmd/cognate")
	fs.StringVar(&o.vsBin, "vs-bin", "", "with -vs-data: run side B with this cognate binary (e.g. one built from another commit) instead of side A's")
	fs.IntVar(&o.vsUsers, "vs-users", 0, "users in the pool of -vs-data (default: -users)")
	fs.DurationVar(&o.probe, "probe", 200*time.Millisecond, "during each measured run, time RSA-2048 verification on the server CPU at this interval (the machine's speed at the moment, see speed.go); 0: no probe")
	fs.IntVar(&o.importN, "import", 0, "instead of a load: time a user import job (CSV upload, StartUserImportJob to Succeeded) of this many users into a new pool")
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
		return o, fmt.Errorf("-op %q: want update, getuser, auth, listusers, listpage, ingroup, groupsof or oauthtoken", o.op)
	case o.bulk && o.endpoint != "":
		return o, errors.New("-bulk writes the database directly: use it with -serve or -inprocess")
	case o.database != "" && (!o.serve || o.bulk):
		return o, errors.New("-database needs -serve and cannot be combined with -bulk (which writes SQLite)")
	case o.serverCPU >= 0 && !o.serve:
		return o, errors.New("-server-cpu needs -serve (an -inprocess server shares the -client-cpu pinning)")
	case o.vsData != "" && (!o.serve || o.database != ""):
		return o, errors.New("-vs-data needs -serve and SQLite (no -database)")
	case o.bin != "" && !o.serve:
		return o, errors.New("-bin needs -serve")
	case o.vsBin != "" && o.vsData == "":
		return o, errors.New("-vs-bin needs -vs-data")
	case o.vsData != "" && o.vsData == o.data:
		return o, errors.New("-vs-data must differ from -data")
	case o.users < 1 || o.conns < 1 || o.runs < 1 || o.tokens < 1 || o.batch < 1 || o.dur <= 0:
		return o, errors.New("-users, -c, -runs, -tokens, -batch and -d must be positive")
	case o.probe < 0:
		return o, errors.New("-probe must not be negative")
	}
	if o.vsUsers <= 0 {
		o.vsUsers = o.users
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
	l, err := newLauncher(ctx, o, hc, tmp, stderr)
	if err != nil {
		return err
	}
	if o.importN > 0 {
		tgt, _, err := l.start(ctx, sideSpec{dataDir: dataDir, users: o.users})
		if err != nil {
			return err
		}
		defer func() {
			if serr := tgt.Stop(context.WithoutCancel(ctx)); serr != nil && err == nil && o.endpoint == "" {
				err = fmt.Errorf("stop server: %w", serr)
			}
		}()
		return benchImport(ctx, &apiClient{url: tgt.URL(), hc: l.hc}, o.importN, stdout)
	}
	specs := []sideSpec{{dataDir: dataDir, users: o.users}}
	if o.vsData != "" {
		specs[0].name = "A"
		specs = append(specs, sideSpec{name: "B", dataDir: o.vsData, users: o.vsUsers})
	}
	var sides []*side
	defer func() {
		for _, sd := range sides {
			if serr := sd.tgt.Stop(context.WithoutCancel(ctx)); serr != nil && err == nil && o.endpoint == "" {
				err = fmt.Errorf("stop server%s: %w", sd.label(), serr)
			}
		}
	}()
	for _, sp := range specs {
		sd, err := prepare(ctx, o, l, sp, stdout)
		if err != nil {
			return err
		}
		sides = append(sides, sd)
	}
	return measure(ctx, o, sides, stdout)
}

// sideSpec names one server to drive: its data directory and pool size.
type sideSpec struct {
	name    string // "" when there is one; A and B with -vs-data
	dataDir string
	users   int
}

// side is a running server with its signed-in users.
type side struct {
	sideSpec
	tgt    target
	api    *apiClient
	fx     *fixture
	vusers []*vuser
}

// label is " A" or " B" with two sides, "" with one.
func (sd *side) label() string {
	if sd.name == "" {
		return ""
	}
	return " " + sd.name
}

// prepare starts the server of sp, creates its pool and users unless its
// data directory has them already, and signs users in. On error the server
// it started is stopped.
func prepare(ctx context.Context, o options, l *launcher, sp sideSpec, stdout io.Writer) (sd *side, err error) {
	sd = &side{sideSpec: sp}
	var fx *fixture
	if o.endpoint == "" {
		if fx, err = loadFixture(sp.dataDir); err != nil {
			return nil, err
		}
		if fx != nil && fx.Users < sp.users {
			return nil, fmt.Errorf("%s holds %d users, fewer than %d: use a fresh data dir", sp.dataDir, fx.Users, sp.users)
		}
	}
	tgt, startup, err := l.start(ctx, sp)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = tgt.Stop(context.WithoutCancel(ctx))
		}
	}()
	if o.endpoint == "" {
		fmt.Fprintf(stdout, "server%s start (exec to healthy /health): %v\n", sd.label(), startup.Round(time.Millisecond))
	}
	api := &apiClient{url: tgt.URL(), hc: l.hc}
	if fx == nil {
		t0 := time.Now()
		if fx, err = createPool(ctx, api); err != nil {
			return nil, err
		}
		fx.Users, fx.Bulk = sp.users, o.bulk
		if o.bulk {
			if err = tgt.Stop(ctx); err != nil {
				return nil, err
			}
			if err = bulkLoad(ctx, sp.dataDir, fx, 0, sp.users, o.batch, stdout); err != nil {
				return nil, err
			}
			if tgt, startup, err = l.start(ctx, sp); err != nil {
				return nil, err
			}
			fmt.Fprintf(stdout, "server%s start with %d users: %v\n", sd.label(), sp.users, startup.Round(time.Millisecond))
			api.url = tgt.URL()
		} else if err = createUsers(ctx, api, fx, sp.users, o.setupConc); err != nil {
			return nil, err
		}
		if o.endpoint == "" {
			if err = saveFixture(sp.dataDir, fx); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(stdout, "setup%s: pool %s, %d users in %v\n", sd.label(), fx.PoolID, sp.users, time.Since(t0).Round(time.Millisecond))
	}
	t0 := time.Now()
	users, err := signIn(ctx, api, fx, min(sp.users, o.tokens), o.setupConc)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "signed in%s %d users in %v\n", sd.label(), len(users), time.Since(t0).Round(time.Millisecond))
	if o.op == "oauthtoken" && fx.OAuth == nil {
		if err = setupOAuth(ctx, api, fx); err != nil {
			return nil, err
		}
		if o.endpoint == "" {
			if err = saveFixture(sp.dataDir, fx); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(stdout, "setup%s: domain %s, machine client %s\n", sd.label(), fx.OAuth.Domain, fx.OAuth.ClientID)
	}
	sd.fx = fx
	sd.tgt, sd.api, sd.vusers = tgt, api, users
	return sd, nil
}

// launcher starts (or finds) servers.
type launcher struct {
	o      options
	hc     *http.Client
	tmp    string
	bin    string // with -serve: the built cognate (or -bin)
	binB   string // side B's binary: -vs-bin, else bin
	stderr io.Writer
}

// newLauncher builds cmd/cognate when the servers are children.
func newLauncher(ctx context.Context, o options, hc *http.Client, tmp string, stderr io.Writer) (*launcher, error) {
	l := &launcher{o: o, hc: hc, tmp: tmp, stderr: stderr}
	if !o.serve {
		return l, nil
	}
	l.bin = o.bin
	if l.bin == "" {
		root, err := moduleRoot()
		if err != nil {
			return nil, err
		}
		if l.bin, err = buildServer(ctx, root, tmp); err != nil {
			return nil, err
		}
	}
	l.binB = o.vsBin
	if l.binB == "" {
		l.binB = l.bin
	}
	return l, nil
}

// start starts the server of sp; children log to server.log (server-B.log
// for side B).
func (l *launcher) start(ctx context.Context, sp sideSpec) (target, time.Duration, error) {
	switch {
	case l.o.endpoint != "":
		return remote{url: l.o.endpoint}, 0, nil
	case l.o.inprocess:
		t, d, err := startInProcess(ctx, sp.dataDir, l.stderr)
		return t, d, err
	}
	name, bin := "server.log", l.bin
	if sp.name == "B" {
		name, bin = "server-B.log", l.binB
	}
	logFile, err := os.OpenFile(filepath.Join(l.tmp, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	defer logFile.Close() // the child holds its own descriptor
	t, d, err := startChild(ctx, l.hc, bin, sp.dataDir, l.o.database, l.o.serverCPU, l.o.serverProc, logFile)
	return t, d, err
}

// measure runs the timed runs, checks them and prints the figures. With
// two sides the runs alternate A B, B A, A B, ... so that both meet the
// same moments of a machine whose speed drifts, and each pair's ratio B/A
// is printed with their median.
func measure(ctx context.Context, o options, sides []*side, stdout io.Writer) error {
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
	var probe *speedProbe
	if o.probe > 0 {
		var err error
		if probe, err = newSpeedProbe(probeCPU(o)); err != nil {
			return err
		}
	}
	// For oauthtoken, signs[i] is the signing rate measured just before
	// run i+1 (and, last, after the final run), so each run has a
	// reference from either side of it.
	var signs []float64
	measureSign := func() error {
		if o.op != "oauthtoken" {
			return nil
		}
		rate, err := signRate(probeCPU(o), signFor)
		signs = append(signs, rate)
		return err
	}
	rs := make([][]*result, len(sides))
	bad := 0
	for i := 1; i <= o.runs; i++ {
		if err := measureSign(); err != nil {
			return err
		}
		for _, k := range runOrder(i, len(sides)) {
			sd := sides[k]
			spec := loadSpec{url: sd.tgt.URL(), op: o.op, conns: o.conns, warmup: o.warmup, dur: o.dur, run: i,
				poolID: sd.fx.PoolID, oauth: sd.fx.OAuth}
			if !o.inprocess {
				spec.serverPID = sd.tgt.PID()
			}
			var stopProbe func() ([]time.Duration, error)
			if probe != nil {
				stopProbe = probe.start(o.warmup, o.probe)
			}
			r, err := runLoad(ctx, spec, sd.vusers)
			if stopProbe != nil {
				samples, perr := stopProbe()
				if err == nil && perr != nil {
					err = perr
				}
				if r != nil {
					r.probe = samples
				}
			}
			if err != nil {
				return err
			}
			r.mem, _ = readMemory(sd.tgt.PID())
			if o.op == "update" {
				if err := verify(ctx, sd.api, sd.vusers, r); err != nil {
					return fmt.Errorf("verify: %w", err)
				}
			}
			fmt.Fprintf(stdout, "run%s %d/%d %s\n", sd.label(), i, o.runs, r.line(o, sd.users, len(sd.vusers)))
			if r.errs > 0 {
				fmt.Fprintf(stdout, "  first error: %s\n", r.firstErr)
			}
			if r.lost > 0 {
				fmt.Fprintf(stdout, "  LOST WRITE: %s\n", r.lostMsg)
			}
			if r.errs > 0 || r.lost > 0 {
				bad++
			}
			rs[k] = append(rs[k], r)
		}
	}
	if o.runs > 1 {
		for k, sd := range sides {
			fmt.Fprintf(stdout, "median%s of %d: %s\n", sd.label(), o.runs, medianLine(o, rs[k]))
		}
	}
	if len(sides) == 2 {
		fmt.Fprintln(stdout, ratioLine(rs[0], rs[1]))
	}
	if o.op == "oauthtoken" {
		if err := measureSign(); err != nil {
			return err
		}
		for k, sd := range sides {
			if sd.name != "" {
				fmt.Fprintf(stdout, "%s: ", sd.name)
			}
			printSignRatio(stdout, probeCPU(o), signs, rs[k])
		}
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
		return fmt.Errorf("%d of %d runs had errors or lost writes", bad, o.runs*len(sides))
	}
	return nil
}

// probeCPU is where the speed probe runs: the server's CPU when it is
// pinned, else wherever the scheduler puts it.
func probeCPU(o options) int {
	if o.serve && o.serverCPU >= 0 {
		return o.serverCPU
	}
	return -1
}

// runOrder is the order in which run i (from 1) visits n sides: forwards
// on odd runs, backwards on even ones, so a steady drift of the machine
// favours neither side.
func runOrder(i, n int) []int {
	order := make([]int, n)
	for k := range order {
		order[k] = k
		if i%2 == 0 {
			order[k] = n - 1 - k
		}
	}
	return order
}
