package main

import (
	"io"
	"log/slog"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"securemail/demo"
	"securemail/ui"
)

// TestDemoWindowShowsSeededMail wires the main window to the real demo
// servers, as runDemo does, and checks what the window lists.
func TestDemoWindowShowsSeededMail(t *testing.T) {
	srv, err := demo.Start()
	if err != nil {
		t.Fatalf("start demo servers: %v", err)
	}
	defer srv.Close()

	a := test.NewTempApp(t)
	w := ui.NewMainWindow(a, srv.Mailbox(), demoBanner, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.Window.Show()
	defer w.Window.Close()
	w.Load()
	w.Wait()

	folders := w.FolderNames()
	if len(folders) == 0 || folders[0] != "INBOX" {
		t.Fatalf("folders = %v, expected INBOX first", folders)
	}
	subjects := w.Subjects()
	for _, expected := range []string{
		"Lab results ready (order 4471-A)",
		"Re: Referral for cardiology review",
		"This week: flu vaccination clinics and new guidance",
	} {
		if !slices.Contains(subjects, expected) {
			t.Errorf("window lacks the seeded subject %q; it shows %q", expected, subjects)
		}
	}
}
