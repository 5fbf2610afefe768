package account

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// testCA is a throw-away CA that signs server certificates for tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "securemail test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// serverTLS returns a server configuration with a certificate for the
// given DNS names and IP addresses.
func (ca *testCA) serverTLS(t testing.TB, names ...string) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// memIMAP is go-imap's in-memory server on loopback.
type memIMAP struct {
	server *imapmemserver.Server
	user   *imapmemserver.User
	addr   *net.TCPAddr
}

const (
	testUser     = "alice@example.test"
	testPassword = "correct horse"
)

// startMemIMAP starts an in-memory IMAP server on 127.0.0.1 with implicit
// TLS or with STARTTLS, and an INBOX, Sent, Drafts, Trash and Archive.
func startMemIMAP(t testing.TB, ca *testCA, security Security) *memIMAP {
	t.Helper()
	return startMemIMAPWithCert(t, ca, security, "localhost", "127.0.0.1")
}

// startMemIMAPWithCert is startMemIMAP with a certificate for the given
// names.
func startMemIMAPWithCert(t testing.TB, ca *testCA, security Security, names ...string) *memIMAP {
	t.Helper()
	m := &memIMAP{server: imapmemserver.New(), user: imapmemserver.NewUser(testUser, testPassword)}
	for _, name := range []string{"INBOX", "Sent", "Drafts", "Trash", "Archive"} {
		if err := m.user.Create(name, nil); err != nil {
			t.Fatal(err)
		}
	}
	m.server.AddUser(m.user)

	tlsConfig := ca.serverTLS(t, names...)
	options := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return m.server.NewSession(), nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger: discardLogger{},
	}
	var ln net.Listener
	var err error
	if security == ImplicitTLS {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tlsConfig)
	} else {
		options.TLSConfig = tlsConfig
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	server := imapserver.New(options)
	go server.Serve(ln)
	t.Cleanup(func() { server.Close() })
	m.addr = ln.Addr().(*net.TCPAddr)
	return m
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

func (m *memIMAP) appendMessage(t testing.TB, folder string, raw []byte, flags ...imap.Flag) {
	t.Helper()
	_, err := m.user.Append(folder, literal(raw), &imap.AppendOptions{Flags: flags})
	if err != nil {
		t.Fatal(err)
	}
}

type literalReader struct {
	*bytes.Reader
	size int64
}

func (l literalReader) Size() int64 { return l.size }

func literal(raw []byte) imap.LiteralReader {
	return literalReader{Reader: bytes.NewReader(raw), size: int64(len(raw))}
}

func testConfig(ca *testCA, imapAddr *net.TCPAddr, imapSec Security) *Config {
	return &Config{
		ID:       "acct",
		Address:  testUser,
		Username: testUser,
		IMAP:     Endpoint{Host: "localhost", Port: imapAddr.Port, Security: imapSec},
		SMTP:     Endpoint{Host: "localhost", Port: 1, Security: ImplicitTLS},
		TLS:      TLSOptions{RootCAs: ca.pool},
	}
}

func testMessage(n int, size int) []byte {
	body := make([]byte, 0, size)
	for len(body) < size {
		body = append(body, "Line of test text for message "+strconv.Itoa(n)+".\r\n"...)
	}
	return []byte("From: Bob <bob@example.test>\r\n" +
		"To: Alice <alice@example.test>\r\n" +
		"Subject: test " + strconv.Itoa(n) + "\r\n" +
		"Date: Mon, 02 Jan 2006 15:04:05 +0000\r\n" +
		"Message-ID: <" + strconv.Itoa(n) + "@example.test>\r\n" +
		"\r\n" + string(body))
}

type x509HostnameError = x509.HostnameError
