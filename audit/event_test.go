package audit

import (
	"errors"
	"strings"
	"testing"

	"securemail/policy"
)

func TestConstructorsBuildValidEvents(t *testing.T) {
	key := KeyInfo{Fingerprint: "0123456789ABCDEF0123456789ABCDEF01234567", Address: "lab@partner.example.net", Type: "openpgp", Trust: "verified"}
	events := []Event{
		VaultUnlocked("keyring"),
		VaultLocked("idle"),
		UnlockFailed("wrong-passphrase"),
		AccountAdded("dr.grey@clinic.example.org"),
		AccountChanged("dr.grey@clinic.example.org", []string{"imap.host", "oauth"}),
		sampleSent(1),
		MessageOpened("dr.grey@clinic.example.org", "<a@b.example>"),
		MessageDecrypted("dr.grey@clinic.example.org", "<a@b.example>", "smime"),
		MessageResendRequested("dr.grey@clinic.example.org", "<a@b.example>", "uncertain"),
		MessageResendRequested("dr.grey@clinic.example.org", "", "failed"),
		MessageDiscarded("dr.grey@clinic.example.org", "<a@b.example>", "failed"),
		MessageDiscarded("dr.grey@clinic.example.org", "<a@b.example>", "queued"),
		MessageHeld("dr.grey@clinic.example.org", "<a@b.example>", "uncertain"),
		AttachmentSaved("dr.grey@clinic.example.org", "<a@b.example>", ".pdf", 10, true),
		AttachmentSaved("dr.grey@clinic.example.org", "<a@b.example>", "", 10, false),
		KeyEvent(KindKeyGenerated, key),
		KeyEvent(KindKeyImported, key),
		KeyEvent(KindKeyExported, key),
		KeyEvent(KindKeyTrusted, key),
		KeyEvent(KindKeyChanged, key),
		ConsentRecorded("dr.grey@clinic.example.org", "patient@example.com", "plain-mail"),
		PolicyLoaded([]string{"/etc/securemail/policy.json", `HKLM\Software\Policies\SecureMail`}),
		PolicyRejected("/etc/securemail/policy.json", []string{`settings.idleLock.minuts: unknown key "minuts"`}, true),
		PolicyChanged([]string{"idleLock.minutes"}, "user"),
	}
	for _, e := range events {
		if err := e.Validate(); err != nil {
			t.Errorf("%s: %v", e.Kind, err)
		}
	}
}

func TestValidateRejectsMessageText(t *testing.T) {
	subject := "Biopsy results for Jane Doe"
	cases := map[string]Event{
		"display name":        AccountAdded("Jane Doe <jane@example.com>"),
		"not an address":      AccountAdded(subject),
		"subject as reason":   VaultLocked(subject),
		"subject as method":   MessageSent(Sent{Recipients: []Recipient{{Address: "a@example.com", Method: subject}}}),
		"subject as finding":  MessageSent(Sent{Findings: []Finding{{Kind: subject, Count: 1}}}),
		"subject as confirm":  MessageSent(Sent{Confirmations: []string{subject}}),
		"subject as override": MessageSent(Sent{Overrides: []string{subject}}),
		"file name as ext":    AttachmentSaved("a@example.com", "<a@b.example>", "Jane Doe biopsy.pdf", 1, false),
		"bad message id":      MessageOpened("a@example.com", subject),
		"bad fingerprint":     KeyEvent(KindKeyImported, KeyInfo{Fingerprint: "Jane Doe", Type: "openpgp"}),
		"subject as scope":    ConsentRecorded("a@example.com", "b@example.com", subject),
		"unknown kind":        {Kind: "message.subject"},
		"long justification":  MessageSent(Sent{Justification: strings.Repeat("x", maxJustification+1)}),
		"negative size":       AttachmentSaved("a@example.com", "<a@b.example>", ".pdf", -1, false),
		"key event sans key":  {Kind: KindKeyTrusted},
		"sent sans recipient": MessageSent(Sent{MessageID: "<a@b.example>"}),
		"subject as kind":     {Kind: Kind(subject)},
		"resend sans state":   MessageResendRequested("a@example.com", "<a@b.example>", ""),
		"resend odd state":    MessageResendRequested("a@example.com", "<a@b.example>", "queued"),
		"resend subject id":   MessageResendRequested("a@example.com", subject, "uncertain"),
		"discard subject":     MessageDiscarded("a@example.com", "<a@b.example>", subject),
		"discard display":     MessageDiscarded("Jane Doe <jane@example.com>", "<a@b.example>", "failed"),
		"held sans state":     MessageHeld("a@example.com", "<a@b.example>", ""),
		"held queued":         MessageHeld("a@example.com", "<a@b.example>", "queued"),
		"held subject":        MessageHeld("a@example.com", "<a@b.example>", subject),
	}
	for name, e := range cases {
		err := e.Validate()
		if !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("%s: err = %v, want ErrInvalidEvent", name, err)
			continue
		}
		for _, word := range []string{"Jane", "Biopsy", "Doe"} {
			if strings.Contains(err.Error(), word) {
				t.Errorf("%s: error message repeats the value: %v", name, err)
			}
		}
	}
}

func TestPseudonymNormalises(t *testing.T) {
	key := orgKey
	if Pseudonym(key, DomainAddress, "Lab@Partner.example.net") != Pseudonym(key, DomainAddress, "lab@partner.example.net") {
		t.Error("address pseudonym depends on case")
	}
	if Pseudonym(key, DomainMessageID, "<x@y>") != Pseudonym(key, DomainMessageID, "x@y") {
		t.Error("Message-ID pseudonym depends on angle brackets")
	}
	if Pseudonym(key, DomainAddress, "x@y") == Pseudonym(key, DomainMessageID, "x@y") {
		t.Error("domains share pseudonyms")
	}
	other := append([]byte(nil), key...)
	other[0] ^= 1
	if Pseudonym(key, DomainAddress, "x@y") == Pseudonym(other, DomainAddress, "x@y") {
		t.Error("pseudonym does not depend on the key")
	}
	if p := Pseudonym(key, DomainAddress, "x@y"); !strings.HasPrefix(p, "ps1:") || len(p) != 4+32 {
		t.Errorf("pseudonym %q has the wrong form", p)
	}
}

func TestPolicyEventsAfterFallBack(t *testing.T) {
	report := policy.Report{
		Rejections: []policy.Rejection{{Source: policy.SourceManaged, Origin: "/etc/securemail/policy.json", Reason: "invalid policy: settings.x: unknown key"}},
		Applied:    []string{},
	}
	events := PolicyEvents(report, true)
	if len(events) != 2 || events[0].Kind != KindPolicyRejected || events[0].Reason != "fallback-to-defaults" || events[1].Kind != KindPolicyLoaded {
		t.Fatalf("events = %+v", events)
	}
	for _, e := range events {
		if err := e.Validate(); err != nil {
			t.Errorf("%s: %v", e.Kind, err)
		}
	}
}

func TestHeldDecisionPseudonymised(t *testing.T) {
	for _, e := range []Event{
		MessageResendRequested("dr.grey@clinic.example.org", "<held@clinic.example.org>", "uncertain"),
		MessageDiscarded("dr.grey@clinic.example.org", "<held@clinic.example.org>", "failed"),
	} {
		out, _ := Pseudonymise(e, orgKey)
		if out.MessageID != Pseudonym(orgKey, DomainMessageID, e.MessageID) {
			t.Errorf("%s: forwarded Message-ID = %q, want its pseudonym", e.Kind, out.MessageID)
		}
		if out.Account != Pseudonym(orgKey, DomainAddress, e.Account) {
			t.Errorf("%s: forwarded account = %q, want its pseudonym", e.Kind, out.Account)
		}
		if out.Reason != e.Reason {
			t.Errorf("%s: forwarded reason = %q, want %q", e.Kind, out.Reason, e.Reason)
		}
	}
}
