package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"runtime"
	"slices"
	"time"
)

// speedProbe measures how fast the machine runs while a run is measured.
// On a shared VM that drifts a lot: the same build served 11,000 and 20,000
// updates/s minutes apart, and one RSA-2048 verification on the server's
// CPU took from 36 to 56 µs within the same minutes (within a run, too).
// RSA-2048 verification is the reference the performance targets quote for
// this machine (about 45 µs); it is pure CPU work. The probe times a few
// verifications at a steady interval on the server's CPU by the thread's
// own CPU clock, so time spent waiting for the CPU (the server is busy on
// it) does not count, and it takes a fraction of a percent of that CPU.
type speedProbe struct {
	cpu    int // the CPU to measure on; -1: wherever the thread runs
	pub    *rsa.PublicKey
	digest [sha256.Size]byte
	sig    []byte
}

// probeVerifications is the number of verifications in one sample.
const probeVerifications = 5

func newSpeedProbe(cpu int) (*speedProbe, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	p := &speedProbe{cpu: cpu, pub: &key.PublicKey, digest: sha256.Sum256([]byte("cognate speed probe"))}
	if p.sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, p.digest[:]); err != nil {
		return nil, err
	}
	return p, nil
}

// sample returns the mean thread CPU time of one verification; the caller
// has locked its OS thread.
func (p *speedProbe) sample() (time.Duration, error) {
	t0, err := threadCPUTime()
	if err != nil {
		return 0, err
	}
	for range probeVerifications {
		if err := rsa.VerifyPKCS1v15(p.pub, crypto.SHA256, p.digest[:], p.sig); err != nil {
			return 0, err
		}
	}
	t1, err := threadCPUTime()
	if err != nil {
		return 0, err
	}
	return (t1 - t0) / probeVerifications, nil
}

// start samples every interval, after delay, on the probe's CPU until the
// returned stop is called; stop returns the samples.
func (p *speedProbe) start(delay, every time.Duration) (stop func() ([]time.Duration, error)) {
	done := make(chan struct{})
	type outcome struct {
		samples []time.Duration
		err     error
	}
	out := make(chan outcome, 1)
	go func() {
		// The thread stays locked: it ends with this goroutine, and its
		// pinning with it.
		runtime.LockOSThread()
		var o outcome
		defer func() { out <- o }()
		if p.cpu >= 0 {
			if o.err = pinThread(p.cpu); o.err != nil {
				o.err = fmt.Errorf("speed probe: %w", o.err)
				return
			}
		}
		if _, o.err = p.sample(); o.err != nil { // warm caches and the CPU
			return
		}
		t := time.NewTimer(delay)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			var s time.Duration
			if s, o.err = p.sample(); o.err != nil {
				return
			}
			o.samples = append(o.samples, s)
			t.Reset(every)
		}
	}()
	return func() ([]time.Duration, error) {
		close(done)
		o := <-out
		return o.samples, o.err
	}
}

// probeLine describes the samples taken during one run.
func probeLine(cpu int, samples []time.Duration) string {
	if len(samples) == 0 {
		return "RSA-2048 verify: no samples"
	}
	where := ""
	if cpu >= 0 {
		where = fmt.Sprintf(" on CPU %d", cpu)
	}
	return fmt.Sprintf("RSA-2048 verify%s %.1f µs (median; %.1f–%.1f in %d samples)", where,
		us(median(samples)), us(slices.Min(samples)), us(slices.Max(samples)), len(samples))
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
