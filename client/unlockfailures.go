package client

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// unlockFailuresFile is the file in the profile folder that lists the
// reason codes of failed unlocks, one a line, that are not in the audit
// trail yet. The trail is sealed with
// the data key, which a failed unlock does not have, so the codes wait
// here in plain text. They are codes such as "wrong-passphrase", never a
// passphrase or any part of one.
const unlockFailuresFile = "unlock-failures"

// maxUnlockFailures caps how many stored failures one unlock records, so
// that a file grown by a script that guesses passphrases cannot flood
// the trail. The rest are counted in one extra entry.
const maxUnlockFailures = 1000

// unlockFailureReasons are the codes unlockFailureReason returns.
var unlockFailureReasons = map[string]bool{
	"wrong-passphrase":      true,
	"keyring-entry-missing": true,
	"keyring-unavailable":   true,
	"vault-unreadable":      true,
}

// storeUnlockFailure appends reason to the profile's unlock failures
// file.
func storeUnlockFailure(dir, reason string) error {
	f, err := os.OpenFile(filepath.Join(dir, unlockFailuresFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, reason+"\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// takeUnlockFailures returns the stored unlock failures and removes the
// file. A line that is not a known code becomes "unknown-record", so
// that an edited file shows in the trail instead of vanishing.
func takeUnlockFailures(dir string) ([]string, error) {
	path := filepath.Join(dir, unlockFailuresFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("client: failed to read the stored unlock failures in %s: %w", path, err)
	}
	var reasons []string
	dropped := 0
	lines := bufio.NewScanner(bytes.NewReader(data))
	for lines.Scan() {
		line := lines.Text()
		if !unlockFailureReasons[line] {
			line = "unknown-record"
		}
		if len(reasons) < maxUnlockFailures {
			reasons = append(reasons, line)
		} else {
			dropped++
		}
	}
	if dropped > 0 {
		reasons = append(reasons, fmt.Sprintf("more-not-recorded-%d", dropped))
	}
	if err := os.Remove(path); err != nil {
		return reasons, fmt.Errorf("client: failed to remove %s after recording it: %w; remove it by hand", path, err)
	}
	return reasons, nil
}
