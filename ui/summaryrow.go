package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ellipsis ends a shortened row text.
const ellipsis = "…"

// rowText is one line of text in a list row that ends in an ellipsis
// when it is wider than its cell. widget.Label with TextTruncateEllipsis
// looks the same, but in Fyne 2.7.1 every label refresh shapes the text
// again with a newly built HarfBuzz font (widget.truncateLimit), even
// when the text fits. That made filling the first screen of the message
// list cost tens of milliseconds. rowText measures with fyne.MeasureText,
// whose results Fyne caches per string, and shortens only text that does
// not fit.
type rowText struct {
	widget.BaseWidget
	text string
	bold bool
}

func newRowText(text string) *rowText {
	t := &rowText{text: text}
	t.ExtendBaseWidget(t)
	return t
}

// set changes the text and its weight, and refreshes only on a change.
func (t *rowText) set(text string, bold bool) {
	if t.text == text && t.bold == bold {
		return
	}
	t.text, t.bold = text, bold
	t.Refresh()
}

func (t *rowText) CreateRenderer() fyne.WidgetRenderer {
	r := &rowTextRenderer{owner: t, text: canvas.NewText("", nil)}
	r.applyTheme()
	return r
}

type rowTextRenderer struct {
	owner *rowText
	text  *canvas.Text
}

func (r *rowTextRenderer) applyTheme() {
	th := r.owner.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.text.Color = th.Color(theme.ColorNameForeground, v)
	r.text.TextSize = th.Size(theme.SizeNameText)
	r.text.TextStyle = fyne.TextStyle{Bold: r.owner.bold}
}

func (r *rowTextRenderer) Layout(size fyne.Size) {
	pad := r.owner.Theme().Size(theme.SizeNameInnerPadding)
	width := size.Width - 2*pad
	r.text.Text = fitText(r.owner.text, width, r.text.TextSize, r.text.TextStyle)
	height := r.text.MinSize().Height
	r.text.Move(fyne.NewPos(pad, (size.Height-height)/2))
	r.text.Resize(fyne.NewSize(width, height))
}

// MinSize is one line high and as wide as the ellipsis, like a label
// that truncates, so long text never widens the row.
func (r *rowTextRenderer) MinSize() fyne.Size {
	pad := r.owner.Theme().Size(theme.SizeNameInnerPadding)
	line := fyne.MeasureText(ellipsis, r.text.TextSize, r.text.TextStyle)
	return fyne.NewSize(line.Width+2*pad, line.Height+2*pad)
}

func (r *rowTextRenderer) Refresh() {
	r.applyTheme()
	r.Layout(r.owner.Size())
	r.text.Refresh()
}

func (r *rowTextRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.text} }

func (r *rowTextRenderer) Destroy() {}

// fitText returns text when it is at most width wide, and otherwise its
// longest prefix that fits with an ellipsis after it. Width is in Fyne
// units. A width too small for even the ellipsis returns the ellipsis.
func fitText(text string, width, size float32, style fyne.TextStyle) string {
	if fyne.MeasureText(text, size, style).Width <= width {
		return text
	}
	runes := []rune(text)
	// Binary search for the largest n whose prefix plus ellipsis fits.
	// Prefixes of n <= low runes fit, and those of n >= high do not.
	low, high := 0, len(runes)
	for high-low > 1 {
		mid := (low + high) / 2
		if fyne.MeasureText(string(runes[:mid])+ellipsis, size, style).Width <= width {
			low = mid
		} else {
			high = mid
		}
	}
	return string(runes[:low]) + ellipsis
}
