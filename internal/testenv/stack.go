package testenv

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// EnvStack names the environment variable that holds the directory of a
// running test stack, as written by scripts/teststack start DIR.
const EnvStack = "SECUREMAIL_TESTSTACK"

// User is a mailbox account on the test stack.
type User struct {
	Address  string `json:"address"`
	Password string `json:"password"`
}

// Ports are the TCP ports of the stack, all on MailStack.Host.
type Ports struct {
	IMAP        int `json:"imap"`        // IMAP, STARTTLS required before login
	IMAPS       int `json:"imaps"`       // IMAP over implicit TLS
	Submission  int `json:"submission"`  // SMTP submission, STARTTLS and AUTH required
	Submissions int `json:"submissions"` // SMTP submission over implicit TLS
	LMTP        int `json:"lmtp"`        // Dovecot LMTP, no TLS and no AUTH
	Auth        int `json:"auth"`        // Dovecot auth service used by Postfix
}

// MailStack describes a running Dovecot and Postfix pair started by
// scripts/teststack. It is the decoded stack.json.
type MailStack struct {
	Host       string            `json:"host"`
	ServerName string            `json:"server_name"` // name in the server certificate
	Dir        string            `json:"dir"`
	CACert     string            `json:"ca_cert"` // PEM path of the CA that signed the server certificate
	CAKey      string            `json:"ca_key"`  // PEM path of that CA's private key, for minting test certificates
	Ports      Ports             `json:"ports"`
	Domains    []string          `json:"domains"`
	Users      []User            `json:"users"`
	PIDs       map[string]int    `json:"pids"`
	Logs       map[string]string `json:"logs"`

	roots *x509.CertPool
}

// Stack returns the running test stack named by SECUREMAIL_TESTSTACK. When
// the variable is unset or the stack is unusable, the test is skipped, or
// failed when the CI environment variable is set.
func Stack(t testing.TB) *MailStack {
	t.Helper()
	dir := os.Getenv(EnvStack)
	if dir == "" {
		missing(t, "no mail test stack: %s is unset; start one with "+
			"`scripts/teststack start DIR` (as root) and export %s=DIR, or run `make test`",
			EnvStack, EnvStack)
		return nil
	}
	s, err := LoadStack(dir)
	if err != nil {
		missing(t, "mail test stack unusable: %v", err)
		return nil
	}
	return s
}

// LoadStack reads DIR/stack.json and the CA certificate it names.
func LoadStack(dir string) (*MailStack, error) {
	path := filepath.Join(dir, "stack.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w (is the stack started? run scripts/teststack start %s)", path, err, dir)
	}
	var s MailStack
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("parse %s: %w; restart the stack with scripts/teststack", path, err)
	}
	if s.Host == "" || s.Ports.IMAPS == 0 || s.Ports.Submission == 0 || len(s.Users) == 0 {
		return nil, fmt.Errorf("%s lacks host, ports or users; restart the stack with scripts/teststack", path)
	}
	pem, err := os.ReadFile(s.CACert)
	if err != nil {
		return nil, fmt.Errorf("read stack CA certificate: %w", err)
	}
	s.roots = x509.NewCertPool()
	if !s.roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate found in %s; restart the stack with scripts/teststack", s.CACert)
	}
	return &s, nil
}

// RootCAs returns a pool that holds only the stack's CA.
func (s *MailStack) RootCAs() *x509.CertPool {
	return s.roots
}

// TLSConfig returns a client configuration that verifies the stack's
// server certificate for ServerName.
func (s *MailStack) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.roots, ServerName: s.ServerName, MinVersion: tls.VersionTLS12}
}

// Addr returns host:port for one of the stack's ports.
func (s *MailStack) Addr(port int) string {
	return net.JoinHostPort(s.Host, strconv.Itoa(port))
}

// DialerFrom returns a dialer whose connections leave from the given
// loopback address. Dovecot treats a client on the server's own address as
// secure, so a test of plaintext rejection dials from 127.0.0.2. Dovecot
// also delays logins from an address after a failed one, so wrong-password
// tests use their own address such as 127.0.0.3.
func DialerFrom(ip string) *net.Dialer {
	return &net.Dialer{
		Timeout:   10 * time.Second,
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)},
	}
}

// User returns the account with the given address, failing the test when
// the stack has none.
func (s *MailStack) User(t testing.TB, address string) User {
	t.Helper()
	for _, u := range s.Users {
		if u.Address == address {
			return u
		}
	}
	t.Fatalf("test stack has no user %s; see %s/stack.json for the users", address, s.Dir)
	return User{}
}

// SpareUsers returns the accounts whose local part starts with "spare".
// Tests that change a mailbox's state use one of these, each its own, so
// that packages tested in parallel do not see each other's mail.
func (s *MailStack) SpareUsers() []User {
	var spare []User
	for _, u := range s.Users {
		if len(u.Address) > 5 && u.Address[:5] == "spare" {
			spare = append(spare, u)
		}
	}
	return spare
}

// missing skips the test, or fails it when CI is set, because a required
// component is not available.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
