package ui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"securemail/compose"
	"securemail/crypto"
)

// update rewrites the golden files in testdata: go test ./ui -update.
var update = flag.Bool("update", false, "rewrite the golden markup files in testdata")

// assertGolden compares the markup of o with testdata/name, or writes it
// with -update.
func assertGolden(t *testing.T, name string, o fyne.CanvasObject, size fyne.Size) {
	t.Helper()
	c := test.NewCanvas()
	c.SetPadded(false)
	c.SetContent(o)
	c.Resize(size)
	// Word-wrapped labels learn their width in the first layout, so a
	// second one gives them the height the window shows.
	o.Refresh()
	if *update {
		path := filepath.Join("testdata", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(test.RenderToMarkup(c)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	test.AssertRendersToMarkup(t, name, c)
}

// lookalikeReport is the review of a reply that mentions a patient and
// goes to a lookalike domain, as compose.Review reports it.
func lookalikeReport() *compose.Report {
	return &compose.Report{
		Sender: "dr.rivera@clinic.example",
		Recipients: []compose.RecipientReview{
			{Address: "lab@lab.example", Field: "To", Domain: "lab.example", Method: compose.MethodOpenPGP,
				Reason: "a trusted OpenPGP key is known", OpenPGP: compose.KeyStatus{State: compose.KeyUsable}},
			{Address: "lab@1ab.example", Field: "Cc", Domain: "1ab.example", FirstContact: true,
				Method: compose.MethodPasswordPDF, Reason: "no key or certificate is known"},
		},
		Findings: []compose.Finding{
			{ID: "lookalike:lab@1ab.example", Kind: compose.KindLookalike, Severity: compose.SeverityDanger,
				Recipient: "lab@1ab.example", Explanation: "1ab.example looks like lab.example, which you write to often.", Confirm: true},
			{ID: "phi", Kind: compose.KindPHI, Severity: compose.SeverityWarning,
				Explanation: "The message contains a patient identifier and clinical content.", Confirm: true},
			{ID: "first:lab@1ab.example", Kind: compose.KindFirstContact, Severity: compose.SeverityInfo,
				Recipient: "lab@1ab.example", Explanation: "This is your first message to lab@1ab.example."},
		},
		PHI: compose.PHIReport{Level: compose.SensitivityHigh, Findings: []compose.PHIFinding{
			{Kind: "mrn", Location: compose.InBody, Offset: 12, Excerpt: "MRN ••••4821"},
			{Kind: "icd10", Location: compose.InSubject, Excerpt: "E11.•"},
		}},
		SentCopy:           crypto.SchemeOpenPGP,
		NeedsJustification: true,
	}
}

func TestReviewPromptGolden(t *testing.T) {
	test.NewTempApp(t)
	s := &Shell{opts: Options{}}
	p := newReviewPrompt(s, lookalikeReport(), func(*compose.Answers) {})
	assertGolden(t, "review_prompt.xml", p.root, fyne.NewSize(700, 900))
}

func TestReviewPromptBlockedGolden(t *testing.T) {
	test.NewTempApp(t)
	r := &compose.Report{
		Recipients: []compose.RecipientReview{{Address: "x@partner.example", Field: "To", Domain: "partner.example",
			Method: compose.MethodNone, Reason: "policy forbids unencrypted mail and no key is known"}},
		Findings: []compose.Finding{{ID: "nomethod:x@partner.example", Kind: compose.KindNoMethod,
			Severity: compose.SeverityBlocking, Explanation: "No allowed method reaches x@partner.example."}},
	}
	p := newReviewPrompt(&Shell{}, r, func(*compose.Answers) {})
	assertGolden(t, "review_prompt_blocked.xml", p.root, fyne.NewSize(700, 400))
	if !p.send.Disabled() {
		t.Error("Send enabled with a blocking finding")
	}
	p.submit()
}

func TestReviewPromptNeedsAnswers(t *testing.T) {
	test.NewTempApp(t)
	var got *compose.Answers
	done := 0
	p := newReviewPrompt(&Shell{}, lookalikeReport(), func(a *compose.Answers) { got = a; done++ })

	if p.cancel.Importance != widget.HighImportance || p.send.Importance == widget.HighImportance {
		t.Error("Cancel is not the default button")
	}
	if !p.send.Disabled() {
		t.Fatal("Send enabled before any confirmation")
	}
	test.Tap(p.confirms["lookalike:lab@1ab.example"])
	test.Tap(p.confirms["phi"])
	if !p.send.Disabled() {
		t.Fatal("Send enabled without the required justification")
	}
	test.Type(p.justification, "Urgent potassium result for the covering physician.")
	if p.send.Disabled() {
		t.Fatal("Send still disabled after all answers")
	}
	test.Tap(p.send)
	if done != 1 || got == nil {
		t.Fatalf("onDone called %d times with %v", done, got)
	}
	if len(got.Confirmed) != 2 {
		t.Errorf("confirmed %v, want both findings", got.Confirmed)
	}
	if got.Justification == "" {
		t.Error("justification not passed on")
	}
}

func TestReviewPromptCancel(t *testing.T) {
	test.NewTempApp(t)
	called := false
	var got *compose.Answers
	p := newReviewPrompt(&Shell{}, lookalikeReport(), func(a *compose.Answers) { called, got = true, a })
	test.Tap(p.cancel)
	if !called || got != nil {
		t.Errorf("Cancel gave answers %v, want nil", got)
	}
}

func TestPasswordsText(t *testing.T) {
	text := passwordsText([]compose.PDFPassword{{Recipient: "a@x.example", Password: "tulip-harbor-42"}})
	if want := "a@x.example: tulip-harbor-42\n"; !strings.Contains(text, want) {
		t.Errorf("passwordsText lacks %q:\n%s", want, text)
	}
}

func TestReviewPromptEscapeCancels(t *testing.T) {
	test.NewTempApp(t)
	var got []*compose.Answers
	p := newReviewPrompt(&Shell{}, lookalikeReport(), func(a *compose.Answers) { got = append(got, a) })
	if p.justification == nil {
		t.Fatal("the lookalike report asks for no justification")
	}

	targets := map[string]fyne.Focusable{
		"Cancel": p.cancel, "Send": p.send, "justification": p.justification,
		"phi check": p.confirms["phi"],
	}
	for name, target := range targets {
		got = nil
		target.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if len(got) != 1 || got[0] != nil {
			t.Errorf("Escape on %s gave answers %v, want one nil", name, got)
		}
	}
}
