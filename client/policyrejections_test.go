package client

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenReportsRejectedSettingsFile(t *testing.T) {
	_, opts := newProfile(t, "rejected-settings", testPolicy(t))
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	if err := os.MkdirAll(filepath.Join(config, "SecureMail"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(config, "SecureMail", "settings.json"), []byte(`{"settings": `), 0o600); err != nil {
		t.Fatal(err)
	}
	opts.Policy, opts.PolicyReport, opts.UserSettingsFile = nil, nil, ""
	c, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	rejected := c.PolicyRejections()
	if len(rejected) != 1 || !strings.HasSuffix(rejected[0].Origin, "settings.json") {
		t.Errorf("PolicyRejections = %+v, want the broken settings file", rejected)
	}
}
