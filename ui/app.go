package ui

import (
	"context"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"securemail/assets"
)

// AppID is the Fyne application ID. It matches FyneApp.toml.
const AppID = "org.securemail.client"

// Options configure Run.
type Options struct {
	Source MailSource
	// Banner, when not empty, is shown above the lists.
	Banner string
	Log    *slog.Logger
}

// Run opens the main window and blocks until the user closes it or ctx
// ends. The caller cancels ctx on SIGINT or SIGTERM to quit cleanly.
func Run(ctx context.Context, opts Options) {
	a := app.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))

	w := NewMainWindow(a, opts.Source, opts.Banner, opts.Log)
	w.Window.SetMaster()

	stop := context.AfterFunc(ctx, func() {
		opts.Log.Info("quitting on request")
		fyne.Do(a.Quit)
	})
	defer stop()

	a.Lifecycle().SetOnStarted(func() {
		opts.Log.Info("main window shown")
		w.Load()
	})
	w.Window.ShowAndRun()
}
