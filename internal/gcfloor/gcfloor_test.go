package gcfloor

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const MiB = 1 << 20
	for _, tc := range []struct {
		live, floor uint64
		want        int
	}{
		{0, 128 * MiB, 400},         // nothing measured yet
		{10 * MiB, 128 * MiB, 400},  // small heap: capped
		{32 * MiB, 128 * MiB, 300},  // goal exactly the floor
		{40 * MiB, 128 * MiB, 220},  // goal 128 MiB
		{64 * MiB, 128 * MiB, 100},  // the floor is twice the live heap
		{100 * MiB, 128 * MiB, 100}, // larger heaps: the runtime's default
		{4096 * MiB, 128 * MiB, 100},
	} {
		if got := Percent(tc.live, tc.floor, 400); got != tc.want {
			t.Errorf("Percent(%d MiB, %d MiB, 400) = %d, want %d", tc.live/MiB, tc.floor/MiB, got, tc.want)
		}
	}
}

func gogc() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestRun checks that Run follows the live heap after a collection and
// restores the setting it found when it stops.
func TestRun(t *testing.T) {
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	// A floor far below any live heap: the percentage must drop to 100
	// after the next collection.
	go func() { Run(ctx, 1, 400, time.Millisecond); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for gogc() != 100 {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC is %d after collections, want 100", gogc())
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if got := gogc(); got != 150 {
		t.Errorf("GOGC after Run = %d, want the 150 it found", got)
	}
}
