package client

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"securemail/account"
	"securemail/audit"
	"securemail/cache"
	"securemail/crypto"
	"securemail/crypto/discovery"
	"securemail/crypto/pgp"
	"securemail/crypto/smime"
)

// Opened is a message opened for display.
type Opened struct {
	ID      int64
	Account string
	Folder  string
	Flags   []string
	*crypto.Message
}

// OpenMessage decrypts and verifies message id, learns keys from its
// signatures and Autocrypt header (trust on first use), and records the
// opening in the audit trail.
func (c *Client) OpenMessage(id int64) (*Opened, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	m, err := s.store.Message(id)
	if err != nil {
		return nil, err
	}
	if m.HeaderOnly {
		return nil, fmt.Errorf("client: message %d has only its header cached; sync its body first", id)
	}

	var harvested []*x509.Certificate
	reader, err := c.reader(s, outerFrom(m.Raw), &harvested)
	if err != nil {
		return nil, err
	}
	msg, err := reader.Open(m.Raw)
	if err != nil {
		return nil, err
	}
	c.learnKeys(s, msg, harvested)

	messageID := auditableMessageID(msg.Outer.Get("Message-Id"))
	c.record(audit.MessageOpened(m.Account, messageID))
	if msg.Encryption != crypto.CoverageNone {
		c.record(audit.MessageDecrypted(m.Account, messageID, schemeName(firstScheme(msg.Root))))
		// The blind index can only learn an encrypted message's words
		// once it is decrypted.
		if text := displayText(msg.Root); text != "" {
			s.store.IndexText(id, msg.Header.Get("Subject")+"\n"+text)
		}
	}
	if subject, ok := protectedSubject(msg); ok {
		// The list then shows the real subject in place of the outer
		// placeholder. A failed write only leaves the placeholder in the
		// list while the message itself opened, so the error is dropped.
		s.store.SetSummarySubject(id, subject)
	}
	return &Opened{ID: id, Account: m.Account, Folder: m.Folder, Flags: m.Flags, Message: msg}, nil
}

// MarkRead sets \Seen on message id, first in the cache so that the
// folder's unread count drops at once, then on the server, whose flags
// then replace the cached ones. When the server fails, the cache keeps
// \Seen until the next sync restores the server's flags.
func (c *Client) MarkRead(id int64) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	m, err := s.store.Message(id)
	if err != nil {
		return fmt.Errorf("client: mark message %d read: %w", id, err)
	}
	if slices.ContainsFunc(m.Flags, func(f string) bool { return strings.EqualFold(f, seenFlag) }) {
		return nil
	}
	flags := append(slices.Clone(m.Flags), seenFlag)
	if err := s.store.SetFlags(m.Account, m.Folder, m.UID, flags, m.ModSeq); err != nil {
		return fmt.Errorf("client: mark message %d read: %w", id, err)
	}

	cfg, cred, err := c.accountConfig(s, m.Account)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), markReadTimeout)
	defer cancel()
	err = s.ops.do(m.Account, cfg, cred, s.store, func(syncer *account.Syncer) error {
		return syncer.MarkRead(ctx, m.Folder, []uint32{m.UID}, true)
	})
	if err != nil {
		if noteErr := notePendingSeen(s, m); noteErr != nil {
			return fmt.Errorf("client: mark message %d read on the server: %w; it shows as read here, but the next sync may show it unread", id, errors.Join(err, noteErr))
		}
		return fmt.Errorf("client: mark message %d read on the server: %w; the next sync marks it there", id, err)
	}
	return nil
}

// seenFlag is the IMAP system flag of a read message.
const seenFlag = `\Seen`

// markReadTimeout bounds one MarkRead, connection included.
const markReadTimeout = 30 * time.Second

// protectedSubject returns the decoded subject of msg when it came from
// protected header fields that encryption or a good signature
// authenticated and differs from the outer subject.
func protectedSubject(msg *crypto.Message) (string, bool) {
	if !msg.HeaderProtected {
		return "", false
	}
	inner, err := decodedSubject(msg.Header)
	if err != nil {
		return "", false
	}
	outer, _ := decodedSubject(msg.Outer)
	return inner, inner != outer
}

func decodedSubject(h textproto.Header) (string, error) {
	mh := gomail.Header{Header: message.Header{Header: h}}
	return mh.Subject()
}

// reader returns a crypto.Reader with the user's keys and contacts. The
// certificates of S/MIME signatures that verified are appended to
// harvested.
func (c *Client) reader(s *session, from string, harvested *[]*x509.Certificate) (crypto.Reader, error) {
	now := c.opts.Now()
	ring, err := c.keyRing(s)
	if err != nil {
		return crypto.Reader{}, err
	}
	ids, err := s.ownIdentities()
	if err != nil {
		return crypto.Reader{}, err
	}
	known, err := c.knownCertificates(s)
	if err != nil {
		return crypto.Reader{}, err
	}
	smimeOpts := &smime.OpenOptions{Roots: c.extraRoots(), Now: now, KnownCertificates: known, From: from}

	return crypto.Reader{
		OpenPGP: func(entity []byte) (*crypto.Layer, error) {
			return pgp.OpenEntity(entity, ring, now)
		},
		SMIME: func(entity []byte) (*crypto.Layer, error) {
			layer, err := smime.OpenEntity(entity, ids, smimeOpts)
			if err == nil && layer.Status.Signature.State == crypto.GoodSignature {
				if certs, err := smime.HarvestCertificates(entity, smimeOpts); err == nil {
					*harvested = append(*harvested, certs...)
				}
			}
			return layer, err
		},
		InlinePGP: func(text []byte) ([]byte, crypto.PartStatus, error) {
			return openInline(text, ring, now)
		},
	}, nil
}

// openInline adapts pgp.OpenInline, which takes a whole text/plain
// entity, to the reader's decoded text.
func openInline(text []byte, ring pgp.KeyFinder, now time.Time) ([]byte, crypto.PartStatus, error) {
	entity := append([]byte("Content-Type: text/plain; charset=utf-8\r\n\r\n"), text...)
	it, err := pgp.OpenInline(entity, ring, now)
	if err != nil {
		return nil, crypto.PartStatus{}, err
	}
	var st crypto.PartStatus
	if len(it.Blocks) > 0 {
		st = it.Blocks[0].Status
	}
	if it.Partial {
		// Text outside the blocks is covered by nothing, so the part as a
		// whole is neither signed nor encrypted.
		st = crypto.PartStatus{}
	}
	return []byte(it.Text), st, nil
}

// keyRing holds the user's private keys and every contact's public key.
func (c *Client) keyRing(s *session) (*pgp.KeyRing, error) {
	own, err := s.ownPGP()
	if err != nil {
		return nil, err
	}
	ring := pgp.NewKeyRing(own...)
	bindings, err := s.trust.List()
	if err != nil {
		return nil, err
	}
	for _, b := range bindings {
		if b.Scheme != crypto.SchemeOpenPGP {
			continue
		}
		// A pending key (seen but not accepted) must not verify
		// signatures, or a forged Autocrypt header could make its
		// sender's mail look signed.
		if len(b.Public) == 0 {
			continue
		}
		if k, err := pgp.ReadKey(b.Public); err == nil {
			ring.Add(k)
		}
	}
	return ring, nil
}

func (c *Client) knownCertificates(s *session) ([]*x509.Certificate, error) {
	bindings, err := s.trust.List()
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for _, b := range bindings {
		if b.Scheme != crypto.SchemeSMIME {
			continue
		}
		if cert, err := x509.ParseCertificate(b.Public); err == nil {
			certs = append(certs, cert)
		}
	}
	return certs, nil
}

// extraRoots returns the CAs the policy adds to the system roots, or nil.
func (c *Client) extraRoots() *x509.CertPool {
	pems := c.policy.Settings().TLS.ExtraRootCAs
	if len(pems) == 0 {
		return nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, p := range pems {
		pool.AppendCertsFromPEM([]byte(p))
	}
	return pool
}

// learnKeys records the keys that verified signatures and the sender's
// Autocrypt key, and marks signatures whose key differs from the one the
// sender used before. certs are the certificates of verified S/MIME
// signatures, kept so the user can encrypt to the sender.
func (c *Client) learnKeys(s *session, msg *crypto.Message, certs []*x509.Certificate) {
	from := addrSpec(msg.Header.Get("From"))
	public := map[string][]byte{}
	for _, cert := range certs {
		public[smime.Fingerprint(cert)] = cert.Raw
	}
	var visit func(p *crypto.Part)
	visit = func(p *crypto.Part) {
		sig := &p.Status.Signature
		if sig.State == crypto.GoodSignature && sig.MatchesFrom && from != "" {
			cand := crypto.Candidate{Fingerprint: sig.Fingerprint, Source: "signed-mail", Public: public[strings.ToUpper(sig.Fingerprint)]}
			if cand.Public == nil && sig.Scheme == crypto.SchemeOpenPGP {
				cand.Public = c.publicKeyBytes(s, sig.Fingerprint)
			}
			if cand.Public == nil {
				// Without the key itself a binding could not be used to
				// encrypt, so only a change of key is worth noting.
				if b, err := s.trust.Lookup(sig.Scheme, from); err != nil || b.Fingerprint == strings.ToUpper(sig.Fingerprint) {
					for _, ch := range p.Children {
						visit(ch)
					}
					return
				}
			}
			if obs, err := s.trust.Observe(sig.Scheme, from, cand); err == nil && obs == crypto.Changed {
				sig.KeyChanged = true
			}
		}
		for _, ch := range p.Children {
			visit(ch)
		}
	}
	visit(msg.Root)

	if !slices.Contains(c.policy.Settings().KeyDiscovery.Sources, "autocrypt") || from == "" {
		return
	}
	// Autocrypt headers are only read from the outer header, whose From
	// the header must match.
	ac, key, err := discovery.FromHeaders(msg.Outer.Get("From"), msg.Outer.Values("Autocrypt"))
	if err != nil || ac.Address != from {
		return
	}
	s.trust.Observe(crypto.SchemeOpenPGP, from, crypto.Candidate{Fingerprint: key.Fingerprint, Public: key.Public, Source: "autocrypt"})
}

// auditableMessageID returns id when the audit trail accepts it, and ""
// otherwise: a sender controls the Message-ID, and an odd one must not
// keep the opening of the message out of the trail.
func auditableMessageID(id string) string {
	if audit.MessageOpened("", id).Validate() != nil {
		return ""
	}
	return id
}

// outerFrom returns the addr-spec of the message's From field, or "".
func outerFrom(raw []byte) string {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	return addrSpec(m.Header.Get("From"))
}

// publicKeyBytes returns the binary public key with fingerprint from the
// user's key ring, or nil.
func (c *Client) publicKeyBytes(s *session, fingerprint string) []byte {
	ring, err := c.keyRing(s)
	if err != nil {
		return nil
	}
	for _, k := range ring.PublicKeysByFingerprint(strings.ToUpper(fingerprint)) {
		pub, err := k.ToPublic()
		if err != nil {
			continue
		}
		if raw, err := pub.Serialize(); err == nil {
			return raw
		}
	}
	return nil
}

func firstScheme(p *crypto.Part) crypto.Scheme {
	for _, l := range p.Leaves() {
		if l.Status.Encryption.Scheme != crypto.SchemeNone {
			return l.Status.Encryption.Scheme
		}
	}
	return crypto.SchemeNone
}

// displayText joins the text of the displayed text/plain parts.
func displayText(root *crypto.Part) string {
	var sb strings.Builder
	for _, l := range root.Leaves() {
		if l.MediaType == "text/plain" && !l.Attachment && l.Body != nil {
			sb.Write(l.Body)
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// Folders lists the folders of account with their counts.
func (c *Client) Folders(account string) ([]cache.Folder, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	return s.store.Folders(account)
}

// List returns a page of a folder's messages, newest first.
func (c *Client) List(account, folder string, offset, limit int) ([]cache.Summary, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	return s.store.List(account, folder, offset, limit)
}

// Search finds messages in the encrypted index.
func (c *Client) Search(q cache.Query) ([]cache.Summary, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	return s.store.Search(q)
}
