package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"securemail/client"
)

func TestReadMarksOnly(t *testing.T) {
	marks := &client.ReadMarksError{Account: "a", Unsent: 1, Causes: []error{errors.New("connection reset")}}
	syncErr := errors.New("select failed")
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"read marks alone", marks, true},
		{"read marks joined with no sync error", errors.Join(nil, marks), true},
		{"sync error and read marks", errors.Join(syncErr, marks), false},
		{"sync error alone", syncErr, false},
		{"sync error joined alone", errors.Join(syncErr, nil), false},
	} {
		if got := readMarksOnly(tc.err); got != tc.want {
			t.Errorf("%s: readMarksOnly = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestBrokenSettingsFileWarns gives the user settings file a syntax
// error. Commands must write a warning naming the file to stderr.
func TestBrokenSettingsFileWarns(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	if err := os.MkdirAll(filepath.Join(config, "SecureMail"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(config, "SecureMail", "settings.json"), []byte(`{"settings": {"tls": `), 0o600); err != nil {
		t.Fatal(err)
	}
	note := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(note, []byte("Potassium is normal.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"scan", note}, {"policy", "show"}} {
		_, _, stderr := runCmd(args...)
		if !strings.Contains(stderr, "warning: settings from") || !strings.Contains(stderr, "settings.json") {
			t.Errorf("%v: stderr %q does not warn that the settings file was not used", args, stderr)
		}
	}
}
