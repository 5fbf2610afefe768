//go:build unix

package phi_test

import (
	"syscall"
	"time"
)

// processCPUTime returns the user and system CPU time of the process.
// With -cpu 1 it is close to the time the benchmark loop ran on its core,
// even when other processes compete for the machine.
func processCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
