package compose

import (
	"errors"
	"strings"
	"testing"
)

func phiEnv(level Sensitivity, findings ...PHIFinding) *Env {
	env, _ := testEnv()
	env.Scanner = &fakeScanner{report: PHIReport{Level: level, Findings: findings}}
	return env
}

var bodySSN = PHIFinding{Kind: "ssn", Location: InBody, Offset: 10, Excerpt: "***-**-6789"}

func TestPHIPolicyOutcomes(t *testing.T) {
	cases := []struct {
		level          Sensitivity
		wantAction     PHIAction
		wantSeverity   Severity
		wantConfirm    bool
		wantJustify    bool
		wantSealErrors []error // with confirmations only, then also with a justification
	}{
		{SensitivityLow, ActionWarn, SeverityWarning, true, false, []error{nil, nil}},
		{SensitivityModerate, ActionWarn, SeverityWarning, true, false, []error{nil, nil}},
		{SensitivityHigh, ActionJustify, SeverityDanger, true, true, []error{ErrJustificationMissing, nil}},
		{SensitivitySpecial, ActionJustify, SeverityDanger, true, true, []error{ErrJustificationMissing, nil}},
	}
	for _, c := range cases {
		env := phiEnv(c.level, bodySSN)
		d := testDraft("lab@partnerlab.com")
		r, err := Review(d, env)
		if err != nil {
			t.Fatal(err)
		}
		f, ok := findingByID(r, string(KindPHI))
		if !ok {
			t.Fatalf("%v: no PHI finding; have %s", c.level, kinds(r))
		}
		if r.PHIAction != c.wantAction || f.Severity != c.wantSeverity || f.Confirm != c.wantConfirm || r.NeedsJustification != c.wantJustify {
			t.Errorf("%v: action %v, severity %v, confirm %t, justify %t; want %v, %v, %t, %t", c.level,
				r.PHIAction, f.Severity, f.Confirm, r.NeedsJustification, c.wantAction, c.wantSeverity, c.wantConfirm, c.wantJustify)
		}

		_, err = Seal(d, r, Answers{Confirmed: r.Confirmations()}, env)
		if !errors.Is(err, c.wantSealErrors[0]) {
			t.Errorf("%v: Seal without justification: err = %v, want %v", c.level, err, c.wantSealErrors[0])
		}
		_, err = Seal(d, r, Answers{Confirmed: r.Confirmations(), Justification: "  "}, env)
		if !errors.Is(err, c.wantSealErrors[0]) {
			t.Errorf("%v: Seal with a blank justification: err = %v, want %v", c.level, err, c.wantSealErrors[0])
		}
		_, err = Seal(d, r, Answers{Confirmed: r.Confirmations(), Justification: "referral"}, env)
		if !errors.Is(err, c.wantSealErrors[1]) {
			t.Errorf("%v: Seal with justification: err = %v, want %v", c.level, err, c.wantSealErrors[1])
		}
	}
}

func TestPHIBlockCannotBeOverridden(t *testing.T) {
	env := phiEnv(SensitivitySpecial, PHIFinding{Kind: "substance-use", Location: InBody})
	env.Policy.PHIActions[SensitivitySpecial] = ActionBlock
	d := testDraft("lab@partnerlab.com")
	r, _ := Review(d, env)

	if !r.Blocked() {
		t.Fatalf("review not blocked; findings %s", kinds(r))
	}
	f, _ := findingByID(r, string(KindPHI))
	if f.Confirm {
		t.Error("blocking PHI finding asks for a confirmation, as if it could be overridden")
	}
	all := Answers{Confirmed: []string{string(KindPHI)}, Justification: "urgent"}
	all.Confirmed = append(all.Confirmed, r.Confirmations()...)
	if _, err := Seal(d, r, all, env); !errors.Is(err, ErrBlocked) {
		t.Errorf("Seal of blocked PHI: err = %v, want ErrBlocked", err)
	}
}

func TestPHIAllowNeedsNothing(t *testing.T) {
	env := phiEnv(SensitivityLow, bodySSN)
	env.Policy.PHIActions[SensitivityLow] = ActionAllow
	r, _ := Review(testDraft("nurse.bo@mercyhealth.org"), env)
	f, ok := findingByID(r, string(KindPHI))
	if !ok || f.Confirm || f.Severity != SeverityInfo {
		t.Errorf("allowed PHI finding = %+v, %t, want an info line without confirmation", f, ok)
	}
}

func TestPHIZeroPolicyBlocks(t *testing.T) {
	env := phiEnv(SensitivityLow, bodySSN)
	env.Policy.PHIActions = nil
	r, _ := Review(testDraft("nurse.bo@mercyhealth.org"), env)
	if r.PHIAction != ActionBlock || !r.Blocked() {
		t.Errorf("PHI with no policy actions: action %v, blocked %t, want block", r.PHIAction, r.Blocked())
	}
}

func TestPHISubjectFlaggedOnItsOwn(t *testing.T) {
	env := phiEnv(SensitivityModerate,
		PHIFinding{Kind: "mrn", Location: InSubject, Excerpt: "MRN ****21"},
		PHIFinding{Kind: "mrn", Location: InBody, Excerpt: "MRN ****21"},
		PHIFinding{Kind: "mrn", Location: InBody, Excerpt: "MRN ****22"},
		PHIFinding{Kind: "icd10", Location: InAttachment, Attachment: 1, Excerpt: "F3*.*"})
	d := testDraft("nurse.bo@mercyhealth.org")
	d.Attachments = []Attachment{{Name: "a.txt"}, {Name: "b.txt"}}

	r, err := Review(d, env)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := findingByID(r, string(KindPHISubject))
	if !ok || !f.Confirm || !strings.Contains(f.Explanation, "mrn") {
		t.Errorf("subject PHI finding = %+v, %t, want a confirmation naming mrn", f, ok)
	}
	body, ok := findingByID(r, "phi:mrn:body")
	if !ok || !strings.Contains(body.Explanation, "2 × mrn in the body") {
		t.Errorf("body detail = %+v, %t, want 2 mrn findings grouped", body, ok)
	}
	att, ok := findingByID(r, "phi:icd10:attachment-1")
	if !ok || !strings.Contains(att.Explanation, `attachment "b.txt"`) {
		t.Errorf("attachment detail = %+v, %t, want it to name b.txt", att, ok)
	}
	if strings.Contains(att.ID, "b.txt") {
		t.Error("finding ID contains an attachment name, which may hold PHI")
	}
}

func TestPHINoneAddsNoFindings(t *testing.T) {
	env := phiEnv(SensitivityNone)
	r, _ := Review(testDraft("nurse.bo@mercyhealth.org"), env)
	for _, f := range r.Findings {
		if strings.HasPrefix(string(f.Kind), "phi") {
			t.Errorf("PHI finding %s without PHI", f.ID)
		}
	}
}
