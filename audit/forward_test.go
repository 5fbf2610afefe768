package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"securemail/policy"
)

// Marker strings that must never leave the machine: addresses, Message-ID
// parts and words of the justification text.
var markers = []string{
	"dr.grey", "clinic.example.org", "zebrafinch", "partner.example.net", "lab@",
	"msg1@", "msg2@", "Results requested", "Quetzal",
}

var orgKey = bytes.Repeat([]byte{0x42}, 32)

// testPKI is a CA and a server certificate for 127.0.0.1.
type testPKI struct {
	caPEM  []byte
	server tls.Certificate
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "audit test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return testPKI{
		caPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		server: tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey},
	}
}

// syslogCollector is a TLS syslog listener on loopback that reads
// octet-counted frames (RFC 5425) and keeps every byte it received.
type syslogCollector struct {
	addr string
	mu   sync.Mutex
	raw  bytes.Buffer
	msgs []string
	got  chan struct{}
}

func startCollector(t *testing.T, pki testPKI) *syslogCollector {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pki.server}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	c := &syslogCollector{addr: ln.Addr().String(), got: make(chan struct{}, 1000)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go c.serve(conn)
		}
	}()
	return c
}

func (c *syslogCollector) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(io.TeeReader(conn, c))
	for {
		lenText, err := r.ReadString(' ')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSuffix(lenText, " "))
		if err != nil {
			return
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(r, msg); err != nil {
			return
		}
		c.mu.Lock()
		c.msgs = append(c.msgs, string(msg))
		c.mu.Unlock()
		c.got <- struct{}{}
	}
}

// Write records the raw stream for the marker check.
func (c *syslogCollector) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.raw.Write(p)
}

func (c *syslogCollector) wait(t *testing.T, n int) []string {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-c.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("collector got %d of %d messages", i, n)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs...)
}

// markedTrail records one event of every kind that carries an address or
// a Message-ID, with the markers in them.
func markedTrail(t *testing.T) (*Trail, *memStore, int) {
	t.Helper()
	trail, store := newTrail(t, 2)
	sent := sampleSent(3)
	sent.Justification = "Quetzal results for zebrafinch"
	events := []Event{
		sent,
		AccountAdded("dr.grey@clinic.example.org"),
		MessageOpened("dr.grey@clinic.example.org", "<msg1@clinic.example.org>"),
		MessageDecrypted("dr.grey@clinic.example.org", "<msg2@clinic.example.org>", "openpgp"),
		AttachmentSaved("dr.grey@clinic.example.org", "<msg1@clinic.example.org>", ".pdf", 5120, false),
		KeyEvent(KindKeyImported, KeyInfo{Fingerprint: "0123456789ABCDEF0123456789ABCDEF01234567", Address: "lab@partner.example.net", Type: "openpgp"}),
		ConsentRecorded("dr.grey@clinic.example.org", "patient.zebrafinch@example.com", "plain-mail"),
		UnlockFailed("wrong-passphrase"),
	}
	for _, e := range events {
		if _, err := trail.Append(e); err != nil {
			t.Fatalf("Append %s: %v", e.Kind, err)
		}
	}
	return trail, store, 2 + len(events)
}

var syslogLine = regexp.MustCompile(`^<(\d+)>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) (\S+) securemail - ([a-z._]+) - (\{.*\})$`)

func TestForwardSyslogCarriesNoPHI(t *testing.T) {
	pki := newTestPKI(t)
	collector := startCollector(t, pki)
	trail, _, total := markedTrail(t)

	settings := policy.Defaults()
	settings.Audit.Forwarding = policy.ForwardingSettings{
		Target: policy.ForwardSyslog, SyslogAddress: collector.addr, SyslogCA: string(pki.caPEM),
		PseudonymKey: base64.StdEncoding.EncodeToString(orgKey),
	}
	sink, key, err := SinkFromPolicy(settings, "ws-0042")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()

	n, err := trail.Forward(context.Background(), sink, key)
	if err != nil || n != total {
		t.Fatalf("Forward = %d, %v; want %d", n, err, total)
	}
	msgs := collector.wait(t, total)

	collector.mu.Lock()
	raw := collector.raw.String()
	collector.mu.Unlock()
	for _, m := range markers {
		if strings.Contains(strings.ToLower(raw), strings.ToLower(m)) {
			t.Errorf("marker %q reached the collector", m)
		}
	}

	var sawFailure bool
	for i, msg := range msgs {
		parts := syslogLine.FindStringSubmatch(msg)
		if parts == nil {
			t.Fatalf("message %d is not RFC 5424 as expected: %q", i, msg)
		}
		if parts[3] != "ws-0042" {
			t.Errorf("hostname = %q", parts[3])
		}
		var record Record
		if err := json.Unmarshal([]byte(parts[5]), &record); err != nil {
			t.Fatalf("message %d body: %v", i, err)
		}
		if record.Seq != int64(i+1) || string(record.Kind) != parts[4] || !record.Verified {
			t.Errorf("message %d: seq %d kind %s/%s verified %v", i, record.Seq, record.Kind, parts[4], record.Verified)
		}
		if record.Kind == KindUnlockFailed {
			sawFailure = true
			if parts[1] != "108" {
				t.Errorf("unlock failure PRI = %s, want 108 (log audit, warning)", parts[1])
			}
		} else if parts[1] != "110" {
			t.Errorf("PRI = %s, want 110 (log audit, informational)", parts[1])
		}
		if record.Kind == KindMessageSent {
			if !record.Justified || record.Justification != "" {
				t.Errorf("justification forwarded: %+v", record)
			}
			want := Pseudonym(orgKey, DomainAddress, "Patient.Zebrafinch@example.com")
			if record.Recipients[1].Address != want {
				t.Errorf("recipient pseudonym = %s, want %s", record.Recipients[1].Address, want)
			}
		}
		if record.Kind == KindMessageOpened {
			if want := Pseudonym(orgKey, DomainMessageID, "<msg1@clinic.example.org>"); record.MessageID != want {
				t.Errorf("Message-ID pseudonym = %s, want %s", record.MessageID, want)
			}
		}
	}
	if !sawFailure {
		t.Error("unlock failure not forwarded")
	}

	// Only new entries go out on the next call.
	if _, err := trail.Append(VaultLocked("idle")); err != nil {
		t.Fatal(err)
	}
	if n, err := trail.Forward(context.Background(), sink, key); err != nil || n != 1 {
		t.Fatalf("second Forward = %d, %v; want 1", n, err)
	}
	collector.wait(t, 1)
}

func TestForwardSyslogRejectsUntrustedCollector(t *testing.T) {
	collector := startCollector(t, newTestPKI(t))
	trail, _, _ := markedTrail(t)
	otherCA := newTestPKI(t).caPEM
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(otherCA)
	sink := &SyslogSink{Address: collector.addr, TLS: &tls.Config{RootCAs: pool}, Timeout: 5 * time.Second}
	defer sink.Close()
	n, err := trail.Forward(context.Background(), sink, orgKey)
	if err == nil || n != 0 {
		t.Fatalf("Forward = %d, %v; want a TLS verification failure", n, err)
	}
	// The position is unchanged, so everything goes out once a trusted
	// collector is configured.
	if cursor, _ := trail.readCursor(); cursor != 0 {
		t.Errorf("cursor = %d after a failed send", cursor)
	}
}

func TestForwardStopsAtTamperedEntry(t *testing.T) {
	trail, store, _ := markedTrail(t)
	store.tamper(3, func(b []byte) []byte { return bytes.Replace(b, []byte("openpgp"), []byte("smime"), 1) })
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	sink := &FileSink{Path: path}
	defer sink.Close()
	n, err := trail.Forward(context.Background(), sink, orgKey)
	if n != 2 || !errors.Is(err, ErrTampered) {
		t.Fatalf("Forward = %d, %v; want 2 and ErrTampered", n, err)
	}
}

func TestForwardFileCarriesNoPHI(t *testing.T) {
	trail, _, total := markedTrail(t)
	path := filepath.Join(t.TempDir(), "forward", "audit.jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	settings := policy.Defaults()
	settings.Audit.Forwarding = policy.ForwardingSettings{Target: policy.ForwardFile, FilePath: path,
		PseudonymKey: base64.StdEncoding.EncodeToString(orgKey)}
	sink, key, err := SinkFromPolicy(settings, "")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	if n, err := trail.Forward(context.Background(), sink, key); err != nil || n != total {
		t.Fatalf("Forward = %d, %v", n, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range markers {
		if bytes.Contains(bytes.ToLower(data), bytes.ToLower([]byte(m))) {
			t.Errorf("marker %q written to the forwarding file", m)
		}
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	if len(lines) != total {
		t.Errorf("%d lines, want %d", len(lines), total)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("file mode = %v, want 0600", info.Mode().Perm())
	}
}

func TestSinkFromPolicyOffAndInvalid(t *testing.T) {
	if sink, _, err := SinkFromPolicy(policy.Defaults(), ""); sink != nil || err != nil {
		t.Errorf("forwarding off: sink %v, err %v", sink, err)
	}
	s := policy.Defaults()
	s.Audit.Forwarding = policy.ForwardingSettings{Target: policy.ForwardFile, FilePath: "/tmp/x", PseudonymKey: "c2hvcnQ="}
	if _, _, err := SinkFromPolicy(s, ""); err == nil {
		t.Error("short pseudonym key accepted")
	}
}
