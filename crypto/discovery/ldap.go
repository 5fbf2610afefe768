package discovery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/smallstep/pkcs7"

	"securemail/crypto/smime"
)

// Limits of one LDAP lookup. An address normally matches one entry with
// a few certificates of about 2 KB each, so these leave wide room for
// real directories while keeping a hostile server from making us read or
// parse megabytes.
const (
	// maxLDAPEntries is the search size limit sent to the server.
	maxLDAPEntries = 8
	// maxLDAPValues caps the certificate attribute values parsed per
	// lookup, over all entries.
	maxLDAPValues = 32
	// maxLDAPResponseBytes caps the bytes read from the connection,
	// counted on the wire and so including TLS overhead.
	maxLDAPResponseBytes = 1 << 20
	// defaultLDAPTimeout bounds a lookup when the context has no deadline.
	defaultLDAPTimeout = 10 * time.Second
)

// The attributes that carry S/MIME certificates on inetOrgPerson entries.
// Each userCertificate value is one DER certificate, which OpenLDAP
// returns as userCertificate;binary. Each userSMIMECertificate value is a
// CMS SignedData whose certificates field contains the certificates.
var ldapCertificateAttributes = []string{"userCertificate;binary", "userCertificate", "userSMIMECertificate"}

var (
	// ErrDirectoryUnreachable means no connection to the LDAP server
	// could be opened.
	ErrDirectoryUnreachable = errors.New("discovery: LDAP server unreachable")
	// ErrDirectoryTLS means TLS with the LDAP server could not be set up,
	// because the server rejected StartTLS or its certificate did not
	// verify.
	ErrDirectoryTLS = errors.New("discovery: TLS with the LDAP server failed")
	// ErrDirectoryCredentials means the server rejected the bind DN or
	// password.
	ErrDirectoryCredentials = errors.New("discovery: LDAP bind rejected")
	// ErrNoDirectoryEntry means the search found no entry with the
	// address in its mail attribute. It matches ErrNotFound.
	ErrNoDirectoryEntry error = notFoundError("discovery: no LDAP entry has the mail address")
	// ErrNoCertificate means entries were found but none carries a
	// certificate attribute. It matches ErrNotFound.
	ErrNoCertificate error = notFoundError("discovery: the LDAP entry has no certificate")
	// ErrNoMatchingCertificate means the entries carry certificates but
	// none of them names the address.
	ErrNoMatchingCertificate = errors.New("discovery: no certificate in the LDAP entry names the address")
	// ErrInvalidCertificateData means a certificate attribute value does
	// not parse.
	ErrInvalidCertificateData = errors.New("discovery: invalid certificate data in the LDAP entry")
)

// notFoundError is a more specific ErrNotFound.
type notFoundError string

func (e notFoundError) Error() string { return string(e) }

func (e notFoundError) Is(target error) bool { return target == ErrNotFound }

// LDAP looks S/MIME certificates up in an LDAP directory by the mail
// attribute. It talks only over TLS: an ldaps:// URL uses TLS from the
// first byte, and an ldap:// URL must succeed with StartTLS before the
// bind and the search are sent.
type LDAP struct {
	// URL is ldaps://host[:port] (port 636 by default) or
	// ldap://host[:port] (port 389 by default, StartTLS required).
	URL string
	// BaseDN is where the subtree search starts, for example
	// "ou=people,dc=hospital,dc=example".
	BaseDN string
	// BindDN, when set, is used for a simple bind with BindPassword.
	// Empty means an anonymous search without a bind request.
	BindDN       string
	BindPassword string
	// RootCAs verifies the server certificate. Nil means the system
	// roots.
	RootCAs *x509.CertPool
	// MinTLSVersion is the lowest TLS version accepted; zero means TLS
	// 1.2.
	MinTLSVersion uint16
}

// DirectoryCertificate is one certificate found for an address.
type DirectoryCertificate struct {
	// Certificate names the looked-up address. Its chain is not
	// verified: the caller validates it.
	Certificate *x509.Certificate
	// Others are the remaining certificates of the same entry, such as
	// intermediate CAs, for building the chain.
	Others []*x509.Certificate
	// EntryDN is the distinguished name of the entry it came from.
	EntryDN string
	// Source is "ldap".
	Source string
}

// Lookup searches the directory for entries whose mail attribute is
// address and returns their certificates that name the address. The
// errors ErrNoDirectoryEntry and ErrNoCertificate wrap ErrNotFound.
func (l LDAP) Lookup(ctx context.Context, address string) ([]DirectoryCertificate, error) {
	addr, err := normalizeAddress(address)
	if err != nil {
		return nil, err
	}
	if l.BaseDN == "" {
		return nil, errors.New("discovery: missing LDAP base DN; set the search base, for example ou=people,dc=example,dc=org")
	}
	if l.BindDN != "" && l.BindPassword == "" {
		// An empty password would turn the simple bind into an
		// unauthenticated bind, which go-ldap v3.4.15 also rejects.
		return nil, fmt.Errorf("discovery: missing LDAP bind password for %q; enter the directory password", l.BindDN)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultLDAPTimeout)
		defer cancel()
	}

	conn, budget, err := l.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()

	if l.BindDN != "" {
		if err := conn.Bind(l.BindDN, l.BindPassword); err != nil {
			if ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
				return nil, fmt.Errorf("%w: bind as %q on %s: check the bind DN and password", ErrDirectoryCredentials, l.BindDN, l.URL)
			}
			return nil, l.requestError("bind", budget, err)
		}
	}

	deadline, _ := ctx.Deadline()
	entries, err := l.search(conn, budget, addr, deadline)
	if err != nil {
		return nil, err
	}
	return certificatesForAddress(entries, addr, l.URL)
}

// connect opens a TLS connection to the server, with StartTLS for
// ldap:// URLs. The returned budget counts the bytes read.
func (l LDAP) connect(ctx context.Context) (*ldap.Conn, *readBudget, error) {
	u, err := url.Parse(l.URL)
	if err != nil {
		return nil, nil, fmt.Errorf("discovery: invalid LDAP URL %q: %w", l.URL, err)
	}
	var defaultPort string
	switch u.Scheme {
	case "ldaps":
		defaultPort = "636"
	case "ldap":
		defaultPort = "389"
	default:
		return nil, nil, fmt.Errorf("discovery: invalid LDAP URL %q: use ldaps://host or ldap://host (with StartTLS)", l.URL)
	}
	host := u.Hostname()
	if host == "" {
		return nil, nil, fmt.Errorf("discovery: invalid LDAP URL %q: missing host", l.URL)
	}
	port := u.Port()
	if port == "" {
		port = defaultPort
	}
	minVersion := l.MinTLSVersion
	if minVersion == 0 {
		minVersion = tls.VersionTLS12
	}
	tlsConfig := &tls.Config{ServerName: host, RootCAs: l.RootCAs, MinVersion: minVersion}

	var dialer net.Dialer
	raw, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w; check the URL and that the server is running", ErrDirectoryUnreachable, l.URL, err)
	}
	// The deadline bounds every read and write, and closing the socket
	// on cancellation ends a request that is still waiting.
	deadline, _ := ctx.Deadline()
	if err := raw.SetDeadline(deadline); err != nil {
		raw.Close()
		return nil, nil, fmt.Errorf("discovery: setting the LDAP connection deadline: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	budget := &readBudget{Conn: raw, stop: stop}
	budget.remaining.Store(maxLDAPResponseBytes)

	var conn *ldap.Conn
	if u.Scheme == "ldaps" {
		tlsConn := tls.Client(budget, tlsConfig)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			budget.Close()
			return nil, nil, fmt.Errorf("%w: %s: %w; check that a trusted CA issued the server certificate", ErrDirectoryTLS, l.URL, err)
		}
		conn = ldap.NewConn(tlsConn, true)
		conn.Start()
	} else {
		conn = ldap.NewConn(budget, false)
		conn.Start()
		// go-ldap closes the connection when the handshake fails.
		if err := conn.StartTLS(tlsConfig); err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("%w: StartTLS with %s: %w; check that the server offers StartTLS and that a trusted CA issued its certificate", ErrDirectoryTLS, l.URL, err)
		}
	}
	conn.SetTimeout(time.Until(deadline))
	return conn, budget, nil
}

func (l LDAP) search(conn *ldap.Conn, budget *readBudget, addr string, deadline time.Time) ([]*ldap.Entry, error) {
	// The server-side time limit is in whole seconds, at least one.
	timeLimit := max(1, int(time.Until(deadline).Seconds()))
	filter := "(&(objectClass=*)(mail=" + ldap.EscapeFilter(addr) + "))"
	req := ldap.NewSearchRequest(l.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		maxLDAPEntries, timeLimit, false, filter, ldapCertificateAttributes, nil)
	// The client enforces the size limit too, in case the server ignores it.
	req.EnforceSizeLimit = true

	res, err := conn.Search(req)
	switch {
	case err == nil:
	case ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) || errors.Is(err, ldap.ErrSizeLimitExceeded):
		return nil, fmt.Errorf("discovery: more than %d LDAP entries have the mail address %s in %q; the directory must list each address once", maxLDAPEntries, addr, l.BaseDN)
	case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject):
		return nil, fmt.Errorf("discovery: LDAP base DN %q not found on %s; check the configured base DN: %w", l.BaseDN, l.URL, err)
	default:
		return nil, l.requestError("search", budget, err)
	}
	if len(res.Entries) == 0 {
		return nil, fmt.Errorf("%w %s in %q on %s", ErrNoDirectoryEntry, addr, l.BaseDN, l.URL)
	}
	return res.Entries, nil
}

// requestError explains a failed request, naming the response cap when
// the server sent more than it allows.
func (l LDAP) requestError(op string, budget *readBudget, err error) error {
	if budget.exceeded.Load() {
		return fmt.Errorf("discovery: LDAP %s on %s failed: the response is over the %d byte limit", op, l.URL, maxLDAPResponseBytes)
	}
	return fmt.Errorf("discovery: LDAP %s on %s failed: %w", op, l.URL, err)
}

// certificatesForAddress parses the certificate attributes of entries
// and keeps the certificates that name addr. A value that does not parse
// is an error only when no certificate for addr was found, so one broken
// value cannot hide a good certificate published beside it.
func certificatesForAddress(entries []*ldap.Entry, addr, server string) ([]DirectoryCertificate, error) {
	var found []DirectoryCertificate
	var parseErrs []error
	values, certCount := 0, 0
	for _, entry := range entries {
		var certs []*x509.Certificate
		for _, attr := range entry.Attributes {
			base, _, _ := strings.Cut(attr.Name, ";")
			for _, value := range attr.ByteValues {
				values++
				if values > maxLDAPValues {
					return nil, fmt.Errorf("discovery: LDAP entries for %s on %s carry more than %d certificate values", addr, server, maxLDAPValues)
				}
				parsed, err := parseCertificateValue(base, value)
				if err != nil {
					parseErrs = append(parseErrs, fmt.Errorf("%s of %q: %w", attr.Name, entry.DN, err))
					continue
				}
				certs = append(certs, parsed...)
			}
		}
		certCount += len(certs)
		found = append(found, matchCertificates(certs, addr, entry.DN)...)
	}

	switch {
	case len(found) > 0:
		return found, nil
	case len(parseErrs) > 0:
		return nil, fmt.Errorf("%w from %s: %w", ErrInvalidCertificateData, server, errors.Join(parseErrs...))
	case certCount == 0:
		return nil, fmt.Errorf("%w for %s on %s", ErrNoCertificate, addr, server)
	}
	return nil, fmt.Errorf("%w %s: the entry on %s publishes %d certificate(s) for other addresses", ErrNoMatchingCertificate, addr, server, certCount)
}

// parseCertificateValue decodes one attribute value: a DER certificate
// for userCertificate, a CMS SignedData for userSMIMECertificate.
func parseCertificateValue(attribute string, value []byte) ([]*x509.Certificate, error) {
	switch {
	case strings.EqualFold(attribute, "userCertificate"):
		cert, err := x509.ParseCertificate(value)
		if err != nil {
			return nil, err
		}
		return []*x509.Certificate{cert}, nil
	case strings.EqualFold(attribute, "userSMIMECertificate"):
		p7, err := pkcs7.Parse(value)
		if err != nil {
			return nil, fmt.Errorf("not a CMS SignedData: %w", err)
		}
		if len(p7.Certificates) == 0 {
			return nil, errors.New("the CMS SignedData contains no certificates")
		}
		return p7.Certificates, nil
	}
	// The server returned an attribute that was not requested.
	return nil, nil
}

// matchCertificates splits certs into those that name addr and the rest,
// dropping duplicates.
func matchCertificates(certs []*x509.Certificate, addr, dn string) []DirectoryCertificate {
	seen := map[string]bool{}
	var matching, others []*x509.Certificate
	for _, cert := range certs {
		fp := smime.Fingerprint(cert)
		if seen[fp] {
			continue
		}
		seen[fp] = true
		if smime.HasEmail(cert, addr) {
			matching = append(matching, cert)
		} else {
			others = append(others, cert)
		}
	}
	out := make([]DirectoryCertificate, 0, len(matching))
	for _, cert := range matching {
		out = append(out, DirectoryCertificate{Certificate: cert, Others: others, EntryDN: dn, Source: "ldap"})
	}
	return out
}

// readBudget is a net.Conn that fails reads once maxLDAPResponseBytes
// have been read, so a hostile server cannot stream an endless response.
type readBudget struct {
	net.Conn
	remaining atomic.Int64
	exceeded  atomic.Bool
	stop      func() bool
}

var errResponseTooLarge = errors.New("LDAP response over the byte limit")

func (b *readBudget) Read(p []byte) (int, error) {
	remaining := b.remaining.Load()
	if remaining <= 0 {
		b.exceeded.Store(true)
		return 0, errResponseTooLarge
	}
	if int64(len(p)) > remaining {
		p = p[:remaining]
	}
	n, err := b.Conn.Read(p)
	b.remaining.Add(-int64(n))
	return n, err
}

func (b *readBudget) Close() error {
	b.stop()
	return b.Conn.Close()
}
