package ui

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"securemail/cache"
)

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

// setSummaryRow shows s in a row made by newSummaryRow. A row whose
// page is not loaded yet shows "Loading…".
func setSummaryRow(row fyne.CanvasObject, s cache.Summary, loaded, sent bool) {
	r := row.(*summaryRow)
	if !loaded {
		r.set("Loading…", "", "", false, theme.MoreHorizontalIcon())
		return
	}
	name := displayName(s.From)
	if sent {
		name = recipientsName(s)
	}
	// A crossed-out eye marks mail that arrived encrypted. An open eye
	// marks mail that anyone on its path could read.
	icon := theme.VisibilityIcon()
	if s.Encrypted {
		icon = theme.VisibilityOffIcon()
	}
	r.set(name, s.Subject, s.Date.Local().Format("2006-01-02 15:04"), !hasFlag(s.Flags, seenFlag), icon)
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
