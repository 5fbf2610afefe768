package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoFyneLocaleError starts this test binary again under locales
// that Fyne cannot parse. Fyne reads the locale while the program
// initializes, before any test runs, so the child's standard error shows
// whether the fix in package fynelocale ran first.
func TestNoFyneLocaleError(t *testing.T) {
	for _, locale := range []string{"C.UTF-8", "", "POSIX.UTF-8"} {
		t.Run("LANG="+locale, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(cleanLocaleEnv(), "LANG="+locale)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the test binary failed: %v\n%s", err, out)
			}
			if strings.Contains(string(out), "Fyne error") {
				t.Errorf("Fyne logged an error under LANG=%q:\n%s", locale, out)
			}
		})
	}
}

// cleanLocaleEnv returns the environment without the locale variables.
func cleanLocaleEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES":
			continue
		}
		env = append(env, kv)
	}
	return env
}
