package ui

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"securemail/cache"
)

type fakeSource struct {
	folders  []cache.Folder
	messages map[string][]cache.Summary
	err      error
}

func (f *fakeSource) Folders(context.Context) ([]cache.Folder, error) {
	return f.folders, f.err
}

func (f *fakeSource) List(_ context.Context, folder string) ([]cache.Summary, error) {
	return f.messages[folder], f.err
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func TestMainWindowListsInbox(t *testing.T) {
	a := test.NewTempApp(t)
	src := &fakeSource{
		folders: []cache.Folder{{Name: "INBOX", Role: "inbox", Total: 2, Unread: 1}, {Name: "Sent", Role: "sent"}},
		messages: map[string][]cache.Summary{"INBOX": {
			{Subject: "Lab results ready", From: "Lab <lab@lab.example>", Date: time.Now(), Encrypted: true},
			{Subject: "Rota", From: "p@clinic.example", Date: time.Now().Add(-time.Hour), Flags: []string{`\Seen`}},
		}},
	}
	w := NewMainWindow(a, src, "Demo", quietLog())
	w.Window.Show()
	defer w.Window.Close()

	if got := w.Window.Title(); got != Title {
		t.Errorf("window title = %q, expected %q", got, Title)
	}
	w.Load()
	w.Wait()

	if got := w.FolderNames(); !slices.Equal(got, []string{"INBOX", "Sent"}) {
		t.Errorf("folders = %v, expected [INBOX Sent]", got)
	}
	if got := w.Subjects(); !slices.Equal(got, []string{"Lab results ready", "Rota"}) {
		t.Errorf("subjects = %v, expected the INBOX subjects in order", got)
	}
	if got := w.status.Text; !strings.Contains(got, "INBOX: 2 messages") {
		t.Errorf("status = %q, expected the INBOX count", got)
	}
}

func TestMainWindowShowsLoadError(t *testing.T) {
	a := test.NewTempApp(t)
	src := &fakeSource{err: errors.New("connection refused")}
	w := NewMainWindow(a, src, "", quietLog())
	w.Window.Show()
	defer w.Window.Close()

	w.Load()
	w.Wait()

	if got := w.status.Text; !strings.Contains(got, "Could not load folders: connection refused") {
		t.Errorf("status = %q, expected the load error", got)
	}
	if n := len(w.FolderNames()); n != 0 {
		t.Errorf("got %d folders after a failed load, expected none", n)
	}
}

func TestDisplayName(t *testing.T) {
	cases := map[string]string{
		`"Priya Raman" <p.raman@clinic.example>`: "Priya Raman",
		"results@lab.example":                    "results@lab.example",
		"not an address":                         "not an address",
	}
	for in, expected := range cases {
		if got := displayName(in); got != expected {
			t.Errorf("displayName(%q) = %q, expected %q", in, got, expected)
		}
	}
}
