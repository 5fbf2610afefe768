package audit

import (
	"strings"
	"testing"
)

func TestMaskJustification(t *testing.T) {
	cases := []struct {
		name     string
		text     string
		hidden   []string
		keptText []string
	}{
		{name: "no identifier", text: "care coordination", keptText: []string{"care coordination"}},
		{name: "mrn", text: "follow-up for MRN: 12345678 today", hidden: []string{"12345678"}, keptText: []string{"follow-up for", "today"}},
		{name: "ssn and phone", text: "SSN 512-34-8876, call 555-867-5309", hidden: []string{"512-34-8876", "555-867"}},
		{name: "email", text: "reply to pat.doe@example.com", hidden: []string{"pat.doe"}, keptText: []string{"reply to"}},
		{name: "empty", text: ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := MaskJustification(c.text)
			for _, h := range c.hidden {
				if strings.Contains(got, h) {
					t.Errorf("MaskJustification(%q) = %q, which still contains %q", c.text, got, h)
				}
			}
			for _, k := range c.keptText {
				if !strings.Contains(got, k) {
					t.Errorf("MaskJustification(%q) = %q, which lost the text %q", c.text, got, k)
				}
			}
		})
	}
}

func TestMessageSentMasksJustification(t *testing.T) {
	e := MessageSent(Sent{Account: "rosa@clinic.test", Justification: "MRN: 12345678 needs a referral"})
	if strings.Contains(e.Justification, "12345678") {
		t.Errorf("the event keeps the MRN: %q", e.Justification)
	}
	if !strings.Contains(e.Justification, "needs a referral") {
		t.Errorf("the event lost the justification's words: %q", e.Justification)
	}
}
