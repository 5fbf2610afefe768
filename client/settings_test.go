package client

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"securemail/policy"
)

func TestSetUserSettingSavesAndRespectsLocks(t *testing.T) {
	dir := t.TempDir()
	managed := filepath.Join(dir, "managed.json")
	doc := `{"schemaVersion":1,"settings":{"idleLock":{"minutes":5,"maxMinutes":15}},"locked":["recipientReview"]}`
	if err := os.WriteFile(managed, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	userFile := filepath.Join(dir, "user", "settings.json")
	eff, report := policy.Load(policy.Locations{Managed: policy.FileReader{Path: managed}, UserFile: userFile})
	if len(report.Rejections) > 0 {
		t.Fatalf("policy rejected: %v", report.Rejections)
	}
	c, _ := newProfile(t, "settings", eff)
	c.opts.UserSettingsFile = userFile

	if err := c.SetUserSetting("idleLock.minutes", 3); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(userFile)
	if err != nil {
		t.Fatalf("settings file not written: %v", err)
	}
	if !bytes.Contains(saved, []byte(`"minutes"`)) {
		t.Errorf("saved settings lack the change: %s", saved)
	}
	reloaded, _ := policy.Load(policy.Locations{Managed: policy.FileReader{Path: managed}, UserFile: userFile})
	if got, _ := reloaded.Get("idleLock.minutes"); string(got.Value) != "3" {
		t.Errorf("after reload idleLock.minutes = %s, want 3", got.Value)
	}

	err = c.SetUserSetting("recipientReview.lookalike", "warn")
	if !errors.Is(err, policy.ErrLocked) {
		t.Errorf("changing a locked setting: err = %v, want ErrLocked", err)
	}
	if err := c.AuditErr(); err != nil {
		t.Errorf("audit: %v", err)
	}
}
