package compose

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"

	gomail "github.com/emersion/go-message/mail"
)

func TestBuildMessageNoHeaderInjection(t *testing.T) {
	h := messageHeader{
		from:      mail.Address{Name: "Ada\r\nBcc: evil@attacker.example", Address: "dr.ada@mercyhealth.org"},
		to:        []mail.Address{{Address: "lab@partnerlab.com"}},
		subject:   "Results\r\nBcc: evil@attacker.example",
		date:      testNow,
		messageID: "1@mercyhealth.org",
	}
	raw, err := buildMessage(h.header(h.subject, false), "body\n",
		[]Attachment{{Name: "a\r\nBcc: evil@attacker.example.txt", Data: []byte("x")}})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("\r\nBcc:")) || bytes.Contains(raw, []byte("\nBcc:")) {
		t.Fatalf("a header field was injected:\n%s", raw)
	}

	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := mr.Header.Subject()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(subject, "Results") {
		t.Errorf("subject = %q, want the encoded original", subject)
	}
	if bcc, _ := mr.Header.AddressList("Bcc"); len(bcc) != 0 {
		t.Errorf("Bcc = %v, want none", bcc)
	}
}

func TestBuildMessageUnicode(t *testing.T) {
	h := messageHeader{
		from:      mail.Address{Name: "Zoë Müller", Address: "zoe@mercyhealth.org"},
		to:        []mail.Address{{Name: "Ιωάννης", Address: "lab@partnerlab.com"}},
		subject:   "Résultats – 検査",
		date:      testNow,
		messageID: "2@mercyhealth.org",
	}
	raw, err := buildMessage(h.header(h.subject, false), "Grüße, 検査\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := mr.Header.Subject(); s != h.subject {
		t.Errorf("subject = %q, want %q", s, h.subject)
	}
	from, _ := mr.Header.AddressList("From")
	if len(from) != 1 || from[0].Name != "Zoë Müller" {
		t.Errorf("From = %v, want Zoë Müller", from)
	}
	for _, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) > 998 {
			t.Errorf("line of %d octets exceeds the RFC 5322 limit of 998", len(line))
		}
	}
}
