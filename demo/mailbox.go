package demo

import (
	"context"
	"fmt"
	"net"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"securemail/cache"
)

// Mailbox reads folders and message summaries from the demo IMAP server
// over TLS, for the main window until the real sync feeds it. Each call
// opens its own connection, so a Mailbox is safe for concurrent use.
type Mailbox struct {
	server *Server
}

// Mailbox returns a reader of the owner's mailbox on s.
func (s *Server) Mailbox() *Mailbox {
	return &Mailbox{server: s}
}

// account is the Account value of the returned folders and summaries.
const account = "demo"

// dial connects and logs in as the owner, giving up when ctx ends.
func (m *Mailbox) dial(ctx context.Context) (*imapclient.Client, error) {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if deadline, ok := ctx.Deadline(); ok {
		dialer.Deadline = deadline
	}
	c, err := imapclient.DialTLS(m.server.IMAPAddr, &imapclient.Options{
		TLSConfig: m.server.TLSConfig(),
		Dialer:    dialer,
	})
	if err != nil {
		return nil, fmt.Errorf("connect to demo IMAP server %s: %w", m.server.IMAPAddr, err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	if err := c.Login(m.server.Username, m.server.Password).Wait(); err != nil {
		stop()
		c.Close()
		return nil, fmt.Errorf("log in to demo IMAP server: %w", err)
	}
	return c, nil
}

// Folders lists the owner's folders with message and unread counts,
// INBOX first and the rest by name.
func (m *Mailbox) Folders(ctx context.Context) ([]cache.Folder, error) {
	c, err := m.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()

	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		return nil, fmt.Errorf("list demo folders: %w", err)
	}
	folders := make([]cache.Folder, 0, len(list))
	for _, l := range list {
		status, err := c.Status(l.Mailbox, &imap.StatusOptions{
			NumMessages: true, NumUnseen: true, UIDNext: true, UIDValidity: true,
		}).Wait()
		if err != nil {
			return nil, fmt.Errorf("status of demo folder %s: %w", l.Mailbox, err)
		}
		f := cache.Folder{
			Account:     account,
			Name:        l.Mailbox,
			Role:        folderRole(l.Mailbox),
			UIDValidity: status.UIDValidity,
			UIDNext:     uint32(status.UIDNext),
		}
		if status.NumMessages != nil {
			f.Total = int(*status.NumMessages)
		}
		if status.NumUnseen != nil {
			f.Unread = int(*status.NumUnseen)
		}
		folders = append(folders, f)
	}
	sort.Slice(folders, func(i, j int) bool {
		if (folders[i].Role == "inbox") != (folders[j].Role == "inbox") {
			return folders[i].Role == "inbox"
		}
		return folders[i].Name < folders[j].Name
	})
	return folders, c.Logout().Wait()
}

// List returns the summaries of every message in folder, newest first.
func (m *Mailbox) List(ctx context.Context, folder string) ([]cache.Summary, error) {
	c, err := m.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()

	selected, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, fmt.Errorf("select demo folder %s: %w", folder, err)
	}
	if selected.NumMessages == 0 {
		return nil, c.Logout().Wait()
	}
	fetched, err := c.Fetch(allMessages(), &imap.FetchOptions{
		UID: true, Flags: true, Envelope: true, RFC822Size: true, BodyStructure: &imap.FetchItemBodyStructure{},
	}).Collect()
	if err != nil {
		return nil, fmt.Errorf("fetch demo folder %s: %w", folder, err)
	}
	summaries := make([]cache.Summary, 0, len(fetched))
	for _, msg := range fetched {
		summaries = append(summaries, summarize(folder, msg))
	}
	sort.SliceStable(summaries, func(i, j int) bool {
		return summaries[i].Date.After(summaries[j].Date)
	})
	return summaries, c.Logout().Wait()
}

func allMessages() imap.SeqSet {
	var set imap.SeqSet
	set.AddRange(1, 0) // 1:*
	return set
}

func summarize(folder string, msg *imapclient.FetchMessageBuffer) cache.Summary {
	s := cache.Summary{
		Account:   account,
		Folder:    folder,
		UID:       uint32(msg.UID),
		Size:      msg.RFC822Size,
		Encrypted: isEncrypted(msg.BodyStructure),
	}
	for _, f := range msg.Flags {
		s.Flags = append(s.Flags, string(f))
	}
	if env := msg.Envelope; env != nil {
		s.Date = env.Date
		s.Subject = env.Subject
		s.MessageID = env.MessageID
		if len(env.From) > 0 {
			s.From = formatAddress(env.From[0])
		}
		for _, a := range env.To {
			s.To = append(s.To, formatAddress(a))
		}
		for _, a := range env.Cc {
			s.Cc = append(s.Cc, formatAddress(a))
		}
	}
	if mp, ok := msg.BodyStructure.(*imap.BodyStructureMultiPart); ok {
		s.HasAttachments = strings.EqualFold(mp.Subtype, "mixed")
	}
	return s
}

// isEncrypted reports whether the top-level part is PGP/MIME
// (multipart/encrypted, RFC 3156) or S/MIME encrypted data
// (application/pkcs7-mime other than signed-data, RFC 8551).
func isEncrypted(bs imap.BodyStructure) bool {
	switch part := bs.(type) {
	case *imap.BodyStructureMultiPart:
		return strings.EqualFold(part.Subtype, "encrypted")
	case *imap.BodyStructureSinglePart:
		media := strings.ToLower(part.Type + "/" + part.Subtype)
		if media != "application/pkcs7-mime" && media != "application/x-pkcs7-mime" {
			return false
		}
		// Opaque signed data uses the same media type but is not encrypted.
		return !strings.EqualFold(part.Params["smime-type"], "signed-data")
	}
	return false
}

func formatAddress(a imap.Address) string {
	addr := mail.Address{Name: a.Name, Address: a.Addr()}
	if addr.Name == "" {
		return addr.Address
	}
	return addr.String()
}

func folderRole(name string) string {
	switch strings.ToLower(name) {
	case "inbox", "sent", "drafts", "trash", "archive", "junk":
		return strings.ToLower(name)
	}
	return ""
}
