//go:build unix

package phi

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scanFileWithin runs ScanFile on path and fails the test if it has not
// returned after a few seconds. unblock, when set, is called then to
// let the stuck call end.
func scanFileWithin(t *testing.T, path string, unblock func()) error {
	t.Helper()
	scanner, err := NewScanner(Config{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := scanner.ScanFile(path)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		if unblock != nil {
			unblock()
			<-done
		}
		t.Fatalf("ScanFile(%q) did not return within 5 s", path)
		return nil
	}
}

// unblockFIFO opens the named pipe at path for writing and closes it,
// which ends a reader's wait for a writer.
func unblockFIFO(t *testing.T, path string) func() {
	return func() {
		w, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Errorf("cannot open the named pipe for writing: %v", err)
			return
		}
		w.Close()
	}
}

func TestScanFileNamedPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
	err := scanFileWithin(t, fifo, unblockFIFO(t, fifo))
	if err == nil || !strings.Contains(err.Error(), "is a named pipe") {
		t.Errorf("ScanFile of a named pipe: error %v, expected one naming the named pipe", err)
	}
}

// TestOpenRegularNamedPipe checks the check after opening, which catches
// a file replaced by a named pipe after openScanFile checked its type.
func TestOpenRegularNamedPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		f, err := openRegular(fifo)
		if err == nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is a named pipe") {
			t.Errorf("openRegular of a named pipe: error %v, expected one naming the named pipe", err)
		}
	case <-time.After(5 * time.Second):
		unblockFIFO(t, fifo)()
		<-done
		t.Fatal("openRegular of a named pipe with no writer did not return within 5 s")
	}
}

func TestScanFileSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Skipf("cannot make a Unix socket here: %v", err)
	}
	defer l.Close()
	err = scanFileWithin(t, path, nil)
	if err == nil || !strings.Contains(err.Error(), "is a socket") {
		t.Errorf("ScanFile of a socket: error %v, expected one naming the socket", err)
	}
}

func TestScanFileCharacterDevice(t *testing.T) {
	const device = "/dev/zero"
	if _, err := os.Stat(device); err != nil {
		t.Skipf("no %s here: %v", device, err)
	}
	err := scanFileWithin(t, device, nil)
	if err == nil || !strings.Contains(err.Error(), "is a character device") {
		t.Errorf("ScanFile(%q): error %v, expected one naming the character device", device, err)
	}
}

// stdinChildEnv marks the run of the test binary that scans its own
// standard input for TestScanFileStandardInput.
const stdinChildEnv = "PHI_TEST_SCAN_STDIN"

// TestScanFileStandardInput runs this test binary again with a pipe, and
// then a regular file, as standard input, and checks that scanning
// /dev/stdin reads it.
func TestScanFileStandardInput(t *testing.T) {
	if os.Getenv(stdinChildEnv) == "1" {
		scanStandardInput()
		return
	}
	const text = "Patient SSN 512-34-5678 is on file.\n"
	if _, err := os.Stat("/dev/stdin"); err != nil {
		t.Skipf("no /dev/stdin here: %v", err)
	}

	file := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	redirected, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer redirected.Close()

	// exec passes an *os.File to the child as it is, and copies any other
	// reader through a pipe.
	for name, stdin := range map[string]io.Reader{"pipe": strings.NewReader(text), "regular file": redirected} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestScanFileStandardInput$")
			cmd.Env = append(os.Environ(), stdinChildEnv+"=1")
			cmd.Stdin = stdin
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child scan failed: %v, output %q", err, out)
			}
			if !strings.Contains(string(out), "found ssn") {
				t.Errorf("child output %q, expected \"found ssn\"", out)
			}
		})
	}
}

// scanStandardInput scans /dev/stdin and prints the kind of each finding
// for the parent test to read.
func scanStandardInput() {
	scanner, err := NewScanner(Config{})
	if err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		return
	}
	r, err := scanner.ScanFile("/dev/stdin")
	if err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		return
	}
	for _, f := range r.Findings {
		os.Stdout.WriteString("found " + string(f.Kind) + "\n")
	}
}
