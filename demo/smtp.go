package demo

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// maxMessageBytes is the largest message the demo SMTP server accepts,
// 25 MiB, a common limit of mail providers.
const maxMessageBytes = 25 << 20

// deliverer is the go-smtp backend of the demo. It accepts mail only from
// the authenticated owner and delivers it to the INBOX of each demo
// person named as a recipient.
type deliverer struct {
	users    map[string]*imapmemserver.User // by lower-case address
	owner    string
	password string
}

func (d *deliverer) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &smtpSession{d: d}, nil
}

type smtpSession struct {
	d             *deliverer
	authenticated bool
	from          string
	to            []*imapmemserver.User
}

var errNotAuthenticated = &smtp.SMTPError{
	Code:         530,
	EnhancedCode: smtp.EnhancedCode{5, 7, 0},
	Message:      "authentication required: log in as the demo owner first",
}

func (s *smtpSession) AuthMechanisms() []string {
	return []string{sasl.Plain}
}

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if identity != "" && identity != username {
			return smtp.ErrAuthFailed
		}
		userOK := strings.EqualFold(username, s.d.owner)
		passwordOK := subtle.ConstantTimeCompare([]byte(password), []byte(s.d.password)) == 1
		if !userOK || !passwordOK {
			return smtp.ErrAuthFailed
		}
		s.authenticated = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authenticated {
		return errNotAuthenticated
	}
	if !strings.EqualFold(from, s.d.owner) {
		return &smtp.SMTPError{
			Code:         553,
			EnhancedCode: smtp.EnhancedCode{5, 7, 1},
			Message:      fmt.Sprintf("sender %s rejected: the demo sends only as %s", from, s.d.owner),
		}
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !s.authenticated {
		return errNotAuthenticated
	}
	u, ok := s.d.users[strings.ToLower(to)]
	if !ok {
		return &smtp.SMTPError{
			Code:         550,
			EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message:      fmt.Sprintf("recipient %s not found: the demo delivers only to demo contacts", to),
		}
	}
	s.to = append(s.to, u)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	if !s.authenticated {
		return errNotAuthenticated
	}
	body, err := io.ReadAll(io.LimitReader(r, maxMessageBytes+1))
	if err != nil {
		return fmt.Errorf("read message data: %w", err)
	}
	if len(body) > maxMessageBytes {
		return smtp.ErrDataTooLarge
	}
	now := time.Now()
	trace := fmt.Sprintf("Received: from localhost by securemail-demo with ESMTPSA; %s\r\n",
		now.Format(time.RFC1123Z))
	raw := append([]byte(trace), body...)
	for _, u := range s.to {
		if _, err := u.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{Time: now}); err != nil {
			return &smtp.SMTPError{
				Code:         451,
				EnhancedCode: smtp.EnhancedCode{4, 3, 0},
				Message:      "delivery into the demo mailbox failed: " + err.Error(),
			}
		}
	}
	return nil
}

func (s *smtpSession) Reset() {
	s.from = ""
	s.to = nil
}

func (s *smtpSession) Logout() error {
	return nil
}
