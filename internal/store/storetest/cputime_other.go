//go:build !unix

package storetest

import "time"

// cpuTime is the process's CPU time; without getrusage it is unknown, 0.
func cpuTime() time.Duration { return 0 }
