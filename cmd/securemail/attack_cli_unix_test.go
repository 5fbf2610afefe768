//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAttackScanFIFO scans a named pipe that no process writes to. The
// command must return with an error instead of waiting for a writer.
func TestAttackScanFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, stdout, stderr := runCmd("scan", fifo)
		done <- result{code, stdout, stderr}
	}()

	select {
	case r := <-done:
		if r.code != exitFailure {
			t.Errorf("scan of a named pipe: exit %d, expected %d", r.code, exitFailure)
		}
		if !strings.Contains(r.stdout, "is a named pipe") {
			t.Errorf("scan of a named pipe: output %q does not name the named pipe; stderr %q", r.stdout, r.stderr)
		}
	case <-time.After(3 * time.Second):
		// Opening the pipe for writing and closing it ends the scan.
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		w.Close()
		<-done
		t.Fatal("scan of a named pipe with no writer did not return within 3 s")
	}
}
