package demo

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
)

// Folders that every demo user has besides INBOX. The in-memory server has
// no SPECIAL-USE, so clients recognise them by name.
var extraFolders = []string{"Sent", "Drafts", "Archive", "Trash"}

// Server is a running demo mailbox. All of it lives in memory and is lost
// at Close.
type Server struct {
	IMAPAddr string // host:port of IMAP with implicit TLS
	SMTPAddr string // host:port of SMTP submission with implicit TLS
	// ServerName is the name the TLS certificate is valid for.
	ServerName string
	// Username and Password log the owner in to both servers. The password
	// is random for each start.
	Username string
	Password string
	// Directory lists the owner and the contacts, with their keys.
	Directory *Directory

	roots      *x509.CertPool
	imap       *imapserver.Server
	smtp       *smtp.Server
	imapLn     net.Listener
	smtpLn     net.Listener
	serveDone  sync.WaitGroup
	closeOnce  sync.Once
	deliveries *deliverer
}

// Start starts the demo servers on free ports of 127.0.0.1 and seeds the
// owner's INBOX. Call Close to stop them.
func Start() (*Server, error) {
	dir, err := LoadDirectory()
	if err != nil {
		return nil, err
	}
	cert, roots, err := newCertificate(time.Now())
	if err != nil {
		return nil, err
	}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}

	mem := imapmemserver.New()
	users := make(map[string]*imapmemserver.User)
	var ownerPassword string
	for _, p := range dir.People() {
		password, err := randomPassword()
		if err != nil {
			return nil, err
		}
		if p.Address == dir.Owner.Address {
			ownerPassword = password
		}
		u := imapmemserver.NewUser(p.Address, password)
		for _, name := range append([]string{"INBOX"}, extraFolders...) {
			if err := u.Create(name, nil); err != nil {
				return nil, fmt.Errorf("create demo folder %s: %w", name, err)
			}
		}
		mem.AddUser(u)
		users[strings.ToLower(p.Address)] = u
	}
	if err := seed(users[strings.ToLower(dir.Owner.Address)]); err != nil {
		return nil, err
	}

	s := &Server{
		ServerName: "localhost",
		Username:   dir.Owner.Address,
		Password:   ownerPassword,
		Directory:  dir,
		roots:      roots,
		deliveries: &deliverer{users: users},
	}
	if err := s.listen(tlsConfig, mem); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) listen(tlsConfig *tls.Config, mem *imapmemserver.Server) error {
	discard := log.New(io.Discard, "", 0)
	s.imap = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:      imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger:    discard,
		TLSConfig: tlsConfig,
	})
	var err error
	if s.imapLn, err = tls.Listen("tcp", "127.0.0.1:0", tlsConfig); err != nil {
		return fmt.Errorf("listen for demo IMAP on 127.0.0.1: %w", err)
	}
	s.IMAPAddr = s.imapLn.Addr().String()

	s.smtp = smtp.NewServer(s.deliveries)
	s.smtp.Domain = "localhost"
	s.smtp.TLSConfig = tlsConfig
	s.smtp.MaxMessageBytes = maxMessageBytes
	s.smtp.MaxRecipients = 100
	s.smtp.ReadTimeout = time.Minute
	s.smtp.WriteTimeout = time.Minute
	s.smtp.ErrorLog = discard
	if s.smtpLn, err = tls.Listen("tcp", "127.0.0.1:0", tlsConfig); err != nil {
		return fmt.Errorf("listen for demo SMTP on 127.0.0.1: %w", err)
	}
	s.SMTPAddr = s.smtpLn.Addr().String()
	s.deliveries.owner = s.Username
	s.deliveries.password = s.Password

	s.serveDone.Add(2)
	go func() {
		defer s.serveDone.Done()
		_ = s.imap.Serve(s.imapLn)
	}()
	go func() {
		defer s.serveDone.Done()
		_ = s.smtp.Serve(s.smtpLn)
	}()
	return nil
}

// RootCAs returns a pool that trusts the demo servers' certificate.
func (s *Server) RootCAs() *x509.CertPool {
	return s.roots
}

// TLSConfig returns a client configuration that verifies the demo servers.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.roots, ServerName: s.ServerName, MinVersion: tls.VersionTLS12}
}

// Close stops both servers and waits for their accept loops to end.
func (s *Server) Close() error {
	var errs []error
	s.closeOnce.Do(func() {
		if s.imap != nil {
			if err := s.imap.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, fmt.Errorf("close demo IMAP server: %w", err))
			}
		}
		if s.smtp != nil {
			if err := s.smtp.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, fmt.Errorf("close demo SMTP server: %w", err))
			}
		}
		s.serveDone.Wait()
	})
	return errors.Join(errs...)
}

// seed appends the embedded messages to the owner's INBOX, dated by their
// Date headers. Only the newsletter arrives read.
func seed(owner *imapmemserver.User) error {
	msgs, err := SeedMessages()
	if err != nil {
		return err
	}
	for _, m := range msgs {
		opts := &imap.AppendOptions{Time: messageDate(m.Raw)}
		if strings.Contains(m.Name, "newsletter") {
			opts.Flags = []imap.Flag{imap.FlagSeen}
		}
		if _, err := owner.Append("INBOX", bytes.NewReader(m.Raw), opts); err != nil {
			return fmt.Errorf("seed demo message %s: %w", m.Name, err)
		}
	}
	return nil
}

// messageDate returns the Date header of raw, or the current time when the
// header is missing or invalid.
func messageDate(raw []byte) time.Time {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return time.Now()
	}
	date, err := msg.Header.Date()
	if err != nil {
		return time.Now()
	}
	return date
}

func randomPassword() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate demo password: %w", err)
	}
	return hex.EncodeToString(b), nil
}
