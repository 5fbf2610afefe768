package client

import (
	"strings"
	"testing"

	"securemail/audit"
	"securemail/compose"
	"securemail/phi"
	"securemail/policy"
)

// TestScanConfigMatchesReview scans a note with a record number under
// each policy action for the high level: the scanner's action must be the
// one the send review applies to the same level.
func TestScanConfigMatchesReview(t *testing.T) {
	const note = "Please book a follow-up for MRN: 12345678."
	review := map[compose.PHIAction]phi.Action{
		compose.ActionAllow:   phi.ActionAllow,
		compose.ActionWarn:    phi.ActionWarn,
		compose.ActionJustify: phi.ActionJustify,
		compose.ActionBlock:   phi.ActionBlock,
	}
	for _, action := range []string{"allow", "warn", "justify", "block"} {
		s := policy.Defaults()
		s.PHI.Actions.High = action
		scanner, err := phi.NewScanner(ScanConfig(s))
		if err != nil {
			t.Fatal(err)
		}
		r := scanner.Scan(phi.Document{Body: note})
		if r.Level != phi.LevelHigh {
			t.Fatalf("level of %q is %v, expected high", note, r.Level)
		}
		want := review[composePolicy(s).PHIActions[compose.SensitivityHigh]]
		if r.Action != want {
			t.Errorf("policy high=%s: scan action %v, review action %v", action, r.Action, want)
		}
	}
}

// TestDefaultPolicyLetsEncryptedPHIThrough checks the built-in policy: a
// record number needs a justification, not a ban, because mentioning a
// patient in an encrypted message to a colleague is the routine case.
func TestDefaultPolicyLetsEncryptedPHIThrough(t *testing.T) {
	p := composePolicy(policy.Defaults())
	if got := p.PHIActions[compose.SensitivityHigh]; got != compose.ActionJustify {
		t.Errorf("built-in action for high-sensitivity PHI = %v, expected justify", got)
	}
	if got := p.PHIActions[compose.SensitivitySpecial]; got == compose.ActionBlock {
		t.Errorf("built-in action for special categories blocks; expected a justification")
	}
}

// TestJustificationMaskedWithPolicyPatterns masks a record number in the
// organisation's own format, which only the policy's pattern matches.
func TestJustificationMaskedWithPolicyPatterns(t *testing.T) {
	s := policy.Defaults()
	s.PHI.MRNPatterns = []string{`\bCLN-\d{6}\b`}
	scanner, err := justificationScanner(s)
	if err != nil {
		t.Fatal(err)
	}
	const text = "Referral needed today for CLN-482913 after the scan."
	got := audit.MaskJustificationWith(scanner, text)
	if strings.Contains(got, "482913") {
		t.Errorf("justification %q kept the record number", got)
	}
	if !strings.Contains(got, "Referral needed today") {
		t.Errorf("justification %q lost its words", got)
	}
	// The built-in detectors alone do not know this format, so the
	// policy's pattern is what masked it.
	if plain := audit.MaskJustification(text); !strings.Contains(plain, "482913") {
		t.Errorf("the built-in detectors masked %q too, so this test shows nothing", plain)
	}
}
