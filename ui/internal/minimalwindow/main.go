// Command minimalwindow shows a Fyne window with one label, titled
// "Minimal", at the size of the SecureMail main window. scripts/bench-gui
// builds it as the yardstick for the real client's start time and
// memory, and it is not part of the product.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("org.securemail.minimalwindow")
	w := a.NewWindow("Minimal")
	w.SetContent(widget.NewLabel("Hello"))
	w.Resize(fyne.NewSize(1200, 760))
	w.ShowAndRun()
}
