package ui

import (
	"fmt"
	"mime"
	"net/mail"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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
	// markingRead holds the ids whose MarkRead has not returned yet, so
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
	d := dialog.NewCustom("Error details", "Close", container.NewVScroll(text), m.shell.win)
	d.Resize(fyne.NewSize(640, 320))
	d.Show()
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

// folderRow is a folder list row: an icon, the folder name with its
// unread count, and the account, which is shown only when the list
// spans several accounts.
type folderRow struct {
	widget.BaseWidget
	name, account *widget.Label
	content       *fyne.Container
}

func newFolderRow() *folderRow {
	r := &folderRow{name: widget.NewLabel("Folder name"), account: widget.NewLabel("account@example.org")}
	r.account.Importance = widget.LowImportance
	r.account.Truncation = fyne.TextTruncateEllipsis
	r.account.Hide()
	r.content = container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.FolderIcon()), r.name), nil, r.account)
	r.ExtendBaseWidget(r)
	return r
}

func (r *folderRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
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

// senderWarnings returns a banner line when the sender's domain imitates
// a domain the user trusts, as a phishing message's often does. It runs
// off the UI goroutine.
func (m *mailScreen) senderWarnings(msg *crypto.Message) []BannerLine {
	warning, err := m.shell.client.SenderWarning(msg.Header.Get("From"))
	if err != nil {
		// The message still opens, without the check, and the log line
		// names no address.
		m.shell.log.Error("comparing the sender's domain with known domains failed", "error", err)
		return []BannerLine{{LevelWarning, "The sender's domain could not be checked against your known domains."}}
	}
	if warning == "" {
		return nil
	}
	return []BannerLine{{LevelDanger, warning}}
}

// rowSeen reports whether message s is read, from its row as the list
// has it now: s was read before the message opened, and a MarkRead that
// returned meanwhile may have changed the row.
func (m *mailScreen) rowSeen(s cache.Summary) bool {
	flags := s.Flags
	if row, ok := m.pages.find(s.ID); ok {
		flags = row.Flags
	}
	for _, r := range m.results {
		if r.ID == s.ID {
			flags = r.Flags
		}
	}
	return hasFlag(flags, seenFlag)
}

// seenFlag is the IMAP flag of a read message.
const seenFlag = `\Seen`

// markRead marks an opened message read in the cache and on the server,
// and shows it as read in the lists. After an error it reloads the
// folders, because the cache may have changed before the server failed.
func (m *mailScreen) markRead(s cache.Summary) {
	if m.markingRead[s.ID] {
		return
	}
	m.markingRead[s.ID] = true
	m.shell.background(func() {
		err := m.shell.client.MarkRead(s.ID)
		fyne.Do(func() {
			delete(m.markingRead, s.ID)
			if err != nil {
				m.status.showError(err)
				m.loadFolders()
				return
			}
			m.showRead(s)
		})
	})
}

// showRead updates the rows and the unread count of its folder after
// message s was marked read.
func (m *mailScreen) showRead(s cache.Summary) {
	m.updateRow(s.ID, func(row *cache.Summary) {
		if !hasFlag(row.Flags, seenFlag) {
			row.Flags = append(slices.Clone(row.Flags), seenFlag)
		}
	})
	for i := range m.folders {
		f := &m.folders[i]
		if f.Account == s.Account && f.Name == s.Folder && f.Unread > 0 {
			f.Unread--
			m.folderList.RefreshItem(i)
		}
	}
}

// updateRow applies change to the loaded row of message id in the folder
// pages and the search results, and redraws the list.
func (m *mailScreen) updateRow(id int64, change func(*cache.Summary)) {
	m.pages.update(id, change)
	for i := range m.results {
		if m.results[i].ID == id {
			change(&m.results[i])
		}
	}
	m.messageList.Refresh()
}

// protectedSubject returns the decoded subject of an opened message when
// it came from protected header fields, which the crypto layer applies
// only after encryption or a good signature authenticated them. The
// client stores it sealed in the summary, and the row shows it at once.
func protectedSubject(msg *crypto.Message) (string, bool) {
	if !msg.HeaderProtected {
		return "", false
	}
	raw := msg.Header.Get("Subject")
	subject, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil {
		subject = raw
	}
	return subject, subject != ""
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

// newSummaryRow builds a message list row: an encryption icon, the
// sender (or in Sent the recipient), the subject and the date.
func newSummaryRow() fyne.CanvasObject {
	from := newRowText("sender@example.org")
	subject := newRowText("Subject")
	date := widget.NewLabel("2006-01-02 15:04")
	return container.NewBorder(nil, nil, widget.NewIcon(theme.VisibilityIcon()), date,
		container.NewGridWithColumns(2, from, subject))
}

func setSummaryRow(row fyne.CanvasObject, s cache.Summary, loaded, sent bool) {
	c := row.(*fyne.Container)
	grid := c.Objects[0].(*fyne.Container)
	icon := c.Objects[1].(*widget.Icon)
	date := c.Objects[2].(*widget.Label)
	from := grid.Objects[0].(*rowText)
	subject := grid.Objects[1].(*rowText)
	if !loaded {
		from.set("Loading…", false)
		subject.set("", false)
		if date.Text != "" {
			date.SetText("")
		}
		icon.SetResource(theme.MoreHorizontalIcon())
		return
	}
	unread := !hasFlag(s.Flags, seenFlag)
	if sent {
		from.set(recipientsName(s), unread)
	} else {
		from.set(displayName(s.From), unread)
	}
	subject.set(s.Subject, unread)
	if text := s.Date.Local().Format("2006-01-02 15:04"); date.Text != text {
		date.SetText(text)
	}
	// A crossed-out eye marks mail that arrived encrypted. An open eye
	// marks mail that anyone on its path could read.
	if s.Encrypted {
		icon.SetResource(theme.VisibilityOffIcon())
	} else {
		icon.SetResource(theme.VisibilityIcon())
	}
}

// recipientsName returns "To" and the first recipient's display name,
// with the number of further recipients in To and Cc.
func recipientsName(s cache.Summary) string {
	all := append(slices.Clone(s.To), s.Cc...)
	if len(all) == 0 {
		return "To (no recipient)"
	}
	name := "To " + displayName(all[0])
	if len(all) > 1 {
		name += fmt.Sprintf(" +%d", len(all)-1)
	}
	return name
}

// displayName returns the display name of an address header field, or
// the address when it has no name, or the field as it is when it does
// not parse.
func displayName(field string) string {
	a, err := mail.ParseAddress(field)
	if err != nil {
		return field
	}
	if a.Name != "" {
		return a.Name
	}
	return a.Address
}

func hasFlag(flags []string, flag string) bool {
	for _, f := range flags {
		if strings.EqualFold(f, flag) {
			return true
		}
	}
	return false
}
