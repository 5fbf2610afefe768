package client

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"

	"golang.org/x/net/idna"

	"securemail/account"
	"securemail/crypto"
)

func accountEndpoint(host string, port int) account.Endpoint {
	return account.Endpoint{Host: host, Port: port, Security: account.ImplicitTLS}
}

// openRaw opens raw with c's keys, as OpenMessage would, and returns the
// displayed header fields and the text of every displayed part.
func openRaw(t *testing.T, c *Client, raw []byte) string {
	t.Helper()
	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	var harvested []*x509.Certificate
	r, err := c.reader(s, outerFrom(raw), &harvested)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := r.Open(raw)
	if err != nil {
		t.Fatalf("opening a sealed copy: %v", err)
	}
	if msg.Encryption != crypto.CoverageFull {
		t.Fatalf("sealed copy encryption coverage = %v, want full; problems %v", msg.Encryption, msg.Problems)
	}
	var b strings.Builder
	fields := msg.Header.Fields()
	for fields.Next() {
		b.WriteString(fields.Key() + ": " + fields.Value() + "\n")
	}
	for _, l := range msg.Root.Leaves() {
		b.Write(l.Body)
	}
	return b.String()
}

// punycodeOf returns address with its domain in ASCII form.
func punycodeOf(t *testing.T, address string) string {
	t.Helper()
	at := strings.LastIndexByte(address, '@')
	ascii, err := idna.Lookup.ToASCII(address[at+1:])
	if err != nil {
		t.Fatalf("punycode of %s: %v", address, err)
	}
	return address[:at+1] + ascii
}

// containsAny reports whether data contains any of the byte strings.
func containsAny(data []byte, needles [][]byte) bool {
	for _, n := range needles {
		if bytes.Contains(data, n) {
			return true
		}
	}
	return false
}
