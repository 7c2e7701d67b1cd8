package sqlite_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
)

// crashEnv names the database the child process of TestCrashKeepsAcknowledgedUpdates
// writes to; it is set only in that child.
const crashEnv = "COGNATE_SQLITE_CRASH_DB"

// TestCrashKeepsAcknowledgedUpdates runs this test binary again as a child
// that performs Updates from several goroutines and prints the ID of each
// one acknowledged (Update returned nil). The parent kills the child with
// SIGKILL mid-stream, reopens the database and checks that every
// acknowledged ID is there.
func TestCrashKeepsAcknowledgedUpdates(t *testing.T) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(path)
		return
	}
	if testing.Short() {
		t.Skip("crash test re-executes the test binary")
	}
	path := filepath.Join(t.TempDir(), "cognate.db")
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(c, os.Args[0], "-test.run=^TestCrashKeepsAcknowledgedUpdates$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		id, ok := strings.CutPrefix(lines.Text(), "ack ")
		if !ok {
			continue
		}
		acked = append(acked, id)
		if len(acked) == 300 {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL", err)
	}
	if len(acked) < 300 {
		t.Fatalf("child acknowledged only %d updates", len(acked))
	}

	s := openAt(t, path)
	err = s.View(c, func(tx store.Tx) error {
		for _, id := range acked {
			if _, err := tx.GetSetting(id); err != nil {
				t.Errorf("acknowledged update %s lost: %v", id, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d acknowledged updates survived SIGKILL", len(acked))
}

// crashChild writes settings from several goroutines until it is killed,
// printing each acknowledged ID. It gives up after a minute in case the
// parent is gone.
func crashChild(path string) {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := sqlite.Open(c, path, sqlite.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; c.Err() == nil; i++ {
				id := fmt.Sprintf("g%d-%06d", g, i)
				err := s.Update(c, func(tx store.Tx) error { return tx.PutSetting(id, []byte("acked")) })
				if err != nil {
					return
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s\n", id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(3)
}
