package audit

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"securemail/cache"
)

// The crash tests run this test binary again as a child that appends to a
// file store and is killed with SIGKILL, then verify what it left.
const (
	crashDirEnv  = "SECUREMAIL_AUDIT_CRASH_DIR"
	crashModeEnv = "SECUREMAIL_AUDIT_CRASH_MODE"
	pauseAfter   = 20
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		runCrashChild(dir, os.Getenv(crashModeEnv))
		return
	}
	os.Exit(m.Run())
}

// pausingStore stops the process for good right after the log write of
// entry pauseAfter, before Append writes the head record.
type pausingStore struct{ fileStore }

func (p pausingStore) AppendLog(name string, entry []byte) (int64, error) {
	seq, err := p.fileStore.AppendLog(name, entry)
	if err == nil && name == logName && seq == pauseAfter {
		fmt.Printf("appended %d\n", seq)
		select {}
	}
	return seq, err
}

func runCrashChild(dir, mode string) {
	var store Store = fileStore{dir: dir}
	switch mode {
	case "pause":
		store = pausingStore{fileStore{dir: dir}}
	case "vault":
		v, err := cache.Open(dir, "default", vaultOptions())
		if err == nil {
			err = v.Unlock([]byte(vaultPassphrase))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "vault:", err)
			os.Exit(3)
		}
		store = v.Store()
	}
	trail, err := Open(store, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(3)
	}
	for i := 1; ; i++ {
		seq, err := trail.Append(sampleSent(i))
		if err != nil {
			fmt.Fprintln(os.Stderr, "append:", err)
			os.Exit(3)
		}
		fmt.Printf("appended %d\n", seq)
	}
}

// runChildUntil starts the child and kills it once it reports having
// appended entry `until`. It returns the last sequence number reported.
func runChildUntil(t *testing.T, dir, mode string, until int64) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashModeEnv+"="+mode)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var last int64
	scanner := bufio.NewScanner(stdout)
	for scanner.Scan() {
		seq, err := strconv.ParseInt(strings.TrimPrefix(scanner.Text(), "appended "), 10, 64)
		if err != nil {
			t.Fatalf("child output %q", scanner.Text())
		}
		last = seq
		if seq >= until {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill child %d: %v", cmd.Process.Pid, err)
	}
	_ = cmd.Wait()
	if last < until {
		t.Fatalf("child stopped at %d before %d: %s", last, until, stderr.String())
	}
	return last
}

func TestCrashBetweenLogAndHead(t *testing.T) {
	dir := t.TempDir()
	runChildUntil(t, dir, "pause", pauseAfter)
	store := fileStore{dir: dir}

	report := mustVerify(t, store)
	if !report.OK() || report.Entries != pauseAfter || report.Interrupted != 1 {
		t.Fatalf("after crash: %+v", report)
	}
	trail, err := Open(store, nil)
	if err != nil {
		t.Fatalf("Open after crash: %v", err)
	}
	if seq, err := trail.Append(VaultUnlocked("keyring")); err != nil || seq != pauseAfter+1 {
		t.Fatalf("Append after crash = %d, %v", seq, err)
	}
	report = mustVerify(t, store)
	if !report.OK() || report.Entries != pauseAfter+1 || report.Interrupted != 0 {
		t.Errorf("after recovery: %+v", report)
	}
}

func TestCrashAtRandomPoints(t *testing.T) {
	dir := t.TempDir()
	store := fileStore{dir: dir}
	var target int64
	for round := 1; round <= 3; round++ {
		target += 15
		runChildUntil(t, dir, "loop", target)
		report := mustVerify(t, store)
		if !report.OK() || report.Interrupted > 1 {
			t.Fatalf("round %d: %+v", round, report)
		}
		target = report.Last
	}
}

func TestCrashOnRealVault(t *testing.T) {
	dir := newVaultTrail(t, 0)
	var target int64
	for round := 1; round <= 2; round++ {
		target += 25
		runChildUntil(t, dir, "vault", target)
		store, lock := unlockVaultFor(t, dir)
		report := mustVerify(t, store)
		lock()
		if !report.OK() || report.Interrupted > 1 || report.Last < target {
			t.Fatalf("round %d: %+v", round, report)
		}
		target = report.Last
	}
}
