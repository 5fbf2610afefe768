package compose

import (
	"net/mail"
	"strings"
	"testing"
)

func TestReviewMixedWithPasswordPDF(t *testing.T) {
	env, _ := testEnv()
	d := testDraft("nurse.bo@mercyhealth.org", "lab@partnerlab.com", "records@stjude-clinic.com",
		"old@partnerlab.com", "stranger@gmail.com", "patient@example.net")

	r, err := Review(d, env)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Method{
		"nurse.bo@mercyhealth.org":  MethodOpenPGP,
		"lab@partnerlab.com":        MethodOpenPGP,
		"records@stjude-clinic.com": MethodSMIME,
		"old@partnerlab.com":        MethodSMIME,
		"stranger@gmail.com":        MethodPasswordPDF,
		"patient@example.net":       MethodPasswordPDF, // the PDF comes before consented plain mail
	}
	if len(r.Recipients) != len(want) {
		t.Fatalf("review has %d recipients, want %d", len(r.Recipients), len(want))
	}
	for a, m := range want {
		rr, ok := recipientByAddress(r, a)
		if !ok {
			t.Errorf("recipient %s missing from the review", a)
			continue
		}
		if rr.Method != m {
			t.Errorf("method of %s = %v (%s), want %v", a, rr.Method, rr.Reason, m)
		}
	}
	if r.Blocked() {
		t.Errorf("review blocked: %s", kinds(r))
	}
	for _, id := range []string{"password-pdf:stranger@gmail.com", "first-contact:stranger@gmail.com", "key:OpenPGP key:old@partnerlab.com"} {
		if _, ok := findingByID(r, id); !ok {
			t.Errorf("finding %s missing; have %s", id, kinds(r))
		}
	}
	if _, ok := findingByID(r, "first-contact:nurse.bo@mercyhealth.org"); ok {
		t.Error("internal colleague reported as a first contact")
	}
	rr, _ := recipientByAddress(r, "nurse.bo@mercyhealth.org")
	if !rr.Internal || rr.OpenPGP.Fingerprint != "BBBB2222" {
		t.Errorf("nurse.bo: internal=%t fingerprint=%q, want internal with BBBB2222", rr.Internal, rr.OpenPGP.Fingerprint)
	}
}

func TestReviewMixedWithConsentedPlain(t *testing.T) {
	env, _ := testEnv()
	env.Policy.PasswordPDF = false
	d := testDraft("lab@partnerlab.com", "records@stjude-clinic.com", "patient@example.net",
		"expired@example.net", "stranger@gmail.com")

	r, err := Review(d, env)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Method{
		"lab@partnerlab.com":        MethodOpenPGP,
		"records@stjude-clinic.com": MethodSMIME,
		"patient@example.net":       MethodPlain,
		"expired@example.net":       MethodNone,
		"stranger@gmail.com":        MethodNone,
	}
	for a, m := range want {
		rr, _ := recipientByAddress(r, a)
		if rr.Method != m {
			t.Errorf("method of %s = %v (%s), want %v", a, rr.Method, rr.Reason, m)
		}
	}

	patient, _ := recipientByAddress(r, "patient@example.net")
	if patient.Consent == nil || patient.Consent.RecordedBy != "dr.ada@mercyhealth.org" {
		t.Errorf("patient consent = %+v, want the recorded consent", patient.Consent)
	}
	expired, _ := recipientByAddress(r, "expired@example.net")
	if !strings.Contains(expired.Reason, "expired") {
		t.Errorf("reason for expired consent = %q, want it to say the consent expired", expired.Reason)
	}
	stranger, _ := recipientByAddress(r, "stranger@gmail.com")
	if !strings.Contains(stranger.Reason, "no patient consent") {
		t.Errorf("reason without consent = %q, want it to say no consent is recorded", stranger.Reason)
	}
	if !r.Blocked() {
		t.Error("review not blocked although two recipients have no method")
	}
	for _, id := range []string{"no-method:expired@example.net", "no-method:stranger@gmail.com", "plain:patient@example.net"} {
		if _, ok := findingByID(r, id); !ok {
			t.Errorf("finding %s missing; have %s", id, kinds(r))
		}
	}
}

func TestReviewPlainNeedsPolicy(t *testing.T) {
	env, _ := testEnv()
	env.Policy.PasswordPDF = false
	env.Policy.ConsentedPlain = false

	r, err := Review(testDraft("patient@example.net"), env)
	if err != nil {
		t.Fatal(err)
	}
	rr, _ := recipientByAddress(r, "patient@example.net")
	if rr.Method != MethodNone {
		t.Errorf("method = %v, want none when policy forbids plain mail despite consent", rr.Method)
	}
	if !strings.Contains(rr.Reason, "does not allow unencrypted mail") {
		t.Errorf("reason = %q, want it to name the policy", rr.Reason)
	}
}

func TestReviewConsentForOtherAddress(t *testing.T) {
	env, _ := testEnv()
	env.Policy.PasswordPDF = false
	env.Consents = fakeConsents{"patient@example.net": {Address: "someone@else.net", RecordedBy: "x", RecordedAt: testNow}}

	r, err := Review(testDraft("patient@example.net"), env)
	if err != nil {
		t.Fatal(err)
	}
	if rr, _ := recipientByAddress(r, "patient@example.net"); rr.Method != MethodNone {
		t.Errorf("method = %v, want none for a consent recorded for another address", rr.Method)
	}
}

func TestReviewLookalikeRecipients(t *testing.T) {
	env, _ := testEnv()
	cases := map[string]string{
		"nurse.bo@mercyheatlh.org":   "is 1 letter(s) away from mercyhealth.org",
		"nurse.bo@mеrcyhealth.org":   "uses different characters",
		"lab@partnerlab.co":          "under another ending",
		"lab@partner-lab.com":        "only in hyphens",
		"lab@partnerlab-results.com": "extra words",
		"x@stjude-cIinic.com":        "uses different characters",
	}
	for address, want := range cases {
		r, err := Review(testDraft(address), env)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Recipients) != 1 {
			t.Fatalf("%s: %d recipients, want 1", address, len(r.Recipients))
		}
		f, ok := findingByID(r, "lookalike:"+r.Recipients[0].Address)
		if !ok {
			t.Errorf("%s: no lookalike finding; have %s", address, kinds(r))
			continue
		}
		if !strings.Contains(f.Explanation, want) || !f.Confirm || f.Severity != SeverityDanger {
			t.Errorf("%s: finding %+v, want a confirmed danger explaining %q", address, f, want)
		}
	}
}

func TestReviewPunycodeShown(t *testing.T) {
	env, _ := testEnv()
	r, err := Review(testDraft("nurse.bo@xn--mrcyhealth-ksi.org"), env)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := findingByID(r, "lookalike:nurse.bo@xn--mrcyhealth-ksi.org")
	if !ok {
		t.Fatalf("no lookalike finding; have %s", kinds(r))
	}
	if !strings.Contains(f.Explanation, "xn--mrcyhealth-ksi.org") || !strings.Contains(f.Explanation, "mеrcyhealth.org") {
		t.Errorf("explanation %q, want both the Unicode and the punycode form", f.Explanation)
	}
}

func TestReviewDisplayNameOfOtherContact(t *testing.T) {
	env, _ := testEnv()
	r, err := Review(testDraft("Bo Nurse <bo.nurse.private@gmail.com>"), env)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := findingByID(r, "display-name:bo.nurse.private@gmail.com")
	if !ok {
		t.Fatalf("no display-name finding; have %s", kinds(r))
	}
	if !strings.Contains(f.Explanation, "nurse.bo@mercyhealth.org") {
		t.Errorf("explanation %q, want the contact's real address", f.Explanation)
	}

	r, err = Review(testDraft("Bo Nurse <nurse.bo@mercyhealth.org>"), env)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := findingByID(r, "display-name:nurse.bo@mercyhealth.org"); ok {
		t.Error("display-name finding for the contact's own address")
	}
}

func TestReviewReplyAllAddsExternal(t *testing.T) {
	env, _ := testEnv()
	d := testDraft("nurse.bo@mercyhealth.org", "lab@partnerlab.com", "stranger@gmail.com")
	d.ReplyAll = true
	d.OriginalRecipients = []string{"nurse.bo@mercyhealth.org", "LAB@partnerlab.com", "dr.ada@mercyhealth.org"}

	r, err := Review(d, env)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := findingByID(r, string(KindReplyAll))
	if !ok {
		t.Fatalf("no reply-all finding; have %s", kinds(r))
	}
	if !strings.Contains(f.Explanation, "2 address(es)") || !strings.Contains(f.Explanation, "Not on the original message: stranger@gmail.com.") {
		t.Errorf("explanation %q, want 2 external addresses and stranger@gmail.com as added", f.Explanation)
	}

	d.ReplyAll = false
	r, _ = Review(d, env)
	if _, ok := findingByID(r, string(KindReplyAll)); ok {
		t.Error("reply-all finding on a draft that is no reply to all")
	}
}

func TestReviewBulkExternalSuggestsBcc(t *testing.T) {
	env, _ := testEnv()
	env.Policy.BulkExternalThreshold = 3
	d := testDraft("a@one.example", "b@two.example", "nurse.bo@mercyhealth.org")
	d.Bcc = addrs("c@three.example")

	r, _ := Review(d, env)
	if _, ok := findingByID(r, string(KindBulkExternal)); ok {
		t.Error("bulk finding for 2 external addresses in To and Cc with threshold 3")
	}

	d.Cc = addrs("d@four.example")
	r, _ = Review(d, env)
	f, ok := findingByID(r, string(KindBulkExternal))
	if !ok || !strings.Contains(f.Explanation, "3 external addresses") || !f.Confirm {
		t.Errorf("bulk finding = %+v, %t, want a confirmation for 3 external addresses", f, ok)
	}
}

func TestReviewDeduplicatesAndOrders(t *testing.T) {
	env, _ := testEnv()
	d := testDraft("stranger@gmail.com", "nurse.bo@mercyheatlh.org")
	d.To = append(d.To, mail.Address{Address: "bad address"})
	d.Cc = addrs("Stranger@GMAIL.com")
	d.Bcc = addrs("stranger@gmail.com")

	r, err := Review(d, env)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rr := range r.Recipients {
		if rr.Address == "stranger@gmail.com" {
			n++
			if rr.Field != "To" {
				t.Errorf("duplicate kept field %s, want To", rr.Field)
			}
		}
	}
	if n != 1 {
		t.Errorf("stranger@gmail.com listed %d times, want once", n)
	}

	seen := map[string]bool{}
	for i, f := range r.Findings {
		if seen[f.ID] {
			t.Errorf("finding %s repeated", f.ID)
		}
		seen[f.ID] = true
		if i > 0 && f.Severity > r.Findings[i-1].Severity {
			t.Errorf("finding %s (%v) after %s (%v): not ordered by severity", f.ID, f.Severity, r.Findings[i-1].ID, r.Findings[i-1].Severity)
		}
		if f.Explanation == "" {
			t.Errorf("finding %s has no explanation", f.ID)
		}
	}
	if _, ok := findingByID(r, "invalid:bad address"); !ok {
		t.Errorf("no finding for the invalid address; have %s", kinds(r))
	}
	if !r.Blocked() {
		t.Error("review with an invalid address is not blocked")
	}
}

func TestReviewNoRecipientsBlocks(t *testing.T) {
	env, _ := testEnv()
	r, err := Review(testDraft(), env)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := findingByID(r, string(KindNoRecipients)); !ok || !r.Blocked() {
		t.Errorf("draft without recipients: findings %s, want a blocking no-recipients finding", kinds(r))
	}
}

func TestReviewSenderWithoutKeyBlocks(t *testing.T) {
	env, _ := testEnv()
	d := testDraft("nurse.bo@mercyhealth.org")
	d.From = addr("intern@mercyhealth.org")

	r, err := Review(d, env)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := findingByID(r, string(KindNoSentCopyKey)); !ok || f.Severity != SeverityBlocking {
		t.Errorf("sender without key: findings %s, want a blocking no-sent-copy-key finding", kinds(r))
	}
}

func TestReviewInvalidSenderFails(t *testing.T) {
	env, _ := testEnv()
	d := testDraft("nurse.bo@mercyhealth.org")
	d.From.Address = "not-an-address"
	if _, err := Review(d, env); err == nil {
		t.Error("Review with an invalid sender succeeded")
	}
}

func TestReviewLookalikeBlocksByPolicy(t *testing.T) {
	env, _ := testEnv()
	env.Policy.LookalikeWarnOnly = false
	r, err := Review(testDraft("nurse.bo@mercyheatlh.org"), env)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := findingByID(r, "lookalike:nurse.bo@mercyheatlh.org")
	if !ok || f.Severity != SeverityBlocking || f.Confirm {
		t.Errorf("lookalike finding = %+v, %t, want blocking without confirmation", f, ok)
	}
}

func TestReviewDisabledSchemes(t *testing.T) {
	env, _ := testEnv()
	env.Policy.OpenPGPDisabled = true
	r, err := Review(testDraft("lab@partnerlab.com", "records@stjude-clinic.com"), env)
	if err != nil {
		t.Fatal(err)
	}
	if rr, _ := recipientByAddress(r, "lab@partnerlab.com"); rr.Method != MethodPasswordPDF {
		t.Errorf("OpenPGP disabled: method of a keyed recipient = %v, want the PDF", rr.Method)
	}

	env.Policy.SMIMEDisabled = true
	env.Policy.PasswordPDF = false
	env.Policy.ConsentedPlain = false
	r, _ = Review(testDraft("records@stjude-clinic.com"), env)
	if rr, _ := recipientByAddress(r, "records@stjude-clinic.com"); rr.Method != MethodNone {
		t.Errorf("all schemes disabled: method = %v, want none", rr.Method)
	}
}

func TestValidMessageID(t *testing.T) {
	for id, want := range map[string]bool{
		"abc.123@lab.test":              true,
		"a+b=c!#$%&'*/?^_`{|}~@x.test":  true,
		"x@[192.0.2.1]":                 true,
		"":                              false,
		"no-at-sign":                    false,
		"@lab.test":                     false,
		"abc@":                          false,
		"a@b@c":                         false,
		"abc@lab.test>\r\nX-Bad: v":     false,
		"abc def@lab.test":              false,
		"<abc@lab.test>":                false,
		"abc@lab.test\n":                false,
		"résumé@lab.test":               false,
		"a\"b@lab.test":                 false,
		strings.Repeat("a", 900) + "@x": false,
	} {
		if got := ValidMessageID(id); got != want {
			t.Errorf("ValidMessageID(%q) = %v, expected %v", id, got, want)
		}
	}
}

// TestReviewRejectsBrokenReference rejects a reply whose In-Reply-To or
// References carries a line break, as a hostile original message could
// supply, with an error naming the field.
func TestReviewRejectsBrokenReference(t *testing.T) {
	const broken = "abc@lab.test>\r\nX-Injected: v\r\nX-Dummy: <x@lab.test"
	env, _ := testEnv()

	d := testDraft("lab@partnerlab.com")
	d.InReplyTo = broken
	if _, err := Review(d, env); err == nil || !strings.Contains(err.Error(), "In-Reply-To") {
		t.Errorf("Review with a broken In-Reply-To: %v, expected an error naming In-Reply-To", err)
	}

	d = testDraft("lab@partnerlab.com")
	d.InReplyTo = "good@lab.test"
	d.References = []string{"older@lab.test", broken}
	if _, err := Review(d, env); err == nil || !strings.Contains(err.Error(), "References") {
		t.Errorf("Review with a broken References entry: %v, expected an error naming References", err)
	}

	d.References = []string{"older@lab.test"}
	if _, err := Review(d, env); err != nil {
		t.Errorf("Review with valid references: %v", err)
	}
}

// TestSenderLookalike checks the warning for received mail: a sender
// domain that imitates an internal or contact domain is named, a real
// one and an unparsable address are not.
func TestSenderLookalike(t *testing.T) {
	env, _ := testEnv()
	for from, want := range map[string]string{
		"results@mercyheatlh.org":  "is 1 letter(s) away from mercyhealth.org",
		"it@mеrcyhealth.org":       "uses different characters",
		"nurse.bo@mercyhealth.org": "",
		"not an address":           "",
	} {
		got, err := SenderLookalike(from, env)
		if err != nil {
			t.Fatal(err)
		}
		if want == "" && got != "" {
			t.Errorf("SenderLookalike(%q) = %q, expected no warning", from, got)
		}
		if want != "" && !strings.Contains(got, want) {
			t.Errorf("SenderLookalike(%q) = %q, expected it to say %q", from, got, want)
		}
	}
}
