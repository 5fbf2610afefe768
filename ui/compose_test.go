package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"securemail/compose"
)

func TestComposeChipsShowEveryAddress(t *testing.T) {
	c := newFakeClient()
	c.keyStatus["lab@lab.example"] = compose.KeyStatus{State: compose.KeyUsable, Fingerprint: "AB"}
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	cw := s.newCompose(nil)
	addresses := []string{
		"lab@lab.example",
		"cardiology.referrals@st-mary-hospital.example",
		"nurse.station.ward7@clinic.example",
		"pharmacy.orders@clinic.example",
	}
	test.Type(cw.to.entry, strings.Join(addresses, ", ")+",")
	if len(cw.to.chips) != len(addresses) {
		t.Fatalf("%d chips, want %d", len(cw.to.chips), len(addresses))
	}

	content := cw.win.Canvas().Content()
	width := cw.win.Canvas().Size().Width
	if width > 760 {
		t.Errorf("compose window widened to %v by the chips, want at most 760", width)
	}
	entry := visibleRect(content, cw.to.entry)
	rows := map[float32]bool{}
	for i, ch := range cw.to.chips {
		if !strings.HasPrefix(ch.button.Text, addresses[i]+" · ") {
			t.Errorf("chip %d reads %q, want the address %s and its key status", i, ch.button.Text, addresses[i])
		}
		visible := visibleRect(content, ch.button)
		if need := ch.button.MinSize().Width; visible.size.Width < need {
			t.Errorf("chip %s shows %v of its %v width", addresses[i], visible.size.Width, need)
		}
		if visible.overlaps(entry) {
			t.Errorf("chip %s overlaps the address entry", addresses[i])
		}
		rows[visible.pos.Y] = true
	}
	if len(rows) < 2 {
		t.Errorf("chips on %d row, want them wrapped onto several", len(rows))
	}
}

// rect is an area of a canvas in absolute coordinates.
type rect struct {
	pos  fyne.Position
	size fyne.Size
}

func (r rect) intersect(o rect) rect {
	x0, y0 := max(r.pos.X, o.pos.X), max(r.pos.Y, o.pos.Y)
	x1 := min(r.pos.X+r.size.Width, o.pos.X+o.size.Width)
	y1 := min(r.pos.Y+r.size.Height, o.pos.Y+o.size.Height)
	return rect{fyne.NewPos(x0, y0), fyne.NewSize(max(0, x1-x0), max(0, y1-y0))}
}

func (r rect) overlaps(o rect) bool {
	in := r.intersect(o)
	return in.size.Width > 0 && in.size.Height > 0
}

// visibleRect returns the part of target that is drawn: its area cut to
// every scroll container above it. It returns an empty rect when target
// is not below root.
func visibleRect(root, target fyne.CanvasObject) rect {
	var found rect
	var visit func(o fyne.CanvasObject, origin fyne.Position, clip rect) bool
	visit = func(o fyne.CanvasObject, origin fyne.Position, clip rect) bool {
		if !o.Visible() {
			return false
		}
		area := rect{origin.Add(o.Position()), o.Size()}
		if _, ok := o.(*container.Scroll); ok {
			clip = clip.intersect(area)
		}
		if o == target {
			found = clip.intersect(area)
			return true
		}
		var children []fyne.CanvasObject
		switch v := o.(type) {
		case *fyne.Container:
			children = v.Objects
		case fyne.Widget:
			children = test.WidgetRenderer(v).Objects()
		}
		for _, c := range children {
			if visit(c, area.pos, clip) {
				return true
			}
		}
		return false
	}
	everything := rect{size: fyne.NewSize(1e6, 1e6)}
	visit(root, fyne.Position{}, everything)
	return found
}
