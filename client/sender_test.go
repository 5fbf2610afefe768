package client

import (
	"strings"
	"testing"
)

// TestSenderWarningNamesLookalikeDomain reads the warning for senders on
// the profile's internal domain, on a domain one letter away, and an
// unparsable From value.
func TestSenderWarningNamesLookalikeDomain(t *testing.T) {
	c, _ := newProfile(t, "sender-warning", testPolicy(t))
	for from, want := range map[string]string{
		"Lab <results@cIinic.test>":  "clinic.test",
		"Lab <results@clinnic.test>": "clinic.test",
		"Lab <results@clinic.test>":  "",
		"results at clinic dot test": "",
	} {
		got, err := c.SenderWarning(from)
		if err != nil {
			t.Fatal(err)
		}
		if want == "" && got != "" {
			t.Errorf("SenderWarning(%q) = %q, expected none", from, got)
		}
		if want != "" && !strings.Contains(got, want) {
			t.Errorf("SenderWarning(%q) = %q, expected it to name %s", from, got, want)
		}
	}
}
