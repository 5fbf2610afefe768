package account

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// memSMTP is go-smtp's server on loopback, recording accepted messages.
type memSMTP struct {
	mu       sync.Mutex
	messages []smtpMessage
	// rejectRcpt, when set, is the reply to every RCPT TO.
	rejectRcpt *smtp.SMTPError
	// token is the OAuth access token XOAUTH2 and OAUTHBEARER accept.
	token      string
	requireTLS []bool
	addr       *net.TCPAddr
}

type smtpMessage struct {
	from string
	to   []string
	raw  []byte
}

func startMemSMTP(t testing.TB, ca *testCA, security Security, requireTLS bool) *memSMTP {
	t.Helper()
	m := &memSMTP{}
	server := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &memSMTPSession{server: m}, nil
	}))
	server.Domain = "localhost"
	server.EnableREQUIRETLS = requireTLS
	server.ErrorLog = discardSMTPLogger{}
	tlsConfig := ca.serverTLS(t, "localhost", "127.0.0.1")

	var ln net.Listener
	var err error
	if security == ImplicitTLS {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tlsConfig)
	} else {
		server.TLSConfig = tlsConfig
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go server.Serve(ln)
	t.Cleanup(func() { server.Close() })
	m.addr = ln.Addr().(*net.TCPAddr)
	return m
}

type discardSMTPLogger struct{}

func (discardSMTPLogger) Printf(string, ...any) {}
func (discardSMTPLogger) Println(...any)        {}

func (m *memSMTP) received() []smtpMessage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]smtpMessage(nil), m.messages...)
}

type memSMTPSession struct {
	server     *memSMTP
	authed     bool
	from       string
	to         []string
	requireTLS bool
}

func (s *memSMTPSession) AuthMechanisms() []string {
	return []string{sasl.Plain, string(XOAuth2), sasl.OAuthBearer}
}

func (s *memSMTPSession) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if username != testUser || password != testPassword {
				return errors.New("invalid credentials")
			}
			s.authed = true
			return nil
		}), nil
	case string(XOAuth2):
		return &xoauth2Server{check: s.checkToken}, nil
	case sasl.OAuthBearer:
		return sasl.NewOAuthBearerServer(func(opts sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if s.checkToken(opts.Username, opts.Token) != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token"}
			}
			return nil
		}), nil
	}
	return nil, errors.New("unsupported mechanism")
}

func (s *memSMTPSession) checkToken(username, token string) error {
	if username != testUser || token == "" || token != s.server.token {
		return errors.New("invalid token")
	}
	s.authed = true
	return nil
}

func (s *memSMTPSession) Mail(from string, opts *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	s.requireTLS = opts != nil && opts.RequireTLS
	return nil
}

func (s *memSMTPSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.server.rejectRcpt != nil {
		return s.server.rejectRcpt
	}
	s.to = append(s.to, to)
	return nil
}

func (s *memSMTPSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	s.server.messages = append(s.server.messages, smtpMessage{from: s.from, to: s.to, raw: raw})
	s.server.requireTLS = append(s.server.requireTLS, s.requireTLS)
	return nil
}

func (s *memSMTPSession) Reset()        { s.from, s.to = "", nil }
func (s *memSMTPSession) Logout() error { return nil }

// xoauth2Server is the server side of XOAUTH2 for tests.
type xoauth2Server struct {
	check  func(username, token string) error
	failed bool
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, errors.New("invalid token")
	}
	fields := strings.Split(string(bytes.TrimRight(response, "\x01")), "\x01")
	var user, token string
	for _, f := range fields {
		if v, ok := strings.CutPrefix(f, "user="); ok {
			user = v
		}
		if v, ok := strings.CutPrefix(f, "auth=Bearer "); ok {
			token = v
		}
	}
	if err := x.check(user, token); err != nil {
		x.failed = true
		return []byte(`{"status":"401","schemes":"bearer"}`), false, nil
	}
	return nil, true, nil
}
