package client

import (
	"strings"
	"testing"
)

// TestAttackSenderWarningSpoofs reads the banner warning for From values
// that phishing mail uses against a clinic on clinic.test. The cases are
// homographs in Unicode and punycode form, the own domain inside a longer
// one, an internal address in the display name or the quoted local part,
// invisible characters in the domain, and several From addresses. Each
// must warn and name what it imitates or hides.
func TestAttackSenderWarningSpoofs(t *testing.T) {
	c, _ := newProfile(t, "attack-sender-warning", testPolicy(t))
	cases := []struct {
		name, from string
		// mention is text the warning must contain.
		mention string
	}{
		{"digit one for l", "Lab <results@c1inic.test>", "clinic.test"},
		{"cyrillic i", "Lab <results@clіnic.test>", "clinic.test"},
		{"cyrillic es", "Lab <results@сlinic.test>", "clinic.test"},
		{"punycode cyrillic i", "Lab <results@xn--clnic-o2e.test>", "clinic.test"},
		{"own domain as prefix", "Lab <results@clinic.test.evil.example>", "clinic.test"},
		{"own domain with hyphen", "Lab <results@clinic-test.example>", "clinic.test"},
		{"swapped ending", "Lab <results@clinic.tset>", "clinic.test"},
		{"address in display name", `"rosa@clinic.test" <attacker@evil.example>`, "rosa@clinic.test"},
		{"bare address as display name", "rosa@clinic.test <attacker@evil.example>", "rosa@clinic.test"},
		{"address inside display name", `"Rosa Lind (rosa@clinic.test)" <attacker@evil.example>`, "rosa@clinic.test"},
		{"encoded address in display name", "=?utf-8?q?rosa=40clinic=2Etest?= <attacker@evil.example>", "rosa@clinic.test"},
		{"windows-1252 address in display name", "=?windows-1252?q?rosa=40clinic=2Etest?= <attacker@evil.example>", "rosa@clinic.test"},
		{"iso-8859-2 address in display name", "=?iso-8859-2?b?cm9zYUBjbGluaWMudGVzdA==?= <attacker@evil.example>", "rosa@clinic.test"},
		{"address in quoted local part", `Rosa <"rosa@clinic.test"@evil.example>`, "evil.example"},
		{"zero-width space in domain", "Lab <results@clin\u200bic.test>", "clin"},
		{"soft hyphen in domain", "Lab <results@clin\u00adic.test>", "clin"},
		{"second from address", "attacker@evil.example, results@c1inic.test", "clinic.test"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.SenderWarning(tc.from)
			if err != nil {
				t.Fatal(err)
			}
			if got == "" {
				t.Fatalf("SenderWarning(%q) gives no warning", tc.from)
			}
			if !strings.Contains(got, tc.mention) {
				t.Errorf("SenderWarning(%q) = %q, expected it to name %q", tc.from, got, tc.mention)
			}
		})
	}
}

// TestAttackSenderWarningGenuine checks that the own domain, its
// subdomains, a display name that repeats the real address and a plain
// outside domain give no warning, so the banner keeps its meaning.
func TestAttackSenderWarningGenuine(t *testing.T) {
	c, _ := newProfile(t, "attack-sender-genuine", testPolicy(t))
	for _, from := range []string{
		"Rosa Lind <rosa@clinic.test>",
		"Rosa <rosa@CLINIC.TEST>",
		"Lab <results@mail.clinic.test>",
		"rosa@clinic.test <rosa@clinic.test>",
		`"ROSA@clinic.test" <rosa@clinic.test>`,
		"Carol <carol@lab.test>",
		"Dr. Omar Haddad <omar@hospital.example>",
		"results at clinic dot test",
	} {
		got, err := c.SenderWarning(from)
		if err != nil {
			t.Fatal(err)
		}
		if got != "" {
			t.Errorf("SenderWarning(%q) = %q, expected none", from, got)
		}
	}
}
