// Package gcfloor lets a small Go heap grow to a floor before the garbage
// collector runs often.
//
// With the runtime's default (GOGC=100) a server whose live heap is 20 MB
// collects after every 20 MB it allocates, several times a second under
// load, and every cycle takes a share of the CPU and slows the requests
// running meanwhile. Letting the heap reach a floor first makes cycles
// rare and keeps memory bounded: the heap goal is the floor while the live
// heap is small (at most maxPercent above it), and twice the live heap, the
// runtime's default, once that exceeds the floor.
package gcfloor

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Percent is the GC percentage that puts the heap goal at floor bytes for
// a live heap of live bytes, clamped to [100, maxPercent].
func Percent(live, floor uint64, maxPercent int) int {
	if live == 0 {
		return maxPercent
	}
	p := int(float64(floor)/float64(live)*100) - 100
	return min(max(p, 100), maxPercent)
}

// Run adjusts the GC percentage after every collection, checking every
// interval, until ctx ends; then it restores the percentage it found.
func Run(ctx context.Context, floor uint64, maxPercent int, interval time.Duration) {
	samples := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/gc/heap/live:bytes"}}
	old := debug.SetGCPercent(maxPercent)
	defer debug.SetGCPercent(old)
	current, cycles := maxPercent, uint64(0)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(samples)
		if samples[0].Value.Kind() != metrics.KindUint64 || samples[1].Value.Kind() != metrics.KindUint64 {
			return // metrics this runtime does not have: leave the setting
		}
		n := samples[0].Value.Uint64()
		if n == cycles {
			continue // no collection since the last look
		}
		cycles = n
		if p := Percent(samples[1].Value.Uint64(), floor, maxPercent); p != current {
			debug.SetGCPercent(p)
			current = p
		}
	}
}
