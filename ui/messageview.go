package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"securemail/crypto"
)

// messageView shows one opened message: the security banner on top,
// outside the scrolled message area, then the header, the text and the
// attachments.
type messageView struct {
	root   *fyne.Container
	shell  *Shell
	window fyne.Window
	mail   Mailbox
	// onError reports a failed save in the status bar.
	onError func(error)
}

func newMessageView(s *Shell, onError func(error)) *messageView {
	v := &messageView{shell: s, window: s.win, mail: s.client, onError: onError}
	v.root = container.NewStack(widget.NewLabel("Select a message to read it."))
	return v
}

// clear removes the message from the screen and drops every reference to
// its plaintext.
func (v *messageView) clear(text string) {
	v.root.Objects = []fyne.CanvasObject{widget.NewLabel(text)}
	v.root.Refresh()
}

// show renders message id, with warnings above the security status in
// the banner. It runs on the UI goroutine.
func (v *messageView) show(id int64, m *crypto.Message, warnings []BannerLine) {
	header := widget.NewForm(
		widget.NewFormItem("From", plainLabel(m.Header.Get("From"))),
		widget.NewFormItem("To", plainLabel(m.Header.Get("To"))),
		widget.NewFormItem("Date", plainLabel(m.Header.Get("Date"))),
		widget.NewFormItem("Subject", plainLabel(m.Header.Get("Subject"))),
	)
	body := widget.NewLabel(MessageText(m))
	body.Wrapping = fyne.TextWrapWord
	body.Selectable = true

	area := container.NewBorder(header, v.attachments(id, m), nil, nil, container.NewVScroll(body))
	banner := newBanner(append(slices.Clone(warnings), SecurityStatus(m)...))
	v.root.Objects = []fyne.CanvasObject{container.NewBorder(
		container.NewVBox(banner, widget.NewSeparator()), nil, nil, nil, area)}
	v.root.Refresh()
}

func plainLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// attachments lists the attachments with a Save button each. Nothing is
// written to disk until the user picks a place and confirms the warning.
func (v *messageView) attachments(id int64, m *crypto.Message) fyne.CanvasObject {
	box := container.NewHBox()
	for _, p := range attachmentParts(m.Root) {
		name := p.Filename
		if name == "" {
			name = "attachment"
		}
		part := p
		save := newActivityButton(v.shell, fmt.Sprintf("Save %s (%s)", filepath.Base(name), byteSize(len(p.Body))), theme.DocumentSaveIcon(), func() {
			v.confirmSave(id, part, filepath.Base(name))
		})
		box.Add(save)
	}
	if len(box.Objects) == 0 {
		return box
	}
	return container.NewHScroll(box)
}

func (v *messageView) confirmSave(id int64, part *crypto.Part, name string) {
	warning := "The file will be saved decrypted. Anyone with access to this computer can then read it, " +
		"and SecureMail can no longer protect or lock it. Save only to an encrypted disk."
	showConfirm(v.shell, v.window, "Save a decrypted copy?", warning, "Save decrypted", theme.DocumentSaveIcon(), func() {
		showFileSave(v.shell, v.window, name, func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			path := w.URI().Path()
			// The client writes the file itself so the audit trail
			// records it; close the empty file the dialog created.
			w.Close()
			v.shell.background(func() {
				if err := v.mail.SaveAttachment(id, part, path); err != nil {
					fyne.Do(func() { v.onError(err) })
				}
			})
		})
	})
}

// attachmentParts returns the leaves that are attachments and were opened.
func attachmentParts(root *crypto.Part) []*crypto.Part {
	if root == nil {
		return nil
	}
	var out []*crypto.Part
	for _, p := range root.Leaves() {
		if p.Attachment && !p.Hidden && p.Problem == nil {
			out = append(out, p)
		}
	}
	return out
}

// MessageText returns the readable text of a message: text parts as
// they are, HTML parts as safe text, and a placeholder for each part
// that could not be opened.
func MessageText(m *crypto.Message) string {
	return partsText(m.Root, func(*crypto.Part) bool { return true })
}

func partsText(root *crypto.Part, include func(*crypto.Part) bool) string {
	if root == nil {
		return ""
	}
	var chunks []string
	for _, p := range displayParts(root) {
		if !include(p) {
			continue
		}
		if p.Problem != nil {
			chunks = append(chunks, "[This part could not be opened and is not shown.]")
			continue
		}
		switch p.MediaType {
		case "text/html":
			chunks = append(chunks, HTMLToText(string(p.Body)))
		default:
			chunks = append(chunks, strings.TrimRight(string(p.Body), "\n"))
		}
	}
	return strings.Join(chunks, "\n\n")
}

// displayParts returns the text leaves to show. Of a multipart/alternative
// only the plain text child is shown when there is one, else the HTML.
func displayParts(p *crypto.Part) []*crypto.Part {
	if p.Hidden || p.Attachment {
		return nil
	}
	if len(p.Children) == 0 {
		if p.Problem != nil || strings.HasPrefix(p.MediaType, "text/") {
			return []*crypto.Part{p}
		}
		return nil
	}
	if p.MediaType == "multipart/alternative" {
		return alternative(p.Children)
	}
	var out []*crypto.Part
	for _, c := range p.Children {
		out = append(out, displayParts(c)...)
	}
	return out
}

func alternative(children []*crypto.Part) []*crypto.Part {
	var html []*crypto.Part
	for _, c := range children {
		parts := displayParts(c)
		if len(parts) == 1 && parts[0].MediaType == "text/plain" {
			return parts
		}
		if html == nil {
			html = parts
		}
	}
	return html
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
