package compose

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"time"

	gomail "github.com/emersion/go-message/mail"

	"securemail/crypto/pgp"
)

// interopEnv is testEnv with real OpenPGP keys made by gpg for the sender
// and one external recipient, and a Protector over crypto/pgp.
func interopEnv(t *testing.T, sender, recipient string) (*Env, *gpgHome, *gpgHome) {
	t.Helper()
	env, _ := testEnv()
	senderHome := newGPGHome(t, sender)
	recipientHome := newGPGHome(t, recipient)
	senderKey, senderFP := senderHome.publicKey(t)
	recipientKey, recipientFP := recipientHome.publicKey(t)

	env.Keys = &fakeKeys{
		pgp:   map[string]KeyStatus{sender: usable(senderFP), recipient: usable(recipientFP)},
		smime: map[string]KeyStatus{},
	}
	env.Protector = &pgpProtector{keys: map[string]*pgp.Key{sender: senderKey, recipient: recipientKey}, now: time.Now}
	return env, senderHome, recipientHome
}

func TestSealInteropGPGAndQPDF(t *testing.T) {
	env, senderHome, carolHome := interopEnv(t, "dr.ada@mercyhealth.org", "lab@partnerlab.com")
	d := testDraft("lab@partnerlab.com", "stranger@gmail.com")
	d.Attachments = []Attachment{{Name: "results.txt", ContentType: "text/plain", Data: []byte("sodium 139 mmol/L\n")}}

	r, err := Review(d, env)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Seal(d, r, confirmAll(r), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Envelopes) != 2 {
		t.Fatalf("%d envelopes, want 2", len(s.Envelopes))
	}

	inner := carolHome.decryptPGPMIME(t, s.Envelopes[0].Raw)
	for _, want := range []string{"Subject: Follow-up", "Potassium is back to normal.", "results.txt", "hp=cipher"} {
		if !strings.Contains(inner, want) {
			t.Errorf("gpg output for the recipient lacks %q:\n%s", want, inner)
		}
	}

	sent := senderHome.decryptPGPMIME(t, s.SentCopy)
	if !strings.Contains(sent, "Potassium is back to normal.") {
		t.Errorf("sender cannot read the Sent copy:\n%s", sent)
	}

	pdf := pdfAttachment(t, s.Envelopes[1].Raw)
	text := openPDF(t, pdf, s.Passwords[0].Password)
	for _, want := range []string{"Subject: Follow-up", "Potassium is back to normal."} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
}

// pdfAttachment returns the PDF attached to a message.
func pdfAttachment(t *testing.T, raw []byte) []byte {
	t.Helper()
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := p.Header.(*gomail.AttachmentHeader); ok {
			if ct, _, _ := h.ContentType(); ct == "application/pdf" {
				b, err := io.ReadAll(p.Body)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
		}
	}
	t.Fatal("message has no PDF attachment")
	return nil
}
