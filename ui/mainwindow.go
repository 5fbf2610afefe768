package ui

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"securemail/cache"
)

// Title is the main window's title, which the GUI smoke test looks for.
const Title = "SecureMail"

// loadTimeout bounds one fetch of folders or a message list.
const loadTimeout = 30 * time.Second

// MainWindow shows the folders of one mailbox and the message list of the
// selected folder.
type MainWindow struct {
	Window fyne.Window

	source MailSource
	log    *slog.Logger

	// folders and messages are read and written only on the UI goroutine.
	folders  []cache.Folder
	messages []cache.Summary

	folderList  *widget.List
	messageList *widget.List
	status      *widget.Label

	// loading tracks background loads so that Wait can join them.
	loading sync.WaitGroup
}

// NewMainWindow builds the main window over source. The banner, when not
// empty, is shown above the lists (the demo uses it to say its data is
// synthetic). Call Load to fill the lists.
func NewMainWindow(app fyne.App, source MailSource, banner string, log *slog.Logger) *MainWindow {
	w := &MainWindow{
		Window: app.NewWindow(Title),
		source: source,
		log:    log,
		status: widget.NewLabel("Loading folders…"),
	}
	w.folderList = widget.NewList(
		func() int { return len(w.folders) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.FolderIcon()), widget.NewLabel("Folder name"))
		},
		w.updateFolderRow,
	)
	w.folderList.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(w.folders) {
			w.loadMessages(w.folders[id].Name)
		}
	}
	w.messageList = widget.NewList(
		func() int { return len(w.messages) },
		newMessageRow,
		w.updateMessageRow,
	)

	split := container.NewHSplit(w.folderList, w.messageList)
	split.Offset = 0.22
	var top fyne.CanvasObject
	if banner != "" {
		top = widget.NewLabelWithStyle(banner, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	}
	w.Window.SetContent(container.NewBorder(top, w.status, nil, nil, split))
	w.Window.Resize(fyne.NewSize(1100, 700))
	return w
}

func (w *MainWindow) updateFolderRow(id widget.ListItemID, row fyne.CanvasObject) {
	if id >= len(w.folders) {
		return
	}
	f := w.folders[id]
	label := row.(*fyne.Container).Objects[1].(*widget.Label)
	text := f.Name
	if f.Unread > 0 {
		text = fmt.Sprintf("%s (%d)", f.Name, f.Unread)
	}
	label.SetText(text)
	label.TextStyle.Bold = f.Unread > 0
	label.Refresh()
}

// Load fetches the folders in the background and then selects the first
// one, which loads its messages.
func (w *MainWindow) Load() {
	w.loading.Add(1)
	go func() {
		defer w.loading.Done()
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		folders, err := w.source.Folders(ctx)
		fyne.Do(func() {
			if err != nil {
				w.log.Error("loading folders failed", "error", err)
				w.status.SetText("Could not load folders: " + err.Error())
				return
			}
			w.folders = folders
			w.folderList.Refresh()
			w.status.SetText(fmt.Sprintf("%d folders", len(folders)))
			if len(folders) > 0 {
				w.folderList.Select(0)
			}
		})
	}()
}

// loadMessages fetches folder's message list in the background. It runs
// on the UI goroutine and must not block.
func (w *MainWindow) loadMessages(folder string) {
	w.status.SetText("Loading " + folder + "…")
	w.loading.Add(1)
	go func() {
		defer w.loading.Done()
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		messages, err := w.source.List(ctx, folder)
		fyne.Do(func() {
			if err != nil {
				w.log.Error("loading a message list failed", "error", err)
				w.status.SetText("Could not load " + folder + ": " + err.Error())
				return
			}
			w.messages = messages
			w.messageList.UnselectAll()
			w.messageList.Refresh()
			w.status.SetText(fmt.Sprintf("%s: %d messages", folder, len(messages)))
		})
	}()
}

// Wait blocks until the background loads started so far have finished
// and handed their results to the UI goroutine.
func (w *MainWindow) Wait() {
	w.loading.Wait()
}

// Subjects returns the subjects in the message list, in display order.
// Call it on the UI goroutine.
func (w *MainWindow) Subjects() []string {
	subjects := make([]string, 0, len(w.messages))
	for _, m := range w.messages {
		subjects = append(subjects, m.Subject)
	}
	return subjects
}

// FolderNames returns the folder names in display order. Call it on the
// UI goroutine.
func (w *MainWindow) FolderNames() []string {
	names := make([]string, 0, len(w.folders))
	for _, f := range w.folders {
		names = append(names, f.Name)
	}
	return names
}

func isUnread(m cache.Summary) bool {
	return !slices.Contains(m.Flags, `\Seen`)
}
