package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"securemail/assets"
)

// AppID is the Fyne application ID. It matches FyneApp.toml.
const AppID = "org.securemail.client"

// Run shows the main window over client and blocks until the user
// closes it or ctx ends. The caller cancels ctx on SIGINT or SIGTERM to
// quit cleanly. autoLock may be nil when no idle lock is wanted.
func Run(ctx context.Context, client Client, autoLock *AutoLock, opts Options) {
	// The unlock with a start passphrase runs while the app, the window
	// and the graphics start. In scripts/bench-gui under Xvfb the window
	// took about 250 ms and the unlock about 100 ms.
	var unlocking chan error
	if pass := opts.StartPassphrase; len(pass) > 0 {
		if client.Locked() && client.Created() {
			unlocking = make(chan error, 1)
			go func() {
				unlocking <- client.Unlock(pass)
				clear(pass)
			}()
		} else {
			clear(pass)
		}
	}
	opts.StartPassphrase = nil

	a := app.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))

	if autoLock != nil {
		opts.Idle = autoLock
	}
	s := NewShell(a, client, opts)
	s.win.SetMaster()
	if autoLock != nil {
		autoLock.SetOnLocked(s.Locked)
		defer autoLock.Close()
	}

	stop := context.AfterFunc(ctx, func() {
		s.log.Info("quitting on request")
		fyne.Do(a.Quit)
	})
	defer stop()

	a.Lifecycle().SetOnStarted(func() {
		s.log.Info("main window shown")
		fyne.Do(func() {
			if unlocking != nil {
				// s.unlocked starts the idle lock and the sync.
				s.awaitUnlock(unlocking)
				return
			}
			s.Start()
			if !client.Locked() {
				if autoLock != nil {
					autoLock.Unlocked()
				}
				s.startSync()
			}
		})
	})
	s.win.ShowAndRun()
}
