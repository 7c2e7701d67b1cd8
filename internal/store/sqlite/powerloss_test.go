//go:build linux && (amd64 || arm64)

package sqlite

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite/lazyfs"
)

// The child process of TestPowerLoss is told what to do by these; they are
// set only in that child.
const (
	powerLossDBEnv    = "COGNATE_SQLITE_POWERLOSS_DB"    // the database, on a lazyfs mount
	powerLossRoundEnv = "COGNATE_SQLITE_POWERLOSS_ROUND" // updates between clean reopens; 0: none
	powerLossCkptEnv  = "COGNATE_SQLITE_POWERLOSS_CKPT"  // checkpoint after this many WAL pages
)

const (
	dbName  = "cognate.db"
	walName = dbName + "-wal"
)

// mountLazyFS mounts a lazyfs for the test and unmounts it at the end. It
// skips the test where FUSE cannot be used, unless
// COGNATE_REQUIRE_POWERLOSS=1 (CI sets it once it made /dev/fuse usable).
func mountLazyFS(t *testing.T) (fsys *lazyfs.FS, backing, mnt string) {
	t.Helper()
	backing, mnt = t.TempDir(), t.TempDir()
	fsys, err := lazyfs.Mount(backing, mnt)
	if err != nil {
		if os.Getenv("COGNATE_REQUIRE_POWERLOSS") == "1" {
			t.Fatalf("cannot mount the power-loss filesystem, and COGNATE_REQUIRE_POWERLOSS=1: %v", err)
		}
		t.Skipf("power-loss filesystem unavailable (needs /dev/fuse and root; "+
			"COGNATE_REQUIRE_POWERLOSS=1 makes this a failure): %v", err)
	}
	t.Cleanup(func() {
		if err := fsys.Unmount(); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	return fsys, backing, mnt
}

// crashPoint is one simulated power cut: where the child is stopped and
// how the unsynced data is lost.
type crashPoint struct {
	kind  string // see trapFor; "ack" and "reopen" kill after an acknowledgement
	n     int    // at the n-th such event of the run
	round int    // the child closes and reopens the store after this many updates (0: never)
	ckpt  int    // checkpointPages in the child
	torn  bool   // keep a random half of the unsynced pages instead of none
}

func (c crashPoint) String() string {
	s := fmt.Sprintf("%s #%d (checkpoint every %d pages", c.kind, c.n, c.ckpt)
	if c.round > 0 {
		s += fmt.Sprintf(", reopen every %d updates", c.round)
	}
	if c.torn {
		return s + ", torn)"
	}
	return s + ")"
}

// trapFor returns the trap of a crash point, nil for one that is not at a
// filesystem operation.
func trapFor(c crashPoint) lazyfs.Trap {
	var match func(lazyfs.Op) bool
	switch c.kind {
	case "wal-write": // a commit half written
		match = func(op lazyfs.Op) bool { return op.Kind == lazyfs.OpWrite && op.Name == walName }
	case "wal-sync": // a commit (a group of Updates) written, not yet durable
		match = func(op lazyfs.Op) bool { return op.Kind == lazyfs.OpSync && op.Name == walName }
	case "wal-header": // the WAL started again after a checkpoint (or created)
		match = func(op lazyfs.Op) bool { return op.Kind == lazyfs.OpWrite && op.Name == walName && op.Off == 0 }
	case "db-write": // in WAL mode only checkpoints write the database file
		match = func(op lazyfs.Op) bool { return op.Kind == lazyfs.OpWrite && op.Name == dbName }
	case "db-sync": // a checkpoint copied, the database file not yet synced
		match = func(op lazyfs.Op) bool { return op.Kind == lazyfs.OpSync && op.Name == dbName }
	default:
		return nil
	}
	seen := 0
	return func(op lazyfs.Op) bool {
		if match(op) {
			seen++
		}
		return seen >= c.n
	}
}

// crashPlan returns the fixed crash points, then random ones up to n.
func crashPlan(rng *rand.Rand, n int) []crashPoint {
	plan := []crashPoint{
		{kind: "ack", n: 1, ckpt: 16},       // right after the first commit of a new database
		{kind: "wal-sync", n: 20, ckpt: 16}, // in the middle of a group commit
		{kind: "wal-write", n: 37, ckpt: 16, torn: true},
		{kind: "db-write", n: 3, ckpt: 8},             // during a checkpoint
		{kind: "db-write", n: 1, ckpt: 8, torn: true}, // at a checkpoint's first page
		{kind: "db-sync", n: 1, ckpt: 8, torn: true},  // a checkpoint done but not synced
		{kind: "wal-header", n: 2, ckpt: 8, torn: true},
		{kind: "reopen", n: 5, round: 30, ckpt: 16}, // after a clean close and reopen
		{kind: "reopen", n: 1, round: 10, ckpt: 16, torn: true},
		{kind: "ack", n: 200, ckpt: 32},
	}
	limits := map[string]int{"ack": 300, "reopen": 40, "wal-write": 400, "wal-sync": 150,
		"wal-header": 6, "db-write": 120, "db-sync": 8}
	kinds := []string{"ack", "reopen", "wal-write", "wal-sync", "wal-header", "db-write", "db-sync"}
	for len(plan) < n {
		c := crashPoint{kind: kinds[rng.IntN(len(kinds))], ckpt: 4 << rng.IntN(5), torn: rng.IntN(2) == 0}
		c.n = 1 + rng.IntN(limits[c.kind])
		if c.kind == "reopen" || rng.IntN(4) == 0 {
			c.round = 5 + rng.IntN(60)
		}
		plan = append(plan, c)
	}
	return plan[:n]
}

// TestPowerLoss simulates power cuts under a writing store: the child
// process writes through a lazyfs mount, which keeps what was not synced
// apart; at each crash point the filesystem freezes, the child is killed,
// and the unsynced data is dropped (or torn). Then the database must pass
// PRAGMA integrity_check and hold every Update that was acknowledged, in
// this run and every earlier one. The database carries on from crash to
// crash, so recovery itself is crashed into too.
//
// COGNATE_POWERLOSS_SEED replays a run; COGNATE_POWERLOSS_CRASHES sets the
// number of crash points (default 32, 8 with -short).
func TestPowerLoss(t *testing.T) {
	if path := os.Getenv(powerLossDBEnv); path != "" {
		round, _ := strconv.Atoi(os.Getenv(powerLossRoundEnv))
		ckpt, _ := strconv.Atoi(os.Getenv(powerLossCkptEnv))
		powerLossChild(path, round, ckpt)
		return
	}
	n := 32
	if testing.Short() {
		n = 8
	}
	if v := os.Getenv("COGNATE_POWERLOSS_CRASHES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatalf("COGNATE_POWERLOSS_CRASHES=%q: %v", v, err)
		}
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("COGNATE_POWERLOSS_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("COGNATE_POWERLOSS_SEED=%q: %v", v, err)
		}
	}
	fsys, backing, mnt := mountLazyFS(t)
	t.Logf("seed %d (COGNATE_POWERLOSS_SEED=%d replays it), %d crash points", seed, seed, n)
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))

	var acked []string
	start := time.Now()
	for i, c := range crashPlan(rng, n) {
		got, fired := runToCrash(t, fsys, filepath.Join(mnt, dbName), c)
		var torn *rand.Rand
		if c.torn {
			torn = rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
		}
		loss, err := fsys.Crash(torn)
		if err != nil {
			t.Fatal(err)
		}
		acked = append(acked, got...)
		t.Logf("crash %d at %s: %s; %d acknowledged (%d in all); lost %d of %d unsynced pages, %d new files",
			i, c, fired, len(got), len(acked), loss.DirtyPages-loss.KeptPages, loss.DirtyPages, loss.Files)
		if !checkAfterCrash(t, backing, acked) {
			t.Fatalf("crash %d at %s lost data (seed %d)", i, c, seed)
		}
	}
	t.Logf("%d crash points in %v", n, time.Since(start).Round(time.Millisecond))
}

// runToCrash runs a child writing to the database at path until crash
// point c, freezes the filesystem, kills the child and returns the IDs it
// acknowledged and what stopped it.
func runToCrash(t *testing.T, fsys *lazyfs.FS, path string, c crashPoint) (acked []string, fired string) {
	t.Helper()
	if trap := trapFor(c); trap != nil {
		fsys.SetTrap(trap)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPowerLoss$", "-test.count=1")
	cmd.Env = append(os.Environ(), powerLossDBEnv+"="+path,
		powerLossRoundEnv+"="+strconv.Itoa(c.round), powerLossCkptEnv+"="+strconv.Itoa(c.ckpt))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// Until the crash point: the child's lines, a trap firing, or time.
	deadline := time.NewTimer(5 * time.Second)
	defer deadline.Stop()
	reopened := false
	acksAtPoint := 0
	kill := func() {
		fsys.Freeze() // nothing the child does from now on reaches the disk
		cmd.Process.Signal(syscall.SIGKILL)
		fsys.Abort() // it dies only once its pending requests are answered
	}
wait:
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				kill()
				cmd.Wait()
				t.Fatalf("child ended before crash point %s: %s", c, stderr.String())
			}
			if id, ok := strings.CutPrefix(line, "ack "); ok {
				acked = append(acked, id)
				if c.kind == "ack" || c.kind == "reopen" && reopened {
					if acksAtPoint++; acksAtPoint == c.n {
						fired = "killed after an acknowledgement"
						kill()
						break wait
					}
				}
			} else if strings.HasPrefix(line, "open ") && line != "open 0" {
				reopened = true
			}
		case op := <-fsys.Trapped():
			fired = "froze at " + op.String()
			kill()
			break wait
		case <-deadline.C:
			fired = "killed when the crash point did not come in time"
			kill()
			break wait
		}
	}
	died := time.AfterFunc(20*time.Second, func() {
		t.Errorf("child still alive 20s after SIGKILL at %s", c)
		fsys.Unmount() // fails its requests, so that the test can end
	})
	for line := range lines { // acknowledged before it died
		if id, ok := strings.CutPrefix(line, "ack "); ok {
			acked = append(acked, id)
		}
	}
	err = cmd.Wait()
	died.Stop()
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child ended with %v, want killed: %s", err, stderr.String())
	}
	return acked, fired
}

// checkAfterCrash opens a copy of what is durable in backing: it must
// pass PRAGMA integrity_check and, opened by the store, hold each of the
// acknowledged settings with its value.
func checkAfterCrash(t *testing.T, backing string, acked []string) bool {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, dbName)
	for _, name := range []string{dbName, walName} {
		b, err := os.ReadFile(filepath.Join(backing, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); os.IsNotExist(err) {
		if len(acked) > 0 {
			t.Errorf("the database file is gone, with %d updates acknowledged", len(acked))
			return false
		}
		return true
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	var result string
	err = db.QueryRow("PRAGMA integrity_check").Scan(&result)
	db.Close()
	if err != nil || result != "ok" {
		t.Errorf("integrity_check: %q, %v", result, err)
		return false
	}
	ctx := context.Background()
	s, err := Open(ctx, path, Options{CacheBytes: -1})
	if err != nil {
		t.Errorf("open after the crash: %v", err)
		return false
	}
	defer s.Close()
	missing := 0
	err = s.View(ctx, func(tx store.Tx) error {
		for _, id := range acked {
			v, err := tx.GetSetting(id)
			if err != nil || !bytes.Equal(v, powerLossValue(id)) {
				if missing++; missing <= 5 {
					t.Errorf("acknowledged update %s: got %d bytes, %v", id, len(v), err)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged updates missing", missing, len(acked))
	}
	return missing == 0 && err == nil
}

// powerLossValue is the value written under id: its length (40 to about
// 2.5 KiB) varies so that records spill over pages.
func powerLossValue(id string) []byte {
	h := fnv.New32a()
	io.WriteString(h, id)
	n := 40 + int(h.Sum32()%2500)
	return bytes.Repeat([]byte(id+";"), n/(len(id)+1)+1)[:n]
}

// powerLossChild writes settings from eight goroutines until it is killed,
// printing "open R" each time it opens the store and "ack ID" for each
// acknowledged Update. With round > 0 it closes and reopens the store
// after every round updates. It gives up after a minute in case the
// parent is gone.
func powerLossChild(path string, round, ckpt int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, format+"\n", args...) // one write: a whole line or none
		mu.Unlock()
	}
	prefix := strconv.FormatInt(time.Now().UnixNano(), 36)
	for r := 0; ctx.Err() == nil; r++ {
		s, err := Open(ctx, path, Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child open:", err)
			os.Exit(2)
		}
		// Update functions run on the writer goroutine, which owns these.
		err = s.Update(ctx, func(store.Tx) error {
			s.checkpointPages, s.lastCheckpoint = ckpt, time.Now()
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child setup:", err)
			os.Exit(2)
		}
		say("open %d", r)
		var done atomic.Int64
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := 0; ctx.Err() == nil && (round == 0 || done.Load() < int64(round)); i++ {
					id := fmt.Sprintf("%s-%d-%d-%d", prefix, r, g, i)
					err := s.Update(ctx, func(tx store.Tx) error { return tx.PutSetting(id, powerLossValue(id)) })
					if err != nil {
						fmt.Fprintln(os.Stderr, "child update:", err)
						return
					}
					done.Add(1)
					say("ack %s", id)
				}
			})
		}
		wg.Wait()
		if err := s.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "child close:", err)
			os.Exit(2)
		}
	}
	os.Exit(3)
}
