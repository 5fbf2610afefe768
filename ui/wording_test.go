package ui

import (
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"securemail/cache"
)

func TestSyncDoneCountsInWords(t *testing.T) {
	for n, want := range map[int]string{
		0: "Sync complete: 0 new messages",
		1: "Sync complete: 1 new message",
		7: "Sync complete: 7 new messages",
	} {
		b := newStatusBar(&activityButton{}, &activityButton{})
		b.syncDone(n, nil)
		if b.label.Text != want {
			t.Errorf("syncDone(%d) shows %q, want %q", n, b.label.Text, want)
		}
	}
}

func TestRowIconsTellEncryption(t *testing.T) {
	row := newSummaryRow()
	icon := test.TempWidgetRenderer(t, row.(*summaryRow)).Objects()[0].(*canvas.Image)

	setSummaryRow(row, cache.Summary{Encrypted: true}, true, false)
	if icon.Resource != theme.VisibilityOffIcon() {
		t.Errorf("encrypted row icon %s, want the crossed-out eye", icon.Resource.Name())
	}
	setSummaryRow(row, cache.Summary{}, true, false)
	if icon.Resource != theme.VisibilityIcon() {
		t.Errorf("unencrypted row icon %s, want the open eye", icon.Resource.Name())
	}
}

func TestLockNowIconDiffersFromEncrypted(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	items := s.mail.toolbar().Items
	lock := items[len(items)-1].(*activityToolbarAction).button
	if lock.Icon == theme.VisibilityOffIcon() {
		t.Error("Lock now uses the crossed-out eye that marks encrypted mail")
	}
}
