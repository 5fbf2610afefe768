package account

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
)

// deadlineConn sets a read deadline before every read while enabled; IDLE
// turns it off because the server may stay silent for minutes there.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	enabled atomic.Bool
}

func (c *deadlineConn) Read(b []byte) (int, error) {
	if c.enabled.Load() {
		c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	} else {
		c.Conn.SetReadDeadline(time.Time{})
	}
	return c.Conn.Read(b)
}

// ErrNotEncrypted reports a connection that is not protected by a
// verified TLS session. Nothing secret is sent on such a connection.
var ErrNotEncrypted = errors.New("account: connection is not encrypted")

// DialIMAP connects to the account's IMAP server, makes sure TLS is up and
// verified, and logs in. A failed or rejected STARTTLS aborts before any
// login. handler, which may be nil, receives unsolicited updates (used by
// IDLE) on the client's reader goroutine.
func DialIMAP(ctx context.Context, cfg *Config, cred Credentials, handler *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	client, _, err := dialIMAP(ctx, cfg, cred, handler)
	return client, err
}

func dialIMAP(ctx context.Context, cfg *Config, cred Credentials, handler *imapclient.UnilateralDataHandler) (*imapclient.Client, *deadlineConn, error) {
	client, timed, err := connectIMAP(ctx, cfg, handler)
	if err != nil {
		return nil, nil, err
	}

	if err := loginIMAP(ctx, client, cfg, cred); err != nil {
		client.Close()
		return nil, nil, err
	}
	return client, timed, nil
}

func connectIMAP(ctx context.Context, cfg *Config, handler *imapclient.UnilateralDataHandler) (*imapclient.Client, *deadlineConn, error) {
	ep := cfg.IMAP
	if err := ep.validate("IMAP"); err != nil {
		return nil, nil, err
	}
	tlsConfig := cfg.tlsConfig(ep.Host)
	options := &imapclient.Options{TLSConfig: tlsConfig, UnilateralDataHandler: handler}

	conn, err := cfg.dialer().DialContext(ctx, "tcp", ep.Address())
	if err != nil {
		return nil, nil, fmt.Errorf("account: failed to connect to IMAP server %s: %w", ep.Address(), err)
	}
	timed := &deadlineConn{Conn: conn, timeout: cfg.readTimeout()}
	timed.enabled.Store(true)
	conn = timed
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	var client *imapclient.Client
	switch ep.Security {
	case ImplicitTLS:
		tlsConn := tls.Client(conn, tlsConfig)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("account: TLS with IMAP server %s failed: %w", ep.Address(), err)
		}
		client = imapclient.New(tlsConn, options)
	case StartTLS:
		// NewStartTLS sends STARTTLS before reading anything but the
		// greeting, rejects PREAUTH, and drops the capabilities seen
		// before TLS so they are requested again.
		client, err = imapclient.NewStartTLS(conn, options)
		if err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("account: STARTTLS with IMAP server %s failed, so nothing was sent: %w", ep.Address(), err)
		}
	}

	if err := client.WaitGreeting(); err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("account: IMAP server %s sent no valid greeting: %w", ep.Address(), err)
	}
	return client, timed, nil
}

func loginIMAP(ctx context.Context, client *imapclient.Client, cfg *Config, cred Credentials) error {
	stop := context.AfterFunc(ctx, func() { client.Close() })
	defer stop()

	if client.State() != imap.ConnStateNotAuthenticated {
		return fmt.Errorf("account: IMAP server %s is in state %v before login: expected not authenticated", cfg.IMAP.Address(), client.State())
	}

	if p, ok := cred.(passwordCredentials); ok {
		if p.password == "" {
			return errors.New("account: password is empty: enter the account password")
		}
		if client.Caps().Has(imap.CapLoginDisabled) {
			return fmt.Errorf("account: IMAP server %s disables LOGIN over this connection: check the security setting", cfg.IMAP.Address())
		}
		if err := client.Login(cfg.Username, p.password).Wait(); err != nil {
			return fmt.Errorf("account: IMAP login as %q failed: %w: check the username and password", cfg.Username, err)
		}
		return nil
	}

	saslClient, err := cred.sasl(ctx, cfg.Username, cfg.IMAP.Host, cfg.IMAP.Port)
	if err != nil {
		return err
	}
	if err := client.Authenticate(saslClient); err != nil {
		return fmt.Errorf("account: IMAP authentication as %q failed: %w", cfg.Username, err)
	}
	return nil
}

// DialSMTP connects to the account's submission server, makes sure TLS is
// up and verified, and authenticates. The client must be closed by the
// caller; after a failed AUTH it is closed here, because Postfix does not
// accept another attempt on it.
func DialSMTP(ctx context.Context, cfg *Config, cred Credentials) (*smtp.Client, error) {
	ep := cfg.SMTP
	if err := ep.validate("SMTP"); err != nil {
		return nil, err
	}
	tlsConfig := cfg.tlsConfig(ep.Host)

	conn, err := cfg.dialer().DialContext(ctx, "tcp", ep.Address())
	if err != nil {
		return nil, fmt.Errorf("account: failed to connect to SMTP server %s: %w", ep.Address(), err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	client, err := startSMTP(ctx, conn, ep, tlsConfig)
	if err != nil {
		conn.Close()
		return nil, err
	}

	if err := authSMTP(ctx, client, cfg, cred); err != nil {
		client.Close()
		return nil, err
	}
	return client, nil
}

func startSMTP(ctx context.Context, conn net.Conn, ep Endpoint, tlsConfig *tls.Config) (*smtp.Client, error) {
	var client *smtp.Client
	switch ep.Security {
	case ImplicitTLS:
		tlsConn := tls.Client(conn, tlsConfig)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("account: TLS with SMTP server %s failed: %w", ep.Address(), err)
		}
		client = smtp.NewClient(tlsConn)
	case StartTLS:
		var err error
		client, err = smtp.NewClientStartTLS(conn, tlsConfig)
		if err != nil {
			return nil, fmt.Errorf("account: STARTTLS with SMTP server %s failed, so nothing was sent: %w", ep.Address(), err)
		}
	}

	// The first EHLO after STARTTLS runs the TLS handshake and fetches the
	// extensions again, so the pre-TLS list is never used.
	if err := client.Hello("localhost"); err != nil {
		client.Close()
		return nil, fmt.Errorf("account: SMTP server %s: %w", ep.Address(), err)
	}
	state, ok := client.TLSConnectionState()
	if !ok || !state.HandshakeComplete {
		client.Close()
		return nil, fmt.Errorf("%w: SMTP server %s", ErrNotEncrypted, ep.Address())
	}
	return client, nil
}

func authSMTP(ctx context.Context, client *smtp.Client, cfg *Config, cred Credentials) error {
	saslClient, err := cred.sasl(ctx, cfg.Username, cfg.SMTP.Host, cfg.SMTP.Port)
	if err != nil {
		return err
	}
	mech, _, _ := saslClient.Start()
	if !client.SupportsAuth(mech) {
		return fmt.Errorf("account: SMTP server %s does not offer AUTH %s: check the account settings", cfg.SMTP.Address(), mech)
	}
	if err := client.Auth(saslClient); err != nil {
		return fmt.Errorf("account: SMTP authentication as %q failed: %w: check the username and password", cfg.Username, err)
	}
	return nil
}
