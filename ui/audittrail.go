package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"securemail/audit"
)

// auditWindow lists the audit trail with filters by kind and date and
// shows whether the whole chain verifies.
type auditWindow struct {
	shell    *Shell
	records  []audit.Record
	shown    []audit.Record
	list     *activityList
	kind     *activitySelect
	days     *activitySelect
	verified *widget.Label
}

func (s *Shell) showAudit() {
	w := s.app.NewWindow("Audit trail")
	a := newAuditView(s)
	w.SetContent(newActivityLayer(a.root(), s.activity))
	w.Resize(fyne.NewSize(900, 600))
	s.addChild(w)
	w.Show()
	a.load()
}

func newAuditView(s *Shell) *auditWindow {
	a := &auditWindow{shell: s, verified: widget.NewLabel("Verifying…")}
	a.list = newActivityList(s,
		func() int { return len(a.shown) },
		func() fyne.CanvasObject { return widget.NewLabel("record") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(a.shown) {
				o.(*widget.Label).SetText(AuditLine(a.shown[id]))
			}
		},
	)
	a.kind = newActivitySelect(s, []string{"All kinds"}, func(string) { a.filter() })
	a.kind.SetSelectedIndex(0)
	a.days = newActivitySelect(s, []string{"Last 7 days", "Last 30 days", "Last 365 days", "All time"}, func(string) { a.load() })
	a.days.SetSelectedIndex(1)
	return a
}

func (a *auditWindow) root() fyne.CanvasObject {
	return container.NewBorder(container.NewVBox(a.verified, container.NewHBox(a.kind, a.days)), nil, nil, nil, a.list)
}

// AuditLine is the list line of one record; records hold pseudonyms, not
// addresses or subjects.
func AuditLine(r audit.Record) string {
	mark := "✓"
	if !r.Verified {
		mark = "✗ fails verification"
	}
	return fmt.Sprintf("%6d  %s  %s  %s", r.Seq, r.Time.Local().Format("2006-01-02 15:04:05"), r.Kind, mark)
}

func (a *auditWindow) from() time.Time {
	switch a.days.SelectedIndex() {
	case 0:
		return time.Now().AddDate(0, 0, -7)
	case 1:
		return time.Now().AddDate(0, 0, -30)
	case 2:
		return time.Now().AddDate(-1, 0, 0)
	}
	return time.Time{}
}

func (a *auditWindow) load() {
	from := a.from()
	a.shell.background(func() {
		records, err := a.shell.client.AuditRecords(from, time.Time{})
		report, verr := a.shell.client.VerifyAudit()
		fyne.Do(func() {
			switch {
			case verr != nil:
				a.verified.SetText("Verification failed: " + verr.Error())
				a.verified.Importance = widget.DangerImportance
			case report.OK():
				a.verified.SetText(fmt.Sprintf("The trail verifies: %d entries, none altered or missing.", report.Entries))
				a.verified.Importance = widget.SuccessImportance
			default:
				a.verified.SetText(fmt.Sprintf("The trail FAILS verification: %d problem(s) in %d entries.", len(report.Problems), report.Entries))
				a.verified.Importance = widget.DangerImportance
			}
			a.verified.Refresh()
			if err != nil {
				a.verified.SetText(err.Error())
				return
			}
			a.records = records
			a.updateKinds()
			a.filter()
		})
	})
}

func (a *auditWindow) updateKinds() {
	seen := map[string]bool{}
	options := []string{"All kinds"}
	for _, r := range a.records {
		if k := string(r.Kind); !seen[k] {
			seen[k] = true
			options = append(options, k)
		}
	}
	selected := a.kind.Selected
	a.kind.Options = options
	if !seen[selected] {
		a.kind.Selected = "All kinds"
	}
	a.kind.Refresh()
}

func (a *auditWindow) filter() {
	a.shown = a.shown[:0]
	for _, r := range a.records {
		if a.kind.SelectedIndex() <= 0 || string(r.Kind) == a.kind.Selected {
			a.shown = append(a.shown, r)
		}
	}
	a.list.Refresh()
}
