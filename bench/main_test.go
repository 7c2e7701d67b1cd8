package main

import (
	"context"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRunOrderAlternates(t *testing.T) {
	for _, c := range []struct {
		run, n int
		want   []int
	}{
		{1, 1, []int{0}},
		{2, 1, []int{0}},
		{1, 2, []int{0, 1}},
		{2, 2, []int{1, 0}},
		{3, 2, []int{0, 1}},
	} {
		if got := runOrder(c.run, c.n); !slices.Equal(got, c.want) {
			t.Errorf("runOrder(%d, %d) = %v, want %v", c.run, c.n, got, c.want)
		}
	}
}

func TestRatioLine(t *testing.T) {
	res := func(ok int, cpu time.Duration) *result {
		return &result{ok: ok, elapsed: time.Second, cpu: cpu}
	}
	a := []*result{res(1000, 40*time.Millisecond), res(2000, 40*time.Millisecond), res(1000, 40*time.Millisecond)}
	b := []*result{res(900, 40*time.Millisecond), res(2200, 44*time.Millisecond), res(950, 38*time.Millisecond)}
	got := ratioLine(a, b)
	want := "B/A req/s by pair: 0.900 1.100 0.950; median 0.950; server CPU per request B/A median 1.000"
	if got != want {
		t.Errorf("ratioLine:\n got %s\nwant %s", got, want)
	}
}

func TestVsDataFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-endpoint", "http://127.0.0.1:1", "-vs-data", "/tmp/x"},
		{"-serve", "-data", "/tmp/x", "-vs-data", "/tmp/x"},
		{"-serve", "-vs-data", "/tmp/x", "-database", "postgres://x"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil || !strings.Contains(err.Error(), "-vs-data") {
			t.Errorf("parseFlags(%q) = %v, want a -vs-data error", args, err)
		}
	}
	o, err := parseFlags([]string{"-serve", "-users", "7", "-vs-data", "/tmp/y"}, io.Discard)
	if err != nil || o.vsUsers != 7 {
		t.Errorf("-vs-users defaults to -users: got %d, %v", o.vsUsers, err)
	}
}

func TestBinFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-endpoint", "http://127.0.0.1:1", "-bin", "/tmp/c"}, "-bin needs -serve"},
		{[]string{"-serve", "-vs-bin", "/tmp/c"}, "-vs-bin needs -vs-data"},
	} {
		if _, err := parseFlags(c.args, io.Discard); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseFlags(%q) = %v, want %q", c.args, err, c.want)
		}
	}
	o, err := parseFlags([]string{"-serve", "-bin", "/tmp/a", "-vs-data", "/tmp/y", "-vs-bin", "/tmp/b"}, io.Discard)
	if err != nil || o.bin != "/tmp/a" || o.vsBin != "/tmp/b" {
		t.Errorf("-bin/-vs-bin: got %q %q, %v", o.bin, o.vsBin, err)
	}
}

func TestChildStopTwice(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	c := &child{cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first := c.Stop(ctx)
	if first == nil {
		t.Fatal("a process ended by SIGTERM reported a clean exit")
	}
	stopped := make(chan error, 1)
	go func() { stopped <- c.Stop(ctx) }()
	select {
	case again := <-stopped:
		if again != first {
			t.Errorf("second Stop = %v, want the first outcome %v", again, first)
		}
	case <-ctx.Done():
		t.Fatal("second Stop hung")
	}
}
