package main

import (
	"io"
	"testing"
	"time"
)

// TestSpeedProbeBadSignature checks that a probe whose verification fails
// reports it rather than timing failures.
func TestSpeedProbeBadSignature(t *testing.T) {
	p, err := newSpeedProbe(-1)
	if err != nil {
		t.Fatal(err)
	}
	p.sig[0] ^= 1
	samples, err := p.start(0, time.Millisecond)()
	if err == nil {
		t.Fatalf("probe with a broken signature: %d samples and no error", len(samples))
	}
}

func TestProbeLine(t *testing.T) {
	got := probeLine(1, []time.Duration{50 * time.Microsecond, 40 * time.Microsecond, 45500 * time.Nanosecond})
	want := "RSA-2048 verify on CPU 1 45.5 µs (median; 40.0–50.0 in 3 samples)"
	if got != want {
		t.Errorf("probeLine = %q, want %q", got, want)
	}
	if got := probeLine(-1, nil); got != "RSA-2048 verify: no samples" {
		t.Errorf("probeLine without samples = %q", got)
	}
}

func TestProbeFlag(t *testing.T) {
	if _, err := parseFlags([]string{"-serve", "-probe", "-1s"}, io.Discard); err == nil {
		t.Error("a negative -probe was accepted")
	}
	o, err := parseFlags([]string{"-serve"}, io.Discard)
	if err != nil || o.probe <= 0 {
		t.Errorf("default -probe = %v (%v), want on", o.probe, err)
	}
}
