//go:build unix

package ui

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time the process has used,
// all threads together. On a machine shared with other work it varies
// far less than the wall-clock time a benchmark reports.
func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
