package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// activityEntry is a widget.Entry that reports key presses to the idle
// lock before handling them.
type activityEntry struct {
	widget.Entry
	onActivity func()
}

func (e *activityEntry) TypedRune(r rune) {
	e.onActivity()
	e.Entry.TypedRune(r)
}

func (e *activityEntry) TypedKey(k *fyne.KeyEvent) {
	e.onActivity()
	e.Entry.TypedKey(k)
}

func (e *activityEntry) TypedShortcut(sc fyne.Shortcut) {
	e.onActivity()
	e.Entry.TypedShortcut(sc)
}

// activityLayer lies over the whole window content and reports pointer
// movement to the idle lock. It only implements desktop.Hoverable, so
// taps, scrolls and drags still reach the widgets below it.
type activityLayer struct {
	widget.BaseWidget
	onActivity func()
}

func newActivityLayer(content fyne.CanvasObject, onActivity func()) fyne.CanvasObject {
	l := &activityLayer{onActivity: onActivity}
	l.ExtendBaseWidget(l)
	return container.NewStack(content, l)
}

func (l *activityLayer) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(&fyne.Container{})
}

func (l *activityLayer) MouseIn(*desktop.MouseEvent)    { l.onActivity() }
func (l *activityLayer) MouseMoved(*desktop.MouseEvent) { l.onActivity() }
func (l *activityLayer) MouseOut()                      {}
