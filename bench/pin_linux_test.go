package main

import (
	"crypto"
	"crypto/rsa"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// firstCPU is the first CPU this process may run on.
func firstCPU(t *testing.T) int {
	t.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	for i := range 1024 {
		if set.IsSet(i) {
			return i
		}
	}
	t.Fatal("no CPU in this process's affinity set")
	return -1
}

// TestSpeedProbeSamples checks that the probe samples at its interval until
// stopped and that each sample is the CPU time of one verification.
func TestSpeedProbeSamples(t *testing.T) {
	p, err := newSpeedProbe(firstCPU(t))
	if err != nil {
		t.Fatal(err)
	}
	stop := p.start(0, time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	samples, err := stop()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) < 2 {
		t.Fatalf("%d samples in 50 ms at a 1 ms interval", len(samples))
	}
	// The same verification timed here. The machine's speed drifts, but
	// not threefold; a sample that summed its verifications (5x) or read a
	// wall clock across the interval would be far off.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0, err := threadCPUTime()
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	for range n {
		if err := rsa.VerifyPKCS1v15(p.pub, crypto.SHA256, p.digest[:], p.sig); err != nil {
			t.Fatal(err)
		}
	}
	t1, err := threadCPUTime()
	if err != nil {
		t.Fatal(err)
	}
	one := (t1 - t0) / n
	if m := median(samples); m < one/3 || m > 3*one {
		t.Errorf("median sample %v, one verification timed here %v", m, one)
	}
}

// TestPinThread checks that pinning moves the calling thread only.
func TestPinThread(t *testing.T) {
	var all unix.CPUSet
	if err := unix.SchedGetaffinity(0, &all); err != nil {
		t.Fatal(err)
	}
	if all.Count() < 2 {
		t.Skip("needs two CPUs")
	}
	cpu := firstCPU(t)
	got := make(chan unix.CPUSet, 1)
	errs := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the pinned thread ends with the goroutine
		if err := pinThread(cpu); err != nil {
			errs <- err
			return
		}
		var set unix.CPUSet
		errs <- unix.SchedGetaffinity(0, &set)
		got <- set
	}()
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if set := <-got; set.Count() != 1 || !set.IsSet(cpu) {
		t.Errorf("pinned thread may run on %d CPUs (CPU %d: %v), want CPU %d only", set.Count(), cpu, set.IsSet(cpu), cpu)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var mine unix.CPUSet
	if err := unix.SchedGetaffinity(0, &mine); err != nil {
		t.Fatal(err)
	}
	if mine != all {
		t.Errorf("another thread's CPUs changed from %d to %d", all.Count(), mine.Count())
	}
}
