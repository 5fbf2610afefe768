package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"securemail/crypto"
)

// topDialog returns the topmost overlay of c, or fails.
func topDialog(t *testing.T, c fyne.Canvas) fyne.CanvasObject {
	t.Helper()
	top := c.Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	return top
}

// dialogButton returns the activity button labelled text in the topmost
// dialog of c, or fails.
func dialogButton(t *testing.T, c fyne.Canvas, text string) *activityButton {
	t.Helper()
	var found *activityButton
	walk(topDialog(t, c), func(o fyne.CanvasObject) {
		if b, ok := o.(*activityButton); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no activity button %q in the dialog:\n%s", text, test.RenderObjectToMarkup(topDialog(t, c)))
	}
	return found
}

// foreignFocusables lists the visible focusable widgets in the topmost
// dialog of c that are not ours, whose keys would not reach the idle
// lock. Hidden widgets are left out, as Fyne's focus traversal skips
// them: widget.Form keeps its unused Submit and Cancel buttons hidden.
func foreignFocusables(t *testing.T, c fyne.Canvas) []string {
	t.Helper()
	var found []string
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		switch o.(type) {
		case *activityEntry, *activityButton, *activityCheck, *activitySelect, *activityList, *activityMenu:
		case fyne.Focusable:
			found = append(found, fmt.Sprintf("%T", o))
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, child := range v.Objects {
				visit(child)
			}
		case fyne.Widget:
			for _, child := range test.WidgetRenderer(v).Objects() {
				visit(child)
			}
		}
	}
	visit(topDialog(t, c))
	return found
}

func TestFormDialogKeysReportActivity(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	c := s.win.Canvas()
	name, address := newActivityEntry(s), newActivityEntry(s)
	showForm(s, s.win, "New OpenPGP key", "Create", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Name", name), widget.NewFormItem("Address", address),
	}, func(bool) {})

	if c.Focused() != fyne.Focusable(name) {
		t.Fatalf("focused widget is %T, want the first entry", c.Focused())
	}
	idle.take()
	typeRune(c, 'R')
	if idle.take() == 0 {
		t.Error("a character typed in the form's entry reported no activity")
	}
	if name.Text != "R" {
		t.Errorf("entry text is %q after typing R", name.Text)
	}

	for _, label := range []string{"Cancel", "Create"} {
		c.Focus(dialogButton(t, c, label))
		idle.take()
		pressKey(c, fyne.KeyTab)
		if idle.take() == 0 {
			t.Errorf("a key on the form's %s button reported no activity", label)
		}
	}
	if others := foreignFocusables(t, c); len(others) > 0 {
		t.Errorf("form dialog has focusable widgets that report no keys: %v", others)
	}
}

func TestFormDialogValidationGatesConfirm(t *testing.T) {
	s := newUnlockedShell(t, &countingIdle{})
	c := s.win.Canvas()
	entry := newActivityEntry(s)
	entry.Validator = func(text string) error {
		if text == "" {
			return errors.New("empty")
		}
		return nil
	}
	var results []bool
	var typed string
	p := showForm(s, s.win, "Title", "OK", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", entry)},
		func(ok bool) {
			results = append(results, ok)
			typed = entry.Text
		})

	if !p.confirm.Disabled() {
		t.Error("confirm is enabled while the entry fails validation")
	}
	test.Tap(p.confirm)
	if len(results) != 0 {
		t.Fatalf("tapping the disabled confirm button called back with %v", results)
	}

	test.Type(entry, "Rivera")
	if p.confirm.Disabled() {
		t.Fatal("confirm is still disabled after valid input")
	}
	test.Tap(p.confirm)
	if len(results) != 1 || !results[0] {
		t.Fatalf("callback results after confirm are %v, want [true]", results)
	}
	if typed != "Rivera" {
		t.Errorf("callback saw entry text %q, want %q", typed, "Rivera")
	}
	if c.Overlays().Top() != nil {
		t.Error("form dialog stayed open after confirm")
	}
}

func TestFormDialogEscapeCancels(t *testing.T) {
	s := newUnlockedShell(t, &countingIdle{})
	c := s.win.Canvas()

	// Escape in the entry, and on each of the two buttons.
	for _, focus := range []string{"entry", "Cancel", "OK"} {
		t.Run(focus, func(t *testing.T) {
			entry := newActivityEntry(s)
			var results []bool
			showForm(s, s.win, "Title", "OK", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", entry)},
				func(ok bool) { results = append(results, ok) })
			test.Type(entry, "x")
			if focus != "entry" {
				c.Focus(dialogButton(t, c, focus))
			}

			pressKey(c, fyne.KeyEscape)
			if len(results) != 1 || results[0] {
				t.Errorf("callback results after Escape are %v, want [false]", results)
			}
			if c.Overlays().Top() != nil {
				t.Error("form dialog stayed open after Escape")
			}
		})
	}
}

func TestFormDialogCancelCallsBackOnce(t *testing.T) {
	s := newUnlockedShell(t, &countingIdle{})
	var results []bool
	p := showForm(s, s.win, "Title", "OK", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", newActivityEntry(s))},
		func(ok bool) { results = append(results, ok) })

	test.Tap(p.cancel)
	test.Tap(p.confirm)
	if len(results) != 1 || results[0] {
		t.Errorf("callback results after Cancel then OK are %v, want [false]", results)
	}
}

func TestErrorDialogKeysReportActivity(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	c := s.win.Canvas()
	p := showError(s, s.win, errors.New("read attachment scan.pdf: permission denied"))

	if c.Focused() != fyne.Focusable(p.dismiss) {
		t.Fatalf("focused widget is %T, want the OK button", c.Focused())
	}
	if p.dismiss.Text != "OK" {
		t.Errorf("dismiss button reads %q, want OK", p.dismiss.Text)
	}
	markup := test.RenderObjectToMarkup(topDialog(t, c))
	for _, want := range []string{"Error", "Read attachment scan.pdf: permission denied"} {
		if !strings.Contains(markup, want) {
			t.Errorf("error dialog lacks %q:\n%s", want, markup)
		}
	}
	if others := foreignFocusables(t, c); len(others) > 0 {
		t.Errorf("error dialog has focusable widgets that report no keys: %v", others)
	}

	idle.take()
	pressKey(c, fyne.KeyTab)
	if idle.take() == 0 {
		t.Error("a key on the error dialog's OK button reported no activity")
	}
	pressKey(c, fyne.KeyEscape)
	if c.Overlays().Top() != nil {
		t.Error("error dialog stayed open after Escape")
	}

	showError(s, s.win, errors.New("x"))
	pressKey(c, fyne.KeySpace)
	if c.Overlays().Top() != nil {
		t.Error("error dialog stayed open after Space on OK")
	}
}

func TestMessageDialogDoneCloses(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	c := s.win.Canvas()
	p := showMessage(s, s.win, "Passwords for the protected copies", "Done", widget.NewLabel("lab@lab.example: pw"), fyne.Size{})

	if c.Focused() != fyne.Focusable(p.dismiss) {
		t.Fatalf("focused widget is %T, want the Done button", c.Focused())
	}
	idle.take()
	pressKey(c, fyne.KeyTab)
	if idle.take() == 0 {
		t.Error("a key on the Done button reported no activity")
	}
	test.Tap(p.dismiss)
	if c.Overlays().Top() != nil {
		t.Error("message dialog stayed open after Done")
	}
}

func TestAskSecretPassesPassword(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	c := s.win.Canvas()
	var got []string
	askSecret(s, "PKCS#12 password", "The password of the certificate file.", func(pass []byte) {
		got = append(got, string(pass))
	})

	idle.take()
	for _, r := range "s3cret" {
		typeRune(c, r)
	}
	if idle.take() == 0 {
		t.Error("typing the password reported no activity")
	}
	if others := foreignFocusables(t, c); len(others) > 0 {
		t.Errorf("password dialog has focusable widgets that report no keys: %v", others)
	}
	test.Tap(dialogButton(t, c, "OK"))
	if len(got) != 1 || got[0] != "s3cret" {
		t.Errorf("use received %q, want [s3cret]", got)
	}

	askSecret(s, "PKCS#12 password", "", func(pass []byte) { got = append(got, string(pass)) })
	typeRune(c, 'x')
	pressKey(c, fyne.KeyEscape)
	if len(got) != 1 {
		t.Errorf("Escape passed a password on: %q", got)
	}
}

func TestKeyManagerDialogsReportKeys(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	fake := s.client.(*fakeClient)
	fake.keys = []KeyEntry{{Scheme: crypto.SchemeOpenPGP, Addresses: []string{"lab@lab.example"},
		Fingerprint: "0123456789ABCDEF", Trust: crypto.TrustFirstUse}}
	s.showKeys()
	w := s.children[len(s.children)-1]
	c := w.Canvas()

	// New key: type a name, then create.
	test.Tap(findButton(t, w, "New key"))
	idle.take()
	for _, r := range "Dr Rivera" {
		typeRune(c, r)
	}
	if idle.take() == 0 {
		t.Error("typing in the new-key form reported no activity")
	}
	if others := foreignFocusables(t, c); len(others) > 0 {
		t.Errorf("new-key form has focusable widgets that report no keys: %v", others)
	}
	test.Tap(dialogButton(t, c, "Create"))
	if n := len(fake.keys); n != 2 {
		t.Fatalf("%d keys after Create, want 2", n)
	}

	// Verify: Escape first, then the fingerprint as heard.
	var list *activityList
	walk(w.Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*activityList); ok {
			list = l
		}
	})
	list.Select(0)
	test.Tap(findButton(t, w, "Verify fingerprint…"))
	typeRune(c, '0')
	pressKey(c, fyne.KeyEscape)
	if c.Overlays().Top() != nil {
		t.Fatal("verify dialog stayed open after Escape")
	}
	if fake.keys[0].Trust == crypto.TrustVerified {
		t.Fatal("Escape verified the key")
	}

	test.Tap(findButton(t, w, "Verify fingerprint…"))
	idle.take()
	for _, r := range "0123 4567 89ab cdef" {
		typeRune(c, r)
	}
	if idle.take() == 0 {
		t.Error("typing in the verify form reported no activity")
	}
	test.Tap(dialogButton(t, c, "Verify"))
	if fake.keys[0].Trust != crypto.TrustVerified {
		t.Errorf("trust after a matching fingerprint is %v, want verified", fake.keys[0].Trust)
	}
}

func TestErrorDialogFitsLongText(t *testing.T) {
	s := newUnlockedShell(t, &countingIdle{})
	text := strings.Repeat("connection refused by 127.0.0.1:993 ", 12)
	showError(s, s.win, errors.New(text))

	var label *widget.Label
	walk(topDialog(t, s.win.Canvas()), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "Connection refused") {
			label = l
		}
	})
	if label == nil {
		t.Fatal("no error text in the dialog")
	}
	if w := label.Size().Width; w > maxMessageWidth {
		t.Errorf("error text is %v wide, want at most %v", w, maxMessageWidth)
	}
	if have, need := label.Size().Height, label.MinSize().Height; have < need {
		t.Errorf("error text gets %v high and needs %v: wrapped lines are cut off", have, need)
	}
}

func TestErrorDialogShortTextOnOneLine(t *testing.T) {
	s := newUnlockedShell(t, &countingIdle{})
	text := "Read attachment scan.pdf: permission denied"
	showError(s, s.win, errors.New(text))

	var label *widget.Label
	walk(topDialog(t, s.win.Canvas()), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == text {
			label = l
		}
	})
	if label == nil {
		t.Fatal("no error text in the dialog")
	}
	if have, need := label.Size().Width, widget.NewLabel(text).MinSize().Width; have < need {
		t.Errorf("error text is %v wide and needs %v to fit on one line", have, need)
	}
}
