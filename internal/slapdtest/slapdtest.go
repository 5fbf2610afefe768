// Package slapdtest starts a real OpenLDAP slapd on loopback for tests,
// with its own configuration, mdb database and test CA in a temporary
// folder, and stops it when the test ends. It also issues the test
// certificates that the directory entries publish.
package slapdtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"securemail/internal/testenv"
)

// Suffix is the naming context of every test directory, and People is
// where Start expects the person entries.
const (
	Suffix = "dc=hospital,dc=example"
	People = "ou=people," + Suffix
)

// Server is a running slapd.
type Server struct {
	// LDAPURL is ldap://127.0.0.1:PORT/, which offers StartTLS unless
	// the server was started with NoTLS.
	LDAPURL string
	// LDAPSURL is ldaps://127.0.0.1:PORT/, or empty with NoTLS.
	LDAPSURL string
	// CA issued the server certificate.
	CA *CA
}

// Options shape the server.
type Options struct {
	// LDIF contains entries below People, loaded with slapadd before the
	// server starts. The suffix and People entries are added first.
	LDIF string
	// NoTLS starts the server without TLS, so it rejects StartTLS and has
	// no ldaps listener.
	NoTLS bool
	// CA issues the server certificate. Nil means a new CA.
	CA *CA
}

// Start runs slapd until the test ends. It skips the test when slapd or
// slapadd is missing, and fails it when CI is set.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	slapd := findSbin(t, "slapd")
	slapadd := findSbin(t, "slapadd")
	for _, schema := range []string{"core", "cosine", "inetorgperson"} {
		if _, err := os.Stat("/etc/ldap/schema/" + schema + ".schema"); err != nil {
			t.Fatalf("slapd schema %s is missing: %v; reinstall the slapd package", schema, err)
		}
	}

	dir := t.TempDir()
	dbDir := filepath.Join(dir, "db")
	if err := os.Mkdir(dbDir, 0o700); err != nil {
		t.Fatal(err)
	}
	srv := &Server{CA: opts.CA}
	if srv.CA == nil {
		srv.CA = NewCA(t, "slapd test CA")
	}

	var conf strings.Builder
	fmt.Fprintf(&conf, `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile %[1]s/slapd.pid
argsfile %[1]s/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
`, dir)
	if !opts.NoTLS {
		certFile, keyFile := srv.CA.WriteServerCertificate(t, dir)
		caFile := filepath.Join(dir, "ca.pem")
		writePEM(t, caFile, "CERTIFICATE", srv.CA.Cert.Raw)
		fmt.Fprintf(&conf, "TLSCACertificateFile %s\nTLSCertificateFile %s\nTLSCertificateKeyFile %s\n", caFile, certFile, keyFile)
	}
	fmt.Fprintf(&conf, `database mdb
maxsize 16777216
suffix "%[1]s"
rootdn "cn=admin,%[1]s"
directory %[2]s
access to attrs=userPassword by anonymous auth by * none
access to * by * read
`, Suffix, dbDir)
	confFile := filepath.Join(dir, "slapd.conf")
	if err := os.WriteFile(confFile, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	ldif := fmt.Sprintf("dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: hospital\no: Test Hospital\n\n"+
		"dn: %s\nobjectClass: organizationalUnit\nou: people\n\n%s\n", Suffix, People, opts.LDIF)
	ldifFile := filepath.Join(dir, "entries.ldif")
	if err := os.WriteFile(ldifFile, []byte(ldif), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(slapadd, "-f", confFile, "-l", ldifFile).CombinedOutput(); err != nil {
		t.Fatalf("slapadd failed: %v\n%s", err, out)
	}

	ldapPort, ldapsPort := freePort(t), freePort(t)
	srv.LDAPURL = fmt.Sprintf("ldap://127.0.0.1:%d/", ldapPort)
	listen := srv.LDAPURL
	if !opts.NoTLS {
		srv.LDAPSURL = fmt.Sprintf("ldaps://127.0.0.1:%d/", ldapsPort)
		listen += " " + srv.LDAPSURL
	}
	// -d keeps slapd in the foreground, so the test owns its PID.
	cmd := exec.Command(slapd, "-f", confFile, "-h", listen, "-d", "0")
	var output lockedBuffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting slapd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	waitListening(t, fmt.Sprintf("127.0.0.1:%d", ldapPort), exited, &output)
	return srv
}

// findSbin looks name up on PATH and then in /usr/sbin, which is not on
// every user's PATH.
func findSbin(t testing.TB, name string) string {
	t.Helper()
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	if path := "/usr/sbin/" + name; fileExists(path) {
		return path
	}
	return testenv.RequireCommand(t, name)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitListening(t testing.TB, addr string, exited <-chan error, output *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("slapd exited at start: %v\n%s", err, output.String())
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("slapd is not listening on %s after 15 s\n%s", addr, output.String())
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// CA is a throwaway certificate authority for one test.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// NewCA makes a self-signed P-256 CA valid for a day.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &CA{Cert: cert, Key: key}
}

// Pool returns a pool that contains only the CA.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return pool
}

// IssueSMIME issues an email-protection certificate for address.
func (ca *CA) IssueSMIME(t testing.TB, address string) *x509.Certificate {
	t.Helper()
	return ca.issue(t, &x509.Certificate{
		Subject:        pkix.Name{CommonName: address},
		EmailAddresses: []string{address},
		KeyUsage:       x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}, newKey(t))
}

// WriteServerCertificate writes a TLS server certificate for 127.0.0.1
// and localhost with its key as PEM files in dir.
func (ca *CA) WriteServerCertificate(t testing.TB, dir string) (certFile, keyFile string) {
	t.Helper()
	key := newKey(t)
	cert := ca.issue(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, key)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	writePEM(t, certFile, "CERTIFICATE", cert.Raw)
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)
	return certFile, keyFile
}

func (ca *CA) issue(t testing.TB, tmpl *x509.Certificate, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = serial(t)
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func writePEM(t testing.TB, path, blockType string, der []byte) {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
