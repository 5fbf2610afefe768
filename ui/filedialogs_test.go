package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"securemail/crypto"
)

func TestFileSaveNameReportsActivity(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	fake := s.client.(*fakeClient)
	fake.keys = []KeyEntry{{Own: true, Scheme: crypto.SchemeOpenPGP, Addresses: []string{"dr.rivera@clinic.example"},
		Fingerprint: "0123456789ABCDEF"}}
	s.showKeys()
	w := s.children[len(s.children)-1]
	c := w.Canvas()
	walk(w.Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*activityList); ok {
			l.Select(0)
		}
	})

	test.Tap(findButton(t, w, "Export public key…"))
	field, ok := c.Focused().(*widget.Entry)
	if !ok {
		t.Fatalf("focused widget in the save dialog is %T, want its file name field", c.Focused())
	}
	if field.Text != "0123456789ABCDEF.asc" {
		t.Errorf("file name field reads %q, want the fingerprint with .asc", field.Text)
	}

	idle.take()
	test.Type(field, "x")
	if idle.take() == 0 {
		t.Error("typing in the save dialog's file name field reported no activity")
	}

	// Fyne's own handler still runs: an empty name disables Save.
	var saveButton *widget.Button
	walk(topDialog(t, c), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Save" {
			saveButton = b
		}
	})
	if saveButton == nil {
		t.Fatal("no Save button in the save dialog")
	}
	field.SetText("")
	if !saveButton.Disabled() {
		t.Error("Save stayed enabled with an empty file name")
	}
}
