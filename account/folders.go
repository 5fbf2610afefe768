package account

import (
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Folder roles, as cache.Folder.Role spells them.
const (
	RoleInbox   = "inbox"
	RoleSent    = "sent"
	RoleDrafts  = "drafts"
	RoleTrash   = "trash"
	RoleArchive = "archive"
	RoleJunk    = "junk"
)

// RemoteFolder is a selectable folder as the server lists it.
type RemoteFolder struct {
	Name string
	Role string
}

var specialUseRoles = map[imap.MailboxAttr]string{
	imap.MailboxAttrSent:    RoleSent,
	imap.MailboxAttrDrafts:  RoleDrafts,
	imap.MailboxAttrTrash:   RoleTrash,
	imap.MailboxAttrArchive: RoleArchive,
	imap.MailboxAttrJunk:    RoleJunk,
}

// nameRoles are guesses for servers without SPECIAL-USE (RFC 6154), from
// names that common servers and clients create.
var nameRoles = map[string]string{
	"sent":          RoleSent,
	"sent items":    RoleSent,
	"sent messages": RoleSent,
	"sent mail":     RoleSent,
	"drafts":        RoleDrafts,
	"draft":         RoleDrafts,
	"trash":         RoleTrash,
	"deleted items": RoleTrash,
	"deleted":       RoleTrash,
	"bin":           RoleTrash,
	"archive":       RoleArchive,
	"archives":      RoleArchive,
	"junk":          RoleJunk,
	"spam":          RoleJunk,
	"junk e-mail":   RoleJunk,
	"junk email":    RoleJunk,
}

// ListFolders lists the selectable folders with their roles: the
// special-use attributes when the server sends them, otherwise a guess
// from the last part of the name. Each role goes to one folder at most.
func ListFolders(client *imapclient.Client) ([]RemoteFolder, error) {
	var options *imap.ListOptions
	if client.Caps().Has(imap.CapSpecialUse) {
		options = &imap.ListOptions{ReturnSpecialUse: true}
	}
	list, err := client.List("", "*", options).Collect()
	if err != nil {
		return nil, fmt.Errorf("account: failed to list folders: %w", err)
	}

	taken := map[string]bool{}
	folders := make([]RemoteFolder, 0, len(list))
	for _, data := range list {
		if !selectable(data) {
			continue
		}
		role := specialUseRole(data)
		if role != "" {
			taken[role] = true
		}
		folders = append(folders, RemoteFolder{Name: data.Mailbox, Role: role})
	}

	for i := range folders {
		if folders[i].Role != "" {
			continue
		}
		role := guessRole(folders[i].Name, listDelim(list, folders[i].Name))
		if role != "" && !taken[role] {
			folders[i].Role = role
			taken[role] = true
		}
	}
	return folders, nil
}

func selectable(data *imap.ListData) bool {
	for _, attr := range data.Attrs {
		if attr == imap.MailboxAttrNoSelect || attr == imap.MailboxAttrNonExistent {
			return false
		}
	}
	return true
}

func specialUseRole(data *imap.ListData) string {
	if strings.EqualFold(data.Mailbox, "INBOX") {
		return RoleInbox
	}
	for _, attr := range data.Attrs {
		for special, role := range specialUseRoles {
			if strings.EqualFold(string(attr), string(special)) {
				return role
			}
		}
	}
	return ""
}

func listDelim(list []*imap.ListData, name string) rune {
	for _, data := range list {
		if data.Mailbox == name {
			return data.Delim
		}
	}
	return 0
}

func guessRole(name string, delim rune) string {
	leaf := name
	if delim != 0 {
		if i := strings.LastIndex(name, string(delim)); i >= 0 {
			leaf = name[i+len(string(delim)):]
		}
	}
	return nameRoles[strings.ToLower(strings.TrimSpace(leaf))]
}
