package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"securemail/cache"
	"securemail/crypto"
)

// mailScreen is the main window's content: folders with unread counts,
// a virtual message list, the message view and a status bar. It exists
// only while the vault is unlocked; locking drops it.
type mailScreen struct {
	shell *Shell

	root     fyne.CanvasObject
	folders  []cache.Folder // read and written on the UI goroutine
	current  int            // index in folders, or -1 for search results
	rowCount int
	// results holds search hits; a search shows them instead of a folder.
	results []cache.Summary

	folderList  *activityList
	messageList *activityList
	search      *activityEntry
	view        *messageView
	status      *statusBar
	pages       *pager

	// preloaded is the first page of the folder about to be selected,
	// set between setFolders and selectFolder only.
	preloaded *firstPage

	selectedID int64
	selected   int
	opened     *crypto.Message
	// markingRead contains the ids whose MarkRead has not returned yet, so
	// that opening a message again meanwhile does not count it twice.
	markingRead map[int64]bool
}

func newMailScreen(s *Shell) *mailScreen {
	m := &mailScreen{shell: s, current: -1, selected: -1, markingRead: map[int64]bool{}}
	m.status = newStatusBar(newActivityButton(s, "", theme.WarningIcon(), s.showOutbox),
		newActivityButton(s, "Details", theme.InfoIcon(), m.showErrorDetails))
	m.view = newMessageView(s, m.status.showError)
	m.pages = newPager(s.background, func(int, int) ([]cache.Summary, error) { return nil, nil }, func(err error) {
		fyne.Do(func() {
			if err != nil {
				m.status.showError(err)
			}
			m.messageList.Refresh()
		})
	})

	m.folderList = newActivityList(s,
		func() int { return len(m.folders) },
		func() fyne.CanvasObject { return newFolderRow() },
		m.updateFolderRow,
	)
	m.folderList.OnSelected = func(id widget.ListItemID) { m.selectFolder(id) }

	m.messageList = newActivityList(s,
		func() int { return m.rowCount },
		newSummaryRow,
		m.updateMessageRow,
	)
	m.messageList.OnSelected = func(id widget.ListItemID) { m.openRow(id) }

	m.search = newActivityEntry(s)
	m.search.SetPlaceHolder("Search all folders (Ctrl+K)")
	m.search.OnSubmitted = func(text string) { m.runSearch(text) }

	lists := container.NewHSplit(m.folderList, m.messageList)
	lists.Offset = 0.25
	main := container.NewHSplit(lists, m.view.root)
	main.Offset = 0.5
	top := container.NewBorder(nil, nil, nil, nil, container.NewBorder(nil, nil, m.toolbar(), nil, m.search))
	if s.opts.Banner != "" {
		top = container.NewVBox(widget.NewLabelWithStyle(s.opts.Banner, fyne.TextAlignLeading, fyne.TextStyle{Italic: true}), top)
	}
	m.root = container.NewBorder(top, m.status.root, nil, nil, main)
	return m
}

// showErrorDetails shows the status bar's error in full, one line per
// account or step that failed, in text the user can select and copy.
func (m *mailScreen) showErrorDetails() {
	if m.status.errorText == "" {
		return
	}
	text := widget.NewLabel(m.status.errorText)
	text.Wrapping = fyne.TextWrapWord
	text.Selectable = true
	showMessage(m.shell, m.shell.win, "Error details", "Close", container.NewVScroll(text), fyne.NewSize(640, 320))
}

func (m *mailScreen) toolbar() *widget.Toolbar {
	s := m.shell
	return widget.NewToolbar(
		newActivityToolbarAction(s, theme.MailComposeIcon(), func() { s.newCompose(nil) }),
		newActivityToolbarAction(s, theme.MailReplyIcon(), func() { s.runAction("reply") }),
		newActivityToolbarAction(s, theme.MailReplyAllIcon(), func() { s.runAction("reply all") }),
		newActivityToolbarAction(s, theme.MailForwardIcon(), func() { s.runAction("forward") }),
		newActivityToolbarAction(s, theme.DeleteIcon(), m.deleteSelected),
		widget.NewToolbarSeparator(),
		newActivityToolbarAction(s, theme.ViewRefreshIcon(), s.startSync),
		newActivityToolbarAction(s, theme.UploadIcon(), s.showOutbox),
		newActivityToolbarAction(s, theme.AccountIcon(), s.showKeys),
		newActivityToolbarAction(s, theme.SettingsIcon(), s.showSettings),
		newActivityToolbarAction(s, theme.HistoryIcon(), s.showAudit),
		newActivityToolbarAction(s, theme.DocumentIcon(), s.showConsents),
		newActivityToolbarAction(s, theme.LogoutIcon(), s.LockNow),
	)
}

func (m *mailScreen) updateFolderRow(id widget.ListItemID, row fyne.CanvasObject) {
	if id >= len(m.folders) {
		return
	}
	f := m.folders[id]
	r := row.(*folderRow)
	text := f.Name
	if f.Unread > 0 {
		text = fmt.Sprintf("%s (%d)", f.Name, f.Unread)
	}
	r.name.SetText(text)
	r.name.TextStyle.Bold = f.Unread > 0
	r.name.Refresh()

	// With several accounts every one has its own INBOX, Sent and so
	// on, so each row names its account.
	if m.severalAccounts() {
		r.account.SetText(f.Account)
		r.account.Show()
	} else {
		r.account.Hide()
	}
}

// severalAccounts reports whether the folder list spans more than one
// account.
func (m *mailScreen) severalAccounts() bool {
	for _, f := range m.folders {
		if f.Account != m.folders[0].Account {
			return true
		}
	}
	return false
}

// loadFolders fetches the folders off the UI goroutine and selects the
// inbox, or the first folder, the first time. The first page of the
// folder it will show is fetched in the same background step, so that
// the message list is filled in one pass instead of showing a screen of
// "Loading…" rows first.
func (m *mailScreen) loadFolders() {
	first := m.folders == nil
	var shownFolder *cache.Folder
	if m.current >= 0 && m.current < len(m.folders) {
		f := m.folders[m.current]
		shownFolder = &f
	}
	client := m.shell.client
	m.shell.background(func() {
		folders, err := client.Folders()
		var page *firstPage
		if err == nil {
			if i := folderToShow(folders, shownFolder, first); i >= 0 {
				page = fetchFirstPage(client, folders[i])
			}
		}
		fyne.Do(func() {
			if err != nil {
				m.status.showError(err)
				return
			}
			m.setFolders(folders, page)
		})
	})
}

// firstPage is page 0 of one folder's message list, fetched ahead of
// showing that folder.
type firstPage struct {
	account, folder string
	rows            []cache.Summary
}

// fetchFirstPage returns page 0 of f, or nil when it could not be read.
// After a nil page the pager loads the page again and reports the error.
func fetchFirstPage(client Mailbox, f cache.Folder) *firstPage {
	rows, err := client.List(f.Account, f.Name, 0, pageSize)
	if err != nil {
		return nil
	}
	return &firstPage{account: f.Account, folder: f.Name, rows: rows}
}

func (p *firstPage) isOf(f cache.Folder) bool {
	return p != nil && p.account == f.Account && p.folder == f.Name
}

// folderToShow returns the index in folders of the folder the list
// shows after a load: on the first load the inbox, or the first folder
// when there is no inbox, and afterwards the folder shown before. It
// returns -1 when no folder will be shown.
func folderToShow(folders []cache.Folder, shownFolder *cache.Folder, first bool) int {
	if len(folders) == 0 {
		return -1
	}
	if first {
		for i, f := range folders {
			if f.Role == "inbox" {
				return i
			}
		}
		return 0
	}
	if shownFolder == nil {
		return -1
	}
	for i, f := range folders {
		if f.Account == shownFolder.Account && f.Name == shownFolder.Name {
			return i
		}
	}
	return -1
}

// setFolders shows a new folder list. page, when not nil, is the first
// page of the folder that stays or becomes selected.
func (m *mailScreen) setFolders(folders []cache.Folder, page *firstPage) {
	first := m.folders == nil
	var shownFolder *cache.Folder
	if m.current >= 0 && m.current < len(m.folders) {
		f := m.folders[m.current]
		shownFolder = &f
	}
	m.folders = folders
	m.folderList.Refresh()

	index := folderToShow(folders, shownFolder, first)
	switch {
	case index < 0:
		if m.current >= 0 {
			// The folder shown before is gone.
			m.current = -1
			m.rowCount = 0
			m.pages.reset(func(int, int) ([]cache.Summary, error) { return nil, nil })
			m.clearSelection()
			m.messageList.Refresh()
		}
	case first:
		m.preloaded = page
		m.folderList.Select(index)
		// scripts/bench-gui times the start of the real client up to
		// this line. The frame with these rows is painted next.
		m.shell.log.Info("mail screen shows its first folder", "folders", len(folders), "messages", m.rowCount)
	default:
		// The same folder stays selected, and its rows may have changed.
		m.current = index
		f := folders[index]
		m.rowCount = f.Total
		m.pages.reset(m.folderLoader(f))
		if page.isOf(f) {
			m.pages.put(0, page.rows)
		}
		m.messageList.Refresh()
	}
}

func (m *mailScreen) folderLoader(f cache.Folder) pageLoader {
	client := m.shell.client
	return func(offset, limit int) ([]cache.Summary, error) {
		return client.List(f.Account, f.Name, offset, limit)
	}
}

func (m *mailScreen) selectFolder(id int) {
	if id < 0 || id >= len(m.folders) {
		return
	}
	f := m.folders[id]
	m.current = id
	m.results = nil
	m.rowCount = f.Total
	m.pages.reset(m.folderLoader(f))
	if m.preloaded.isOf(f) {
		m.pages.put(0, m.preloaded.rows)
	}
	m.preloaded = nil
	m.clearSelection()
	m.messageList.Refresh()
	m.messageList.ScrollToTop()
}

func (m *mailScreen) runSearch(text string) {
	words := strings.Fields(text)
	if len(words) == 0 {
		m.status.setText("")
		m.selectFolder(max(m.current, 0))
		return
	}
	m.status.setText("Searching…")
	m.shell.background(func() {
		hits, err := m.shell.client.Search(cache.Query{Prefixes: words, Limit: 1000})
		fyne.Do(func() {
			if err != nil {
				m.status.showError(err)
				return
			}
			m.current = -1
			m.folderList.UnselectAll()
			m.results = hits
			m.rowCount = len(hits)
			m.clearSelection()
			m.messageList.Refresh()
			m.status.setText(countText(len(hits), "message") + " found in all folders")
		})
	})
}

// summaryAt returns row i of the folder or of the search results.
func (m *mailScreen) summaryAt(i int) (cache.Summary, bool) {
	if m.current < 0 {
		if i < len(m.results) {
			return m.results[i], true
		}
		return cache.Summary{}, false
	}
	return m.pages.row(i)
}

func (m *mailScreen) updateMessageRow(id widget.ListItemID, row fyne.CanvasObject) {
	s, ok := m.summaryAt(id)
	setSummaryRow(row, s, ok, m.showsSent())
}

// showsSent reports whether the list shows a Sent folder, whose rows
// name the recipient in place of the sender, who is the user.
func (m *mailScreen) showsSent() bool {
	return m.current >= 0 && m.current < len(m.folders) && m.folders[m.current].Role == "sent"
}

func (m *mailScreen) clearSelection() {
	m.selected, m.selectedID, m.opened = -1, 0, nil
	m.messageList.UnselectAll()
	m.view.clear("Select a message to read it.")
}

func (m *mailScreen) openRow(id int) {
	s, ok := m.summaryAt(id)
	if !ok {
		return
	}
	m.selected, m.selectedID = id, s.ID
	m.view.clear("Opening…")
	m.shell.background(func() {
		msg, err := m.shell.client.OpenMessage(s.ID)
		var warnings []BannerLine
		if err == nil {
			warnings = m.senderWarnings(msg)
		}
		fyne.Do(func() {
			if m.selectedID != s.ID {
				return // another message was selected meanwhile
			}
			if err != nil {
				m.view.clear("This message could not be opened.")
				m.status.showError(err)
				return
			}
			m.opened = msg
			m.view.show(s.ID, msg, warnings)
			if subject, ok := protectedSubject(msg); ok {
				m.updateRow(s.ID, func(row *cache.Summary) { row.Subject = subject })
			}
			if !m.rowSeen(s) {
				m.markRead(s)
			}
		})
	})
}

// moveSelection selects the next (+1) or previous (-1) message.
func (m *mailScreen) moveSelection(delta int) {
	next := m.selected + delta
	if next < 0 || next >= m.rowCount {
		return
	}
	m.messageList.Select(next)
	m.messageList.ScrollTo(next)
}

// reply opens a compose window for a reply or forward of the opened
// message, and returns it (nil when no message is open).
func (m *mailScreen) reply(kind ReplyKind) *composeWindow {
	if m.opened == nil {
		return nil
	}
	return m.shell.newCompose(NewReplyDraft(kind, m.opened, m.shell.client.Identity()))
}

func (m *mailScreen) deleteSelected() {
	id := m.selectedID
	if id == 0 {
		return
	}
	m.shell.background(func() {
		err := m.shell.client.Delete(id)
		fyne.Do(func() {
			if err != nil {
				m.status.showError(err)
				return
			}
			m.clearSelection()
			m.loadFolders()
		})
	})
}
