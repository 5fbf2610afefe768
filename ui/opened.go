package ui

import (
	"mime"
	"slices"

	"fyne.io/fyne/v2"

	"securemail/cache"
	"securemail/crypto"
)

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
