package cache

import (
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// memKeyring is an in-memory Keyring for unit tests. failWith, when set,
// is returned by every call.
type memKeyring struct {
	mu       sync.Mutex
	secrets  map[string]string
	failWith error
}

func newMemKeyring() *memKeyring { return &memKeyring{secrets: make(map[string]string)} }

func (k *memKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.failWith != nil {
		return "", k.failWith
	}
	s, ok := k.secrets[service+"\x00"+user]
	if !ok {
		return "", ErrKeyringEntryMissing
	}
	return s, nil
}

func (k *memKeyring) Set(service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.failWith != nil {
		return k.failWith
	}
	k.secrets[service+"\x00"+user] = secret
	return nil
}

func (k *memKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.failWith != nil {
		return k.failWith
	}
	if _, ok := k.secrets[service+"\x00"+user]; !ok {
		return ErrKeyringEntryMissing
	}
	delete(k.secrets, service+"\x00"+user)
	return nil
}

// testKDF is cheap so tests stay fast; only the defaults test uses
// DefaultKDF.
var testKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

func testOptions(kr Keyring) Options {
	return Options{Keyring: kr, KDF: testKDF, Sleep: func(time.Duration) {}}
}

// newTestVault creates an unlocked vault with a memory keyring in a
// fresh profile folder.
func newTestVault(t *testing.T) (*Vault, *memKeyring) {
	t.Helper()
	kr := newMemKeyring()
	v, err := Create(filepath.Join(t.TempDir(), "profile"), "default", []byte("correct horse"), ModeDeviceSecret, testOptions(kr))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { v.Lock() })
	return v, kr
}

func newTestStore(t *testing.T) *Store {
	t.Helper()
	v, _ := newTestVault(t)
	return v.Store()
}

// mailOptions describe a synthetic message for tests.
type mailOptions struct {
	From, To, Cc, Subject, Body, MessageID string
	Date                                   time.Time
	Attachment, AttachmentName             string
}

// buildMail returns an RFC 5322 message; with an attachment it is
// multipart/mixed with a base64 part.
func buildMail(o mailOptions) []byte {
	if o.Date.IsZero() {
		o.Date = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	}
	if o.MessageID == "" {
		o.MessageID = fmt.Sprintf("<%d@test.example>", o.Date.UnixNano())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\n", o.From, o.To)
	if o.Cc != "" {
		fmt.Fprintf(&b, "Cc: %s\r\n", o.Cc)
	}
	fmt.Fprintf(&b, "Subject: %s\r\nDate: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n",
		o.Subject, o.Date.Format(time.RFC1123Z), o.MessageID)
	if o.AttachmentName == "" {
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", o.Body)
		return []byte(b.String())
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n")
	fmt.Fprintf(&b, "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", o.Body)
	fmt.Fprintf(&b, "--b1\r\nContent-Type: text/plain; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n",
		o.AttachmentName, o.AttachmentName, base64Lines(o.Attachment))
	b.WriteString("--b1--\r\n")
	return []byte(b.String())
}

func base64Lines(s string) string {
	enc := []byte(strings.TrimSpace(stdBase64(s)))
	var b strings.Builder
	for len(enc) > 76 {
		b.Write(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.Write(enc)
	return b.String()
}

func mustPut(t *testing.T, s *Store, m *Message) int64 {
	t.Helper()
	if err := s.PutMessage(m); err != nil {
		t.Fatalf("PutMessage UID %d: %v", m.UID, err)
	}
	return m.ID
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, expected one wrapping %v", err, target)
	}
}

func stdBase64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
