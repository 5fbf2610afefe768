package audit

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"securemail/policy"
)

// Sink receives forwarded records. Records given to a sink are already
// pseudonymised.
type Sink interface {
	Send(ctx context.Context, r Record) error
	Close() error
}

// Forward sends every entry after the last forwarded one to sink,
// pseudonymised under key, and returns how many it sent. It stops at the
// first entry whose MAC fails, because forwarding it would pass tampering
// on as fact, and Verify names that entry. The position of the last
// forwarded entry is kept as a sealed record, so an entry is sent twice
// only when the process dies between sending it and saving the position.
func (t *Trail) Forward(ctx context.Context, sink Sink, key []byte) (int, error) {
	if len(key) < 32 {
		return 0, fmt.Errorf("pseudonym key of %d bytes is too short, use at least 32", len(key))
	}
	t.mu.Lock()
	defer t.mu.Unlock()

	cursor, err := t.readCursor()
	if err != nil {
		return 0, err
	}
	sent := 0
	err = t.store.ReadLog(logName, cursor+1, func(pos int64, raw []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		entry, mac, err := t.open(raw)
		if err != nil || entry.Seq != pos {
			return fmt.Errorf("%w: entry %d does not verify, forwarding stopped; run verify", ErrTampered, pos)
		}
		record := Record{Seq: entry.Seq, Time: entry.Time, MAC: mac, Verified: true}
		record.Event, record.Justified = Pseudonymise(entry.Event, key)
		if err := sink.Send(ctx, record); err != nil {
			return fmt.Errorf("failed to forward audit entry %d: %w", pos, err)
		}
		sent++
		return t.writeCursor(pos)
	})
	return sent, err
}

func (t *Trail) readCursor() (int64, error) {
	data, err := t.store.GetRecord(recordKind, cursorRecord)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("failed to read the forwarding position: %w", err)
	}
	seq, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: forwarding position record does not parse", ErrTampered)
	}
	return seq, nil
}

func (t *Trail) writeCursor(seq int64) error {
	if err := t.store.PutRecord(recordKind, cursorRecord, []byte(strconv.FormatInt(seq, 10))); err != nil {
		return fmt.Errorf("failed to save the forwarding position: %w", err)
	}
	return nil
}

// Syslog severities (RFC 5424, section 6.2.1) and the facility for log
// audit, 13.
const (
	syslogFacilityLogAudit = 13
	syslogSeverityWarning  = 4
	syslogSeverityInfo     = 6
)

// SyslogSink sends records as RFC 5424 messages over TLS with the
// octet-counting framing of RFC 5425: "LENGTH SP MESSAGE". The message is
// the record as JSON, with the kind as MSGID. It dials on first use and
// again after a failed write.
type SyslogSink struct {
	Address  string      // host:port of the collector
	TLS      *tls.Config // RootCAs and MinVersion; ServerName defaults to the host
	Hostname string      // HOSTNAME field, "-" when empty
	Timeout  time.Duration

	mu   sync.Mutex
	conn *tls.Conn
}

// Send writes one record and waits for the write to complete.
func (s *SyslogSink) Send(ctx context.Context, r Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		if err := s.dial(ctx); err != nil {
			return err
		}
	}
	msg, err := syslogMessage(r, s.Hostname)
	if err != nil {
		return err
	}
	frame := append([]byte(strconv.Itoa(len(msg))+" "), msg...)
	if deadline, ok := ctx.Deadline(); ok {
		_ = s.conn.SetWriteDeadline(deadline)
	} else {
		_ = s.conn.SetWriteDeadline(time.Now().Add(s.timeout()))
	}
	if _, err := s.conn.Write(frame); err != nil {
		s.conn.Close()
		s.conn = nil
		return fmt.Errorf("failed to write to syslog collector %s: %w", s.Address, err)
	}
	return nil
}

func (s *SyslogSink) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 10 * time.Second
}

func (s *SyslogSink) dial(ctx context.Context) error {
	host, _, err := net.SplitHostPort(s.Address)
	if err != nil {
		return fmt.Errorf("invalid syslog collector address %q, use host:port: %w", s.Address, err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.TLS != nil {
		cfg = s.TLS.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.MinVersion = tls.VersionTLS12
	}
	dialer := &tls.Dialer{NetDialer: &net.Dialer{Timeout: s.timeout()}, Config: cfg}
	conn, err := dialer.DialContext(ctx, "tcp", s.Address)
	if err != nil {
		return fmt.Errorf("failed to connect to syslog collector %s: %w", s.Address, err)
	}
	s.conn = conn.(*tls.Conn)
	return nil
}

// Close closes the connection, if any.
func (s *SyslogSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}

// syslogMessage formats a record as an RFC 5424 message:
// <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG.
func syslogMessage(r Record, hostname string) ([]byte, error) {
	severity := syslogSeverityInfo
	switch r.Kind {
	case KindUnlockFailed, KindPolicyRejected:
		severity = syslogSeverityWarning
	}
	if hostname == "" {
		hostname = "-"
	}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("failed to encode audit record: %w", err)
	}
	header := fmt.Sprintf("<%d>1 %s %s securemail - %s - ",
		syslogFacilityLogAudit*8+severity, r.Time.UTC().Format("2006-01-02T15:04:05.000000Z"), hostname, r.Kind)
	return append([]byte(header), body...), nil
}

// FileSink appends records as JSON Lines to a file, created with mode
// 0600, and syncs after each record.
type FileSink struct {
	Path string

	mu   sync.Mutex
	file *os.File
}

// Send appends one record.
func (s *FileSink) Send(_ context.Context, r Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		f, err := os.OpenFile(s.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("failed to open audit forwarding file %s: %w", s.Path, err)
		}
		s.file = f
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("failed to encode audit record: %w", err)
	}
	if _, err := s.file.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("failed to write audit forwarding file %s: %w", s.Path, err)
	}
	if err := s.file.Sync(); err != nil {
		return fmt.Errorf("failed to sync audit forwarding file %s: %w", s.Path, err)
	}
	return nil
}

// Close closes the file, if open.
func (s *FileSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	return err
}

// SinkFromPolicy builds the sink and pseudonym key that the settings name.
// It returns a nil sink when forwarding is off. The syslog connection
// trusts only the configured CA when one is set, and otherwise the system
// roots.
func SinkFromPolicy(s policy.Settings, hostname string) (Sink, []byte, error) {
	f := s.Audit.Forwarding
	if f.Target == policy.ForwardNone || f.Target == "" {
		return nil, nil, nil
	}
	key, err := base64.StdEncoding.DecodeString(f.PseudonymKey)
	if err != nil || len(key) < 32 {
		return nil, nil, fmt.Errorf("invalid audit.forwarding.pseudonymKey: expected base64 of at least 32 bytes")
	}
	switch f.Target {
	case policy.ForwardFile:
		return &FileSink{Path: f.FilePath}, key, nil
	case policy.ForwardSyslog:
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if s.TLS.MinVersion == "1.3" {
			cfg.MinVersion = tls.VersionTLS13
		}
		if f.SyslogCA != "" {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM([]byte(f.SyslogCA)) {
				return nil, nil, fmt.Errorf("invalid audit.forwarding.syslogCA: no PEM certificate found")
			}
			cfg.RootCAs = pool
		}
		return &SyslogSink{Address: f.SyslogAddress, TLS: cfg, Hostname: hostname}, key, nil
	}
	return nil, nil, fmt.Errorf("unknown audit.forwarding.target %q, use none, syslog or file", f.Target)
}
