package account

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"strconv"
	"time"
)

// Security is the kind of TLS a connection uses. There is no plaintext
// value, because every connection is TLS from the first byte or upgraded
// by STARTTLS before anything else is sent.
type Security int

const (
	// ImplicitTLS starts TLS on connect (IMAP 993, SMTP submissions 465).
	ImplicitTLS Security = iota
	// StartTLS upgrades with STARTTLS before login (IMAP 143, SMTP 587).
	StartTLS
)

func (s Security) String() string {
	switch s {
	case ImplicitTLS:
		return "tls"
	case StartTLS:
		return "starttls"
	}
	return "security(" + strconv.Itoa(int(s)) + ")"
}

// Endpoint is one server of an account.
type Endpoint struct {
	Host     string
	Port     int
	Security Security
}

// Address returns host:port for dialling.
func (e Endpoint) Address() string {
	return net.JoinHostPort(e.Host, strconv.Itoa(e.Port))
}

func (e Endpoint) validate(service string) error {
	if e.Host == "" {
		return fmt.Errorf("account: %s host is missing: set it or run account discovery", service)
	}
	if e.Port <= 0 || e.Port > 65535 {
		return fmt.Errorf("account: %s port %d is invalid: use 1 to 65535", service, e.Port)
	}
	if e.Security != ImplicitTLS && e.Security != StartTLS {
		return fmt.Errorf("account: %s security %v is invalid: use tls or starttls", service, e.Security)
	}
	return nil
}

// TLSOptions tighten certificate checks. There is deliberately no way to
// skip verification.
type TLSOptions struct {
	// MinVersion raises the minimum TLS version; values below TLS 1.2 are
	// ignored.
	MinVersion uint16
	// RootCAs replaces the system roots, for a CA that managed policy
	// names. Nil means the system roots.
	RootCAs *x509.CertPool
	// ServerName is the name the certificate must carry when it differs
	// from the endpoint host, as when the host is an IP address.
	ServerName string
}

// Config is the non-secret description of one account. Secrets travel
// separately as Credentials.
type Config struct {
	// ID names the account in the store (cache.Folder.Account).
	ID       string
	Address  string
	Username string
	IMAP     Endpoint
	SMTP     Endpoint
	TLS      TLSOptions
	// MaxBodySize skips body download for messages larger than this many
	// bytes (their header is still cached). Zero means no limit.
	MaxBodySize int64
	// Dialer is used for every connection; nil means a dialer with a 30 s
	// timeout.
	Dialer *net.Dialer
	// ReadTimeout bounds the wait for each read from the IMAP server
	// outside IDLE, so a server that stalls, or announces a literal
	// longer than it sends, cannot hang a sync. Zero means two minutes.
	ReadTimeout time.Duration
}

// Validate reports the first missing or invalid setting.
func (c *Config) Validate() error {
	if c.ID == "" {
		return fmt.Errorf("account: account ID is missing: set Config.ID")
	}
	if c.Username == "" {
		return fmt.Errorf("account: username for account %q is missing", c.ID)
	}
	if err := c.IMAP.validate("IMAP"); err != nil {
		return err
	}
	return c.SMTP.validate("SMTP")
}

func (c *Config) tlsConfig(host string) *tls.Config {
	minVersion := uint16(tls.VersionTLS12)
	if c.TLS.MinVersion > minVersion {
		minVersion = c.TLS.MinVersion
	}
	if c.TLS.ServerName != "" {
		host = c.TLS.ServerName
	}
	return &tls.Config{
		ServerName: host,
		MinVersion: minVersion,
		RootCAs:    c.TLS.RootCAs,
	}
}

func (c *Config) readTimeout() time.Duration {
	if c.ReadTimeout > 0 {
		return c.ReadTimeout
	}
	return 2 * time.Minute
}

func (c *Config) dialer() *net.Dialer {
	if c.Dialer != nil {
		return c.Dialer
	}
	return &net.Dialer{Timeout: 30 * time.Second}
}
