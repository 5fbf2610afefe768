package compose

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	gomail "github.com/emersion/go-message/mail"

	"securemail/crypto"
)

// confirmAll returns answers that confirm every finding of r.
func confirmAll(r *Report) Answers {
	return Answers{Confirmed: r.Confirmations(), Justification: "needed for the referral"}
}

func TestSealMixedGroups(t *testing.T) {
	env, protector := testEnv()
	d := testDraft("nurse.bo@mercyhealth.org", "lab@partnerlab.com", "records@stjude-clinic.com", "stranger@gmail.com")
	d.Cc = addrs("old@partnerlab.com")
	d.Bcc = addrs("Bo Two <bo2@mercyhealth.org>", "patient@example.net")
	env.Keys.(*fakeKeys).pgp["bo2@mercyhealth.org"] = usable("99990000")
	d.Attachments = []Attachment{{Name: "lab.txt", ContentType: "text/plain", Data: []byte("sodium 139\n")}}
	d.InReplyTo = "orig-1@partnerlab.com"

	r, err := Review(d, env)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Seal(d, r, confirmAll(r), env)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}

	type group struct {
		method     Method
		recipients string
	}
	var got []group
	for _, e := range s.Envelopes {
		got = append(got, group{e.Method, strings.Join(e.Recipients, ",")})
	}
	want := []group{
		{MethodOpenPGP, "nurse.bo@mercyhealth.org,lab@partnerlab.com"},
		{MethodSMIME, "records@stjude-clinic.com,old@partnerlab.com"},
		{MethodPasswordPDF, "stranger@gmail.com"},
		{MethodOpenPGP, "bo2@mercyhealth.org"},
		{MethodPasswordPDF, "patient@example.net"},
	}
	if len(got) != len(want) {
		t.Fatalf("envelopes = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("envelope %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	// Protector calls: OpenPGP group, S/MIME group, Bcc OpenPGP alone, Sent copy.
	if len(protector.calls) != 4 {
		t.Fatalf("Protector called %d times, want 4", len(protector.calls))
	}
	sent := protector.calls[3]
	if sent.scheme != crypto.SchemeOpenPGP || strings.Join(sent.recipients, ",") != "dr.ada@mercyhealth.org" {
		t.Errorf("Sent copy encrypted with %v for %v, want OpenPGP for the sender", sent.scheme, sent.recipients)
	}
	if !strings.Contains(sent.message, "Bcc: ") {
		t.Error("Sent copy lacks the Bcc field")
	}
	for _, c := range protector.calls[:3] {
		if strings.Contains(c.message, "Bcc") || strings.Contains(c.message, "bo2@") {
			t.Errorf("message for %v reveals Bcc recipients", c.recipients)
		}
		if !strings.Contains(c.message, "Subject: Follow-up") {
			t.Errorf("inner message for %v lacks the real subject", c.recipients)
		}
	}

	for _, e := range s.Envelopes {
		raw := string(e.Raw)
		if !strings.Contains(raw, "Message-Id: <"+s.MessageID+">") {
			t.Errorf("envelope for %v lacks Message-Id %s", e.Recipients, s.MessageID)
		}
		if !strings.Contains(raw, "In-Reply-To: <orig-1@partnerlab.com>") {
			t.Errorf("envelope for %v lacks In-Reply-To", e.Recipients)
		}
		if strings.Contains(raw, "Potassium") || strings.Contains(raw, "Follow-up") || strings.Contains(raw, "sodium") {
			t.Errorf("envelope for %v (%v) carries message content in the clear", e.Recipients, e.Method)
		}
		if e.Method == MethodOpenPGP || e.Method == MethodSMIME {
			if !strings.Contains(raw, "Subject: "+crypto.ObscuredSubject) {
				t.Errorf("encrypted envelope for %v does not hide the subject", e.Recipients)
			}
		}
	}

	if len(s.Passwords) != 2 {
		t.Fatalf("%d PDF passwords, want 2", len(s.Passwords))
	}
	for _, p := range s.Passwords {
		for _, e := range s.Envelopes {
			if strings.Contains(string(e.Raw), p.Password) || strings.Contains(string(e.Raw), strings.ReplaceAll(p.Password, "-", "")) {
				t.Errorf("password of %s appears in the envelope for %v", p.Recipient, e.Recipients)
			}
		}
		for _, c := range protector.calls {
			if strings.Contains(c.message, p.Password) {
				t.Errorf("password of %s appears in the encrypted message for %v", p.Recipient, c.recipients)
			}
		}
	}
	if s.Passwords[0].Password == s.Passwords[1].Password {
		t.Error("two PDF recipients got the same password")
	}
}

func TestSealPDFNotice(t *testing.T) {
	env, _ := testEnv()
	d := testDraft("stranger@gmail.com", "other@gmail.com")
	r, _ := Review(d, env)
	s, err := Seal(d, r, confirmAll(r), env)
	if err != nil {
		t.Fatal(err)
	}
	e := s.Envelopes[0]
	mr, err := gomail.CreateReader(bytes.NewReader(e.Raw))
	if err != nil {
		t.Fatal(err)
	}
	to, _ := mr.Header.AddressList("To")
	if len(to) != 1 || to[0].Address != "stranger@gmail.com" {
		t.Errorf("notice To = %v, want only stranger@gmail.com", to)
	}
	subject, _ := mr.Header.Subject()
	if subject != "Protected message from Dr Ada" {
		t.Errorf("notice subject = %q, want the generic one", subject)
	}

	var text string
	var pdf []byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *gomail.InlineHeader:
			text = string(b)
		case *gomail.AttachmentHeader:
			if ct, _, _ := h.ContentType(); ct == "application/pdf" {
				pdf = b
			}
		}
	}
	if !strings.Contains(text, "protected message") || !strings.Contains(text, "does not come by email") {
		t.Errorf("notice text = %q, want it to say the PDF is protected and the password comes separately", text)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-2.0")) {
		t.Errorf("attachment does not start like a PDF 2.0 file: %q", pdf[:min(len(pdf), 16)])
	}
	if bytes.Contains(pdf, []byte("Potassium")) {
		t.Error("PDF carries the body in the clear")
	}
}

func TestSealConsentedPlain(t *testing.T) {
	env, protector := testEnv()
	env.Policy.PasswordPDF = false
	d := testDraft("patient@example.net")
	r, _ := Review(d, env)
	s, err := Seal(d, r, confirmAll(r), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Envelopes) != 1 || s.Envelopes[0].Method != MethodPlain {
		t.Fatalf("envelopes = %+v, want one plain envelope", s.Envelopes)
	}
	if !strings.Contains(string(s.Envelopes[0].Raw), "Potassium") {
		t.Error("consented plain message lacks its body")
	}
	if len(protector.calls) != 1 || protector.calls[0].recipients[0] != "dr.ada@mercyhealth.org" {
		t.Errorf("Protector calls = %d, want only the Sent copy", len(protector.calls))
	}
	encoded := strings.TrimSpace(strings.SplitN(string(s.SentCopy), "\r\n\r\n", 2)[1])
	inner, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || !strings.Contains(string(inner), "Potassium") {
		t.Errorf("Sent copy does not decode to the message: %v", err)
	}
}

func TestSealRejectsBlocked(t *testing.T) {
	env, _ := testEnv()
	env.Policy.PasswordPDF = false
	d := testDraft("stranger@gmail.com")
	r, _ := Review(d, env)
	_, err := Seal(d, r, confirmAll(r), env)
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("Seal with a recipient without method: err = %v, want ErrBlocked", err)
	}
	if !strings.Contains(err.Error(), "no-method:stranger@gmail.com") {
		t.Errorf("error %q does not name the blocking finding", err)
	}
}

func TestSealRejectsMissingConfirmation(t *testing.T) {
	env, _ := testEnv()
	d := testDraft("stranger@gmail.com")
	r, _ := Review(d, env)
	a := confirmAll(r)
	a.Confirmed = a.Confirmed[1:]
	if _, err := Seal(d, r, a, env); !errors.Is(err, ErrNotConfirmed) {
		t.Fatalf("err = %v, want ErrNotConfirmed", err)
	}
	a.Confirmed = append(a.Confirmed, "made-up-id")
	if _, err := Seal(d, r, a, env); !errors.Is(err, ErrNotConfirmed) {
		t.Fatalf("err with an unknown ID in place of a real one = %v, want ErrNotConfirmed", err)
	}
}

func TestSealRejectsChangedDraft(t *testing.T) {
	env, _ := testEnv()
	d := testDraft("nurse.bo@mercyhealth.org")
	r, _ := Review(d, env)

	changes := map[string]func(d *Draft){
		"body":       func(d *Draft) { d.Body += "x" },
		"bcc":        func(d *Draft) { d.Bcc = addrs("stranger@gmail.com") },
		"attachment": func(d *Draft) { d.Attachments = []Attachment{{Name: "a", Data: []byte("b")}} },
		"subject":    func(d *Draft) { d.Subject = "Other" },
		"reply-all":  func(d *Draft) { d.ReplyAll = true },
	}
	for name, change := range changes {
		changed := *d
		change(&changed)
		if _, err := Seal(&changed, r, confirmAll(r), env); !errors.Is(err, ErrDraftChanged) {
			t.Errorf("%s changed: err = %v, want ErrDraftChanged", name, err)
		}
	}
}

func TestSealRejectsStaleReview(t *testing.T) {
	env, _ := testEnv()
	d := testDraft("lab@partnerlab.com")
	r, _ := Review(d, env)
	env.Keys.(*fakeKeys).pgp["lab@partnerlab.com"] = KeyStatus{State: KeyRevoked, Fingerprint: "CCCC3333"}
	if _, err := Seal(d, r, confirmAll(r), env); !errors.Is(err, ErrReviewStale) {
		t.Fatalf("key revoked after review: err = %v, want ErrReviewStale", err)
	}
}

func TestSealRejectsForgedReport(t *testing.T) {
	env, _ := testEnv()
	env.Policy.PasswordPDF = false
	d := testDraft("stranger@gmail.com")
	r, _ := Review(d, env)
	forged := &Report{DraftHash: r.DraftHash, Sender: r.Sender, SentCopy: r.SentCopy}
	if _, err := Seal(d, forged, Answers{}, env); !errors.Is(err, ErrReviewStale) {
		t.Fatalf("report without its findings: err = %v, want ErrReviewStale", err)
	}
}

func TestSealAuditHasNoContent(t *testing.T) {
	env, _ := testEnv()
	env.Scanner = &fakeScanner{report: PHIReport{Level: SensitivityHigh, Findings: []PHIFinding{
		{Kind: "ssn", Location: InBody, Excerpt: "***-**-6789"},
		{Kind: "mrn", Location: InAttachment, Attachment: 0, Excerpt: "MRN ****321"},
	}}}
	d := testDraft("lab@partnerlab.com")
	d.Subject = "Secret subject"
	d.Attachments = []Attachment{{Name: "jane-doe-labs.txt", Data: []byte("x")}}

	r, _ := Review(d, env)
	s, err := Seal(d, r, Answers{Confirmed: r.Confirmations(), Justification: "referral to partner lab"}, env)
	if err != nil {
		t.Fatal(err)
	}

	a := s.Audit
	if a.PHIKinds["ssn"] != 1 || a.PHIKinds["mrn"] != 1 {
		t.Errorf("audit PHI kinds = %v, want one ssn and one mrn", a.PHIKinds)
	}
	if a.Justification != "referral to partner lab" {
		t.Errorf("audit justification = %q", a.Justification)
	}
	if len(a.Recipients) != 1 || a.Recipients[0].Fingerprint != "CCCC3333" || a.Recipients[0].Method != MethodOpenPGP {
		t.Errorf("audit recipients = %+v, want lab@partnerlab.com by OpenPGP with CCCC3333", a.Recipients)
	}
	if a.PHIAction != ActionJustify {
		t.Errorf("audit PHI action = %v, want justify", a.PHIAction)
	}

	// The random Message-ID and the hash could contain any digits.
	a.MessageID, a.DraftHash = "", ""
	dump := fmt.Sprintf("%+v", a)
	for _, secret := range []string{"Secret subject", "Potassium", "jane-doe", "6789", "321"} {
		if strings.Contains(dump, secret) {
			t.Errorf("audit summary contains %q", secret)
		}
	}
}

func TestSealWritesASCIIDomains(t *testing.T) {
	env, _ := testEnv()
	d := testDraft("Zoë <zoe@bücher.example>")
	r, _ := Review(d, env)
	s, err := Seal(d, r, confirmAll(r), env)
	if err != nil {
		t.Fatal(err)
	}
	raw := string(s.Envelopes[0].Raw)
	if !strings.Contains(raw, "zoe@xn--bcher-kva.example") {
		t.Errorf("header lacks the punycode domain:\n%s", raw[:min(len(raw), 600)])
	}
	if got := strings.Join(s.Envelopes[0].Recipients, ","); got != "zoe@xn--bcher-kva.example" {
		t.Errorf("SMTP recipients = %s, want the punycode address", got)
	}
}
