package compose

import (
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"securemail/crypto"
)

// fakeScanner returns a fixed PHI report.
type fakeScanner struct{ report PHIReport }

func (s *fakeScanner) Scan(PHIDocument) (PHIReport, error) { return s.report, nil }

// fakeKeys stores key status per address.
type fakeKeys struct{ pgp, smime map[string]KeyStatus }

func (k *fakeKeys) OpenPGP(a string) (KeyStatus, error) { return k.pgp[a], nil }
func (k *fakeKeys) SMIME(a string) (KeyStatus, error)   { return k.smime[a], nil }

// fakeProtector "encrypts" by base64-encoding the message behind a marker
// content type, and records each call.
type fakeProtector struct{ calls []protectCall }

type protectCall struct {
	scheme     crypto.Scheme
	recipients []string
	message    string
}

func (p *fakeProtector) Protect(scheme crypto.Scheme, recipients []string, message []byte) ([]byte, error) {
	p.calls = append(p.calls, protectCall{scheme, recipients, string(message)})
	return fmt.Appendf(nil, "Content-Type: application/x-fake-encrypted; scheme=%q\r\n\r\n%s\r\n",
		scheme, base64.StdEncoding.EncodeToString(message)), nil
}

type fakeConsents map[string]Consent

func (c fakeConsents) Consent(a string) (Consent, bool, error) {
	v, ok := c[a]
	return v, ok, nil
}

type fakeHistory struct {
	counts map[string]int
	recent []string
}

func (h *fakeHistory) SentCount(a string) (int, error) { return h.counts[a], nil }
func (h *fakeHistory) Recent(limit int) ([]string, error) {
	return h.recent[:min(limit, len(h.recent))], nil
}

type fakeContacts []Contact

func (c fakeContacts) Contacts() ([]Contact, error) { return c, nil }

var testNow = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

func usable(fp string) KeyStatus { return KeyStatus{State: KeyUsable, Fingerprint: fp} }

// testEnv is a clinic with internal domain mercyhealth.org, a sender with
// an OpenPGP key, and one contact of each kind.
func testEnv() (*Env, *fakeProtector) {
	p := &fakeProtector{}
	policy := DefaultPolicy()
	policy.InternalDomains = []string{"mercyhealth.org"}
	policy.ConsentedPlain = true
	env := &Env{
		Policy:  policy,
		Scanner: &fakeScanner{},
		Keys: &fakeKeys{
			pgp: map[string]KeyStatus{
				"dr.ada@mercyhealth.org":   usable("AAAA1111"),
				"nurse.bo@mercyhealth.org": usable("BBBB2222"),
				"lab@partnerlab.com":       usable("CCCC3333"),
				"old@partnerlab.com":       {State: KeyExpired, Fingerprint: "DDDD4444"},
			},
			smime: map[string]KeyStatus{
				"records@stjude-clinic.com": usable("EEEE5555"),
				"old@partnerlab.com":        usable("FFFF6666"),
			},
		},
		Protector: p,
		Consents: fakeConsents{
			"patient@example.net": {Address: "patient@example.net", RecordedBy: "dr.ada@mercyhealth.org",
				RecordedAt: testNow.AddDate(0, -1, 0), Expires: testNow.AddDate(1, 0, 0)},
			"expired@example.net": {Address: "expired@example.net", RecordedBy: "dr.ada@mercyhealth.org",
				RecordedAt: testNow.AddDate(-2, 0, 0), Expires: testNow.AddDate(0, 0, -1)},
		},
		History: &fakeHistory{
			counts: map[string]int{"nurse.bo@mercyhealth.org": 12, "lab@partnerlab.com": 3, "records@stjude-clinic.com": 1, "patient@example.net": 2},
			recent: []string{"lab@partnerlab.com", "records@stjude-clinic.com"},
		},
		Contacts: fakeContacts{
			{Name: "Bo Nurse", Address: "nurse.bo@mercyhealth.org"},
			{Name: "Partner Lab", Address: "lab@partnerlab.com"},
			{Name: "Dana Patient", Address: "patient@example.net"},
		},
		Now:      func() time.Time { return testNow },
		Hostname: "client.mercyhealth.org",
	}
	return env, p
}

func addr(s string) mail.Address {
	a, err := mail.ParseAddress(s)
	if err != nil {
		panic(err)
	}
	return *a
}

func addrs(list ...string) []mail.Address {
	var out []mail.Address
	for _, s := range list {
		out = append(out, addr(s))
	}
	return out
}

func testDraft(to ...string) *Draft {
	return &Draft{
		From:    addr("Dr Ada <dr.ada@mercyhealth.org>"),
		To:      addrs(to...),
		Subject: "Follow-up",
		Body:    "Potassium is back to normal.\n",
	}
}

func findingByID(r *Report, id string) (Finding, bool) {
	for _, f := range r.Findings {
		if f.ID == id {
			return f, true
		}
	}
	return Finding{}, false
}

func recipientByAddress(r *Report, a string) (RecipientReview, bool) {
	for _, rr := range r.Recipients {
		if rr.Address == a {
			return rr, true
		}
	}
	return RecipientReview{}, false
}

func kinds(r *Report) string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID)
	}
	return strings.Join(out, " ")
}
