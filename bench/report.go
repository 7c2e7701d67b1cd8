package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// printHost prints the machine and the settings of this run.
func printHost(w io.Writer, o options) {
	model, n := cpuInfo()
	fmt.Fprintf(w, "host: %s, %d CPUs online, this process may use %d (GOMAXPROCS %d), %s\n",
		model, n, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	mode := "endpoint " + o.endpoint
	switch {
	case o.serve:
		mode = "child server"
		if o.serverCPU >= 0 {
			mode += fmt.Sprintf(" pinned to CPU %d", o.serverCPU)
		}
		if o.serverProc > 0 {
			mode += fmt.Sprintf(", GOMAXPROCS=%d", o.serverProc)
		}
	case o.inprocess:
		mode = "in-process server"
	}
	if o.clientCPU >= 0 {
		mode += fmt.Sprintf("; client pinned to CPU %d", o.clientCPU)
	}
	fmt.Fprintf(w, "mode: %s; op %s, %d users, -c %d, -d %v (+%v warm-up)\n", mode, o.op, o.users, o.conns, o.dur, o.warmup)
	if o.vsData != "" {
		fmt.Fprintf(w, "A: %s (%d users); B: %s (%d users); runs alternate A B, B A, ...\n", o.data, o.users, o.vsData, o.vsUsers)
		if o.bin != "" || o.vsBin != "" {
			fmt.Fprintf(w, "binaries: A %s, B %s\n", orBuilt(o.bin), orBuilt(cmp.Or(o.vsBin, o.bin)))
		}
	}
}

// cpuInfo reads the CPU model name and processor count from /proc/cpuinfo.
func cpuInfo() (string, int) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU", runtime.NumCPU()
	}
	defer f.Close()
	model, n := "unknown CPU", 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "processor":
			n++
		case "model name":
			model = strings.TrimSpace(v)
		}
	}
	return model, n
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func mib(kib int64) string {
	if kib == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

// line is the one-line summary of a run.
func (r *result) line(o options, pool, driven int) string {
	s := fmt.Sprintf("%s c=%d users=%d (%d driven): %.0f req/s (%d ok in %v), p50 %s p90 %s p99 %s max %s, errors %d",
		o.op, o.conns, pool, driven, r.rps(), r.ok, r.elapsed.Round(time.Millisecond),
		ms(r.pct(0.50)), ms(r.pct(0.90)), ms(r.pct(0.99)), ms(r.pct(1)), r.errs)
	if o.op == "update" {
		s += fmt.Sprintf(", lost writes %d/%d", r.lost, r.checked)
	}
	s += fmt.Sprintf(", server RSS %s (peak %s)", mib(r.mem.RSS), mib(r.mem.HWM))
	if r.cpu > 0 && r.ok > 0 {
		s += fmt.Sprintf(", server CPU %.0f µs/req (%.0f %% of a CPU)", r.cpuPerReq(), 100*r.cpu.Seconds()/r.elapsed.Seconds())
	}
	if len(r.probe) > 0 {
		s += "; " + probeLine(probeCPU(o), r.probe)
	}
	return s
}

// cpuPerReq is the server's CPU time per successful request in µs.
func (r *result) cpuPerReq() float64 { return float64(r.cpu.Microseconds()) / float64(r.ok) }

// median returns the median of xs (the lower middle for an even count).
func median[T int64 | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// medianLine summarises runs by the median of each figure on its own.
func medianLine(o options, rs []*result) string {
	var rps []float64
	var p50, p90, p99, mx []time.Duration
	var rss, hwm []int64
	var cpu []float64
	var probes []time.Duration
	errs, lost := 0, 0
	for _, r := range rs {
		if len(r.probe) > 0 {
			probes = append(probes, median(r.probe))
		}
		rps = append(rps, r.rps())
		p50, p90, p99, mx = append(p50, r.pct(.5)), append(p90, r.pct(.9)), append(p99, r.pct(.99)), append(mx, r.pct(1))
		rss, hwm = append(rss, r.mem.RSS), append(hwm, r.mem.HWM)
		if r.cpu > 0 && r.ok > 0 {
			cpu = append(cpu, r.cpuPerReq())
		}
		errs += r.errs
		lost += r.lost
	}
	s := fmt.Sprintf("%s c=%d: %.0f req/s, p50 %s p90 %s p99 %s max %s, errors %d (all runs)",
		o.op, o.conns, median(rps), ms(median(p50)), ms(median(p90)), ms(median(p99)), ms(median(mx)), errs)
	if o.op == "update" {
		s += fmt.Sprintf(", lost writes %d (all runs)", lost)
	}
	s += fmt.Sprintf(", server RSS %s (peak %s)", mib(median(rss)), mib(median(hwm)))
	if len(cpu) == len(rs) {
		s += fmt.Sprintf(", server CPU %.0f µs/req", median(cpu))
	}
	if len(probes) == len(rs) {
		s += fmt.Sprintf("; RSA-2048 verify %.1f µs (median of the runs' medians)", us(median(probes)))
	}
	return s
}

// ratioLine compares side B with side A run by run: the ratio of each
// pair's requests/s and server CPU per request, and the medians.
func ratioLine(a, b []*result) string {
	var rps, cpu []float64
	var sb strings.Builder
	for i := range min(len(a), len(b)) {
		rps = append(rps, b[i].rps()/a[i].rps())
		fmt.Fprintf(&sb, " %.3f", rps[i])
		if a[i].cpu > 0 && b[i].cpu > 0 && a[i].ok > 0 && b[i].ok > 0 {
			cpu = append(cpu, b[i].cpuPerReq()/a[i].cpuPerReq())
		}
	}
	s := fmt.Sprintf("B/A req/s by pair:%s; median %.3f", sb.String(), median(rps))
	if len(cpu) == len(rps) {
		s += fmt.Sprintf("; server CPU per request B/A median %.3f", median(cpu))
	}
	return s
}

// orBuilt names a -bin flag's binary, or the one built from this tree.
func orBuilt(bin string) string { return cmp.Or(bin, "./cmd/cognate of this tree") }
