package demo

import (
	"context"
	"testing"
)

func TestNewProfileSyncsAndOpens(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	c, err := NewProfile(s, t.TempDir())
	if err != nil {
		t.Fatalf("NewProfile: %v", err)
	}
	t.Cleanup(func() { c.Lock("test end") })

	report, err := c.Sync(context.Background(), nil)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	for id, e := range report.Errors {
		t.Errorf("sync of %s: %v", id, e)
	}
	accounts, err := c.Accounts()
	if err != nil || len(accounts) != 1 {
		t.Fatalf("accounts = %v, %v", accounts, err)
	}
	summaries, err := c.List(accounts[0].ID, "INBOX", 0, 50)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	seeds, err := SeedMessages()
	if err != nil {
		t.Fatal(err)
	}
	if len(summaries) != len(seeds) {
		t.Errorf("INBOX has %d messages after sync, want the %d seeded", len(summaries), len(seeds))
	}

	// The owner's key opens the encrypted lab results.
	opened := 0
	for _, sm := range summaries {
		if !sm.Encrypted {
			continue
		}
		m, err := c.OpenMessage(sm.ID)
		if err != nil {
			t.Errorf("open encrypted message %d: %v", sm.ID, err)
			continue
		}
		if len(m.Problems) > 0 {
			t.Errorf("message %d opened with problems: %v", sm.ID, m.Problems)
		}
		opened++
	}
	if opened == 0 {
		t.Error("no encrypted message in the demo INBOX")
	}
	keys, err := c.Keys()
	if err != nil || len(keys) < 4 {
		t.Errorf("keys after import = %d, %v; want the owner's and the contacts'", len(keys), err)
	}
}
