package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"securemail/compose"
)

func TestReviewPromptFitsDialogWidth(t *testing.T) {
	test.NewTempApp(t)
	r := lookalikeReport()
	long := strings.Repeat("The message names a patient and a diagnosis, ", 6)
	r.Findings[1].Explanation = long
	r.Recipients[1].Address = "cardiology.referrals.and.second.opinions@st-mary-hospital.example"
	r.PHI.Findings[0].Excerpt = strings.Repeat("MRN ••••4821 ", 12)
	p := newReviewPrompt(&Shell{}, r, func(*compose.Answers) {})

	c := test.NewCanvas()
	c.SetContent(p.root)
	c.Resize(fyne.NewSize(700, 540))

	var scroll *container.Scroll
	walk(p.root, func(o fyne.CanvasObject) {
		if s, ok := o.(*container.Scroll); ok && scroll == nil {
			scroll = s
		}
	})
	if scroll == nil {
		t.Fatal("review prompt has no scroll container")
	}
	if need, have := scroll.Content.MinSize().Width, scroll.Size().Width; need > have {
		t.Errorf("review content needs %v wide, the dialog gives %v: lines are cut off", need, have)
	}
	if c.Size().Width > 700 {
		t.Errorf("review prompt widened its canvas to %v", c.Size().Width)
	}

	// The check of the long, wrapped finding still takes a tap.
	check := p.confirms["phi"]
	test.Tap(check)
	if !check.Checked {
		t.Error("tapping the check of a wrapped finding left it unchecked")
	}
}
