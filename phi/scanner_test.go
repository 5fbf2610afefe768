package phi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"securemail/phi"
	"securemail/phi/corpus"
)

func mustScanner(t *testing.T, cfg phi.Config) *phi.Scanner {
	t.Helper()
	s, err := phi.NewScanner(cfg)
	if err != nil {
		t.Fatalf("NewScanner: %v", err)
	}
	return s
}

func kindsOf(fs []phi.Finding) map[phi.Kind]int {
	out := map[phi.Kind]int{}
	for _, f := range fs {
		out[f.Kind]++
	}
	return out
}

func TestScanLevels(t *testing.T) {
	cases := []struct {
		name string
		doc  phi.Document
		want phi.Level
	}{
		{"empty", phi.Document{}, phi.LevelNone},
		{"plain", phi.Document{Subject: "Lunch", Body: "See you at noon."}, phi.LevelNone},
		{"clinical only", phi.Document{Body: "Continue metformin, recheck creatinine."}, phi.LevelLow},
		{"contact only", phi.Document{Body: "Call me at (312) 555-0147."}, phi.LevelModerate},
		{"clinical in subject", phi.Document{Subject: "metformin dosing"}, phi.LevelModerate},
		{"contact and clinical", phi.Document{Body: "Call (312) 555-0147 about metformin."}, phi.LevelHigh},
		{"strong identifier", phi.Document{Body: "MRN: 00482913"}, phi.LevelHigh},
		{"special category", phi.Document{Body: "Follow-up for opioid use disorder."}, phi.LevelRestricted},
	}
	s := mustScanner(t, phi.Config{})
	for _, c := range cases {
		r := s.Scan(c.doc)
		if r.Level != c.want {
			t.Errorf("%s: level %s, want %s (findings %v)", c.name, r.Level, c.want, kindsOf(r.Findings))
		}
	}
}

func TestDefaultActionsAreStrict(t *testing.T) {
	s := mustScanner(t, phi.Config{})
	want := map[phi.Level]phi.Action{
		phi.LevelNone: phi.ActionAllow, phi.LevelLow: phi.ActionWarn,
		phi.LevelModerate: phi.ActionJustify, phi.LevelHigh: phi.ActionJustify,
		phi.LevelRestricted: phi.ActionBlock,
	}
	docs := map[phi.Level]phi.Document{
		phi.LevelNone:       {Body: "hello"},
		phi.LevelLow:        {Body: "metformin"},
		phi.LevelModerate:   {Body: "(312) 555-0147"},
		phi.LevelHigh:       {Body: "MRN: 00482913"},
		phi.LevelRestricted: {Body: "HIV"},
	}
	for level, doc := range docs {
		r := s.Scan(doc)
		if r.Level != level {
			t.Fatalf("document for %s scanned as %s", level, r.Level)
		}
		if r.Action != want[level] {
			t.Errorf("%s: action %s, want %s", level, r.Action, want[level])
		}
	}
}

func TestConfigActionsOverride(t *testing.T) {
	s := mustScanner(t, phi.Config{Actions: map[phi.Level]phi.Action{phi.LevelRestricted: phi.ActionJustify}})
	if got := s.Scan(phi.Document{Body: "HIV"}).Action; got != phi.ActionJustify {
		t.Errorf("restricted: action %s, want justify", got)
	}
	if got := s.Scan(phi.Document{Body: "MRN: 00482913"}).Action; got != phi.ActionJustify {
		t.Errorf("high keeps the default: action %s, want justify", got)
	}
}

func TestConfigRejectsInvalid(t *testing.T) {
	cases := []phi.Config{
		{MRNPatterns: []string{"([0-9"}},
		{MRNPatterns: []string{"[0-9]*"}},
		{Actions: map[phi.Level]phi.Action{phi.Level(9): phi.ActionWarn}},
		{Actions: map[phi.Level]phi.Action{phi.LevelLow: phi.Action(7)}},
	}
	for k, cfg := range cases {
		if _, err := phi.NewScanner(cfg); err == nil {
			t.Errorf("case %d: NewScanner accepted %+v", k, cfg)
		}
	}
}

func TestConfigJSON(t *testing.T) {
	var cfg phi.Config
	raw := `{"mrn_patterns": ["\\bHX-[0-9]{6}\\b"], "actions": {"restricted": "warn", "low": "allow"}}`
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if cfg.Actions[phi.LevelRestricted] != phi.ActionWarn || cfg.Actions[phi.LevelLow] != phi.ActionAllow {
		t.Errorf("actions decoded as %v", cfg.Actions)
	}
	if err := json.Unmarshal([]byte(`{"actions": {"severe": "warn"}}`), &cfg); err == nil {
		t.Error("unknown level name accepted")
	}
}

func TestOrganisationMRNPattern(t *testing.T) {
	s := mustScanner(t, phi.Config{MRNPatterns: []string{`\bHX-[0-9]{6}\b`}})
	text := "Chart HX-004821 reviewed; HX-12 is a room."
	fs := s.ScanText(phi.FieldBody, text)
	if len(fs) != 1 || fs[0].Kind != phi.KindMRN || text[fs[0].Start:fs[0].End] != "HX-004821" {
		t.Errorf("got %+v, want one MRN HX-004821", fs)
	}
}

func TestSubjectFlaggedOnItsOwn(t *testing.T) {
	s := mustScanner(t, phi.Config{})
	r := s.Scan(phi.Document{Subject: "Labs for MRN 00482913", Body: "See attached."})
	if !r.SubjectHasPHI {
		t.Fatal("SubjectHasPHI is false")
	}
	if len(r.Findings) != 1 || r.Findings[0].Field != phi.FieldSubject {
		t.Fatalf("findings %+v, want one in the subject", r.Findings)
	}
	if !strings.Contains(r.Findings[0].Explanation, "subject line is not encrypted") {
		t.Errorf("explanation does not mention the subject: %q", r.Findings[0].Explanation)
	}
	if r2 := s.Scan(phi.Document{Subject: "Labs", Body: "MRN 00482913"}); r2.SubjectHasPHI {
		t.Error("SubjectHasPHI set for a finding in the body")
	}
}

func TestExcerptsHideIdentifiers(t *testing.T) {
	s := mustScanner(t, phi.Config{})
	text := "Patient: Aldrena Quillfeather, SSN 524-71-3309, MRN: 00482913, " +
		"email aldrena.q@example.org, phone (312) 555-0147, DOB 03/14/1962, MBI 1EG4-TE5-MK73."
	fs := s.ScanText(phi.FieldBody, text)
	if len(fs) < 7 {
		t.Fatalf("got %d findings, want at least 7: %v", len(fs), kindsOf(fs))
	}
	for _, f := range fs {
		raw := text[f.Start:f.End]
		if strings.Contains(f.Excerpt, raw) {
			t.Errorf("%s excerpt %q shows the identifier %q", f.Kind, f.Excerpt, raw)
		}
		if f.Explanation == "" {
			t.Errorf("%s has no explanation", f.Kind)
		}
	}
	want := map[phi.Kind]string{phi.KindSSN: "SSN ***-**-3309", phi.KindName: "Name A****** Q***********"}
	for _, f := range fs {
		if w, ok := want[f.Kind]; ok && f.Excerpt != w {
			t.Errorf("%s excerpt %q, want %q", f.Kind, f.Excerpt, w)
		}
	}
}

func TestSpecialCategoriesNamed(t *testing.T) {
	s := mustScanner(t, phi.Config{})
	cases := map[string]phi.Category{
		"history of schizophrenia":         phi.CategoryMentalHealth,
		"on buprenorphine for OUD":         phi.CategorySubstanceUse,
		"HIV viral load undetectable":      phi.CategoryHIVSTI,
		"BRCA2 positive":                   phi.CategoryGenetic,
		"ectopic pregnancy ruled out":      phi.CategoryReproductive,
		"Chlamydia screen":                 phi.CategoryHIVSTI,
		"referred for genetic counseling.": phi.CategoryGenetic,
	}
	for text, want := range cases {
		fs := s.ScanText(phi.FieldBody, text)
		found := false
		for _, f := range fs {
			if f.Category == want {
				found = true
				if !strings.Contains(f.Explanation, "sensitive") {
					t.Errorf("%q: explanation %q does not say why", text, f.Explanation)
				}
			}
		}
		if !found {
			t.Errorf("%q: no %s finding in %v", text, want, kindsOf(fs))
		}
	}
}

func TestTermsNeedWordBoundaries(t *testing.T) {
	s := mustScanner(t, phi.Config{})
	for _, text := range []string{
		"the hivemind", "hearing aids", "prep the room", "art class",
		"artHIV", "preaddiction-free", "sterile prepregnancy kit",
	} {
		for _, f := range s.ScanText(phi.FieldBody, text) {
			if f.Category.Special() {
				t.Errorf("%q: unexpected %s finding %q", text, f.Category, text[f.Start:f.End])
			}
		}
	}
}

func TestAttachmentsScanned(t *testing.T) {
	s := mustScanner(t, phi.Config{})
	text := "Patient: Aldrena Quillfeather\nMRN: 00482913\nFax (312) 555-0199"
	doc := phi.Document{Attachments: []phi.Attachment{
		{Name: "note.pdf", ContentType: "application/pdf", Data: corpus.PDF(text)},
		{Name: "note.docx", Data: corpus.DOCX(text)},
		{Name: "note.html", ContentType: "text/html", Data: []byte("<p>" + strings.ReplaceAll(text, "\n", "</p><p>") + "</p>")},
		{Name: "note.txt", Data: []byte(text)},
	}}
	r := s.Scan(doc)
	perAttachment := map[int]map[phi.Kind]int{}
	for _, f := range r.Findings {
		if f.Field != phi.FieldAttachment {
			t.Errorf("finding in field %s, want attachment", f.Field)
			continue
		}
		if perAttachment[f.Attachment] == nil {
			perAttachment[f.Attachment] = map[phi.Kind]int{}
		}
		perAttachment[f.Attachment][f.Kind]++
	}
	for k := range doc.Attachments {
		for _, kind := range []phi.Kind{phi.KindName, phi.KindMRN, phi.KindFax} {
			if perAttachment[k][kind] != 1 {
				t.Errorf("attachment %d (%s): %d %s findings, want 1", k, doc.Attachments[k].Name, perAttachment[k][kind], kind)
			}
		}
	}
	if r.Level != phi.LevelHigh {
		t.Errorf("level %s, want high", r.Level)
	}
}

func TestCorruptAttachmentIsAFinding(t *testing.T) {
	pdf := corpus.PDF("MRN: 00482913")
	doc := phi.Document{Body: "See attached.", Attachments: []phi.Attachment{
		{Name: "note.pdf", Data: pdf[:len(pdf)/2]},
		{Name: "scan.png", ContentType: "image/png", Data: []byte("\x89PNG\r\n\x1a\n")},
		{Name: "big.txt", Data: bytes.Repeat([]byte("a"), 2048)},
	}}
	r := mustScanner(t, phi.Config{MaxAttachmentBytes: 1024}).Scan(doc)
	if len(r.Unscanned) != 3 {
		t.Fatalf("Unscanned = %v, want all three attachments", r.Unscanned)
	}
	for _, f := range r.Findings {
		if f.Kind != phi.KindUnscanned {
			t.Errorf("unexpected %s finding", f.Kind)
			continue
		}
		if !strings.Contains(f.Explanation, "could not be scanned") {
			t.Errorf("explanation %q does not say the file could not be scanned", f.Explanation)
		}
	}
	if r.Level < phi.LevelModerate {
		t.Errorf("level %s for unscanned attachments, want at least moderate", r.Level)
	}
}

func TestWriteScanText(t *testing.T) {
	dir := t.TempDir()
	note := filepath.Join(dir, "note.txt")
	clean := filepath.Join(dir, "clean.txt")
	os.WriteFile(note, []byte("SSN 524-71-3309"), 0o600)
	os.WriteFile(clean, []byte("Lunch at noon."), 0o600)
	var out bytes.Buffer
	found, err := mustScanner(t, phi.Config{}).WriteScan(&out, []string{note, clean}, false)
	if err != nil {
		t.Fatalf("WriteScan: %v", err)
	}
	if !found {
		t.Error("found = false with an SSN in the input")
	}
	text := out.String()
	for _, want := range []string{"note.txt: level high, action justify, 1 findings", "ssn", "SSN ***-**-3309", "clean.txt: level none, action allow, 0 findings"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "524-71-3309") {
		t.Errorf("output shows the raw SSN:\n%s", text)
	}
}

func TestWriteScanJSON(t *testing.T) {
	dir := t.TempDir()
	note := filepath.Join(dir, "note.txt")
	os.WriteFile(note, []byte("MRN: 00482913"), 0o600)
	missing := filepath.Join(dir, "missing.txt")
	var out bytes.Buffer
	found, err := mustScanner(t, phi.Config{}).WriteScan(&out, []string{note, missing}, true)
	if err == nil {
		t.Error("no error for a missing file")
	}
	if !found {
		t.Error("found = false")
	}
	var results []phi.FileResult
	if err := json.Unmarshal(out.Bytes(), &results); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if len(results) != 2 {
		t.Fatalf("got %d results, want 2", len(results))
	}
	if results[0].Report == nil || results[0].Report.Level != phi.LevelHigh || results[0].Report.Findings[0].Kind != phi.KindMRN {
		t.Errorf("first result %+v, want one MRN at level high", results[0].Report)
	}
	if results[1].Error == "" {
		t.Error("missing file has no error in the JSON")
	}
	if !strings.Contains(out.String(), `"level": "high"`) {
		t.Errorf("level is not written by name:\n%s", out.String())
	}
}

func TestDisabledGroups(t *testing.T) {
	doc := phi.Document{
		Body:        "MRN: 00482913, on metformin, history of schizophrenia.",
		Attachments: []phi.Attachment{{Name: "scan.png", ContentType: "image/png", Data: []byte("\x89PNG")}},
	}
	cases := []struct {
		cfg    phi.Config
		absent phi.Category
	}{
		{phi.Config{DisableIdentifiers: true}, phi.CategoryIdentifier},
		{phi.Config{DisableClinical: true}, phi.CategoryClinical},
		{phi.Config{DisableSensitive: true}, phi.CategoryMentalHealth},
		{phi.Config{SkipAttachments: true}, phi.CategoryUnscanned},
	}
	for _, c := range cases {
		r := mustScanner(t, c.cfg).Scan(doc)
		if len(r.Findings) != 3 {
			t.Errorf("%+v: %d findings, want 3 of the 4 groups: %v", c.cfg, len(r.Findings), kindsOf(r.Findings))
		}
		for _, f := range r.Findings {
			if f.Category == c.absent {
				t.Errorf("%+v: finding of the disabled category %s", c.cfg, f.Category)
			}
		}
	}
}

const testMessage = "From: a@example.org\r\n" +
	"To: b@example.net\r\n" +
	"Subject: =?UTF-8?Q?Labs_for_MRN_00482913?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=b1\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=iso-8859-1\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Patient: Aldrena Quillfeather, caf=E9 visit, SSN 524-71-3309.\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html\r\n" +
	"\r\n" +
	"<p>Fax&#58; (312) 555-0199</p>\r\n" +
	"--b1\r\n" +
	"Content-Type: application/pdf\r\n" +
	"Content-Disposition: attachment; filename=\"labs.pdf\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"bm90IGEgcGRm\r\n" +
	"--b1--\r\n"

func TestDocumentFromMessage(t *testing.T) {
	doc, err := phi.DocumentFromMessage([]byte(testMessage))
	if err != nil {
		t.Fatalf("DocumentFromMessage: %v", err)
	}
	if doc.Subject != "Labs for MRN 00482913" {
		t.Errorf("subject %q", doc.Subject)
	}
	if !strings.Contains(doc.Body, "café visit") {
		t.Errorf("body %q lacks the decoded Latin-1 text", doc.Body)
	}
	if !strings.Contains(doc.Body, "Fax: (312) 555-0199") {
		t.Errorf("body %q lacks the HTML part's text", doc.Body)
	}
	if len(doc.Attachments) != 1 || doc.Attachments[0].Name != "labs.pdf" {
		t.Fatalf("attachments %+v, want labs.pdf", doc.Attachments)
	}

	r := mustScanner(t, phi.Config{}).Scan(doc)
	counts := kindsOf(r.Findings)
	for _, kind := range []phi.Kind{phi.KindMRN, phi.KindName, phi.KindSSN, phi.KindFax, phi.KindUnscanned} {
		if counts[kind] != 1 {
			t.Errorf("%d %s findings, want 1 (all: %v)", counts[kind], kind, counts)
		}
	}
	if !r.SubjectHasPHI {
		t.Error("SubjectHasPHI is false")
	}
}

func TestScanFileMessage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sample.eml")
	os.WriteFile(path, []byte(testMessage), 0o600)
	r, err := mustScanner(t, phi.Config{}).ScanFile(path)
	if err != nil {
		t.Fatalf("ScanFile: %v", err)
	}
	if !r.SubjectHasPHI || kindsOf(r.Findings)[phi.KindSSN] != 1 {
		t.Errorf("report %+v, want the message's subject and body scanned", kindsOf(r.Findings))
	}
}

func TestMalformedMessageErrors(t *testing.T) {
	for _, raw := range []string{
		"Subject: x\r\nContent-Type: multipart/mixed\r\n\r\nno boundary",
		"\x00\x01\x02",
	} {
		if _, err := phi.DocumentFromMessage([]byte(raw)); err == nil {
			t.Errorf("%q: no error", raw)
		}
	}
}

func TestUndecodablePartIsUnscanned(t *testing.T) {
	raw := "Subject: x\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n" +
		"--z\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!\r\n--z--\r\n"
	doc, err := phi.DocumentFromMessage([]byte(raw))
	if err != nil {
		t.Fatalf("DocumentFromMessage: %v", err)
	}
	r := mustScanner(t, phi.Config{}).Scan(doc)
	if len(r.Unscanned) != 1 {
		t.Fatalf("Unscanned = %v, want the broken part", r.Unscanned)
	}
	if !strings.Contains(r.Findings[0].Explanation, "base64") {
		t.Errorf("explanation %q does not give the decoding error", r.Findings[0].Explanation)
	}
}

func TestInvalidEncodedSubjectKept(t *testing.T) {
	doc, err := phi.DocumentFromMessage([]byte("Subject: =?bogus?Q?MRN_00482913?=\r\n\r\nbody"))
	if err != nil {
		t.Fatalf("DocumentFromMessage: %v", err)
	}
	if !strings.Contains(doc.Subject, "00482913") {
		t.Errorf("subject %q lost its text", doc.Subject)
	}
	if doc.Body != "body\n" {
		t.Errorf("body %q, want %q", doc.Body, "body\n")
	}
}

func TestConcurrentScans(t *testing.T) {
	s := mustScanner(t, phi.Config{})
	msgs := corpus.Generate(11, 40)
	want := make([]int, len(msgs))
	for k, m := range msgs {
		want[k] = len(s.Scan(phi.Document{Subject: m.Subject, Body: m.Body}).Findings)
	}
	done := make(chan error, 4)
	for range 4 {
		go func() {
			for k, m := range msgs {
				if got := len(s.Scan(phi.Document{Subject: m.Subject, Body: m.Body}).Findings); got != want[k] {
					done <- fmt.Errorf("message %d: %d findings, want %d", k, got, want[k])
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestAttachedMessageScanned(t *testing.T) {
	s := mustScanner(t, phi.Config{})
	doc := phi.Document{Body: "FYI, see below.", Attachments: []phi.Attachment{
		{Name: "fwd.eml", ContentType: "message/rfc822", Data: []byte(testMessage)},
	}}
	r := s.Scan(doc)
	counts := kindsOf(r.Findings)
	for _, kind := range []phi.Kind{phi.KindMRN, phi.KindSSN, phi.KindFax} {
		if counts[kind] != 1 {
			t.Errorf("%d %s findings in the attached message, want 1 (all: %v)", counts[kind], kind, counts)
		}
	}
	// The inner labs.pdf is not a PDF: that part is unscanned, the rest
	// of the message is still scanned.
	if counts[phi.KindUnscanned] != 1 || len(r.Unscanned) != 1 {
		t.Errorf("%d unscanned findings, Unscanned = %v, want one for labs.pdf", counts[phi.KindUnscanned], r.Unscanned)
	}
	for _, f := range r.Findings {
		if f.Kind == phi.KindUnscanned && !strings.Contains(f.Explanation, "part 1 of the attached message") {
			t.Errorf("explanation %q does not name the part", f.Explanation)
		}
	}
}
