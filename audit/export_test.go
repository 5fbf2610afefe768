package audit

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestExportJSONLinesRange(t *testing.T) {
	_, store := newTrail(t, 10) // entries at 09:01 to 09:10
	var out bytes.Buffer
	from := time.Date(2026, 3, 1, 9, 3, 0, 0, time.UTC)
	to := time.Date(2026, 3, 1, 9, 7, 0, 0, time.UTC)
	result, err := RunExport(&out, store, FormatJSONLines, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if result.Written != 4 || result.Unverified != 0 {
		t.Errorf("result = %+v, want 4 written (09:03 to 09:06)", result)
	}
	scanner := bufio.NewScanner(&out)
	var seqs []int64
	for scanner.Scan() {
		var r Record
		if err := json.Unmarshal(scanner.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", scanner.Text(), err)
		}
		if !r.Verified || r.Kind != KindMessageSent || r.Justification == "" {
			t.Errorf("record = %+v", r)
		}
		seqs = append(seqs, r.Seq)
	}
	if len(seqs) != 4 || seqs[0] != 3 || seqs[3] != 6 {
		t.Errorf("seqs = %v, want 3 to 6", seqs)
	}
}

func TestExportCSVMarksEditedEntries(t *testing.T) {
	trail, store := newTrail(t, 3)
	sent := sampleSent(4)
	sent.Justification = "=HYPERLINK(\"http://attacker.example\")"
	if _, err := trail.Append(sent); err != nil {
		t.Fatal(err)
	}
	store.tamper(2, func(b []byte) []byte { return bytes.Replace(b, []byte("password-pdf"), []byte("openpgp"), 1) })

	var out bytes.Buffer
	result, err := Export(store, &out, ExportOptions{Format: FormatCSV})
	if err != nil {
		t.Fatal(err)
	}
	if result.Written != 4 || result.Unverified != 1 {
		t.Errorf("result = %+v", result)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("rows = %v", rows)
	}
	col := func(name string) int {
		for i, h := range csvHeader {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	if rows[2][col("verified")] != "false" || rows[1][col("verified")] != "true" {
		t.Errorf("verified column = %s, %s", rows[1][col("verified")], rows[2][col("verified")])
	}
	if got := rows[4][col("justification")]; !strings.HasPrefix(got, "'=") {
		t.Errorf("formula not neutralised: %q", got)
	}
	if got := rows[1][col("recipients")]; got != "lab@partner.example.net=openpgp;patient.zebrafinch@example.com=password-pdf" {
		t.Errorf("recipients = %q", got)
	}
	if got := rows[1][col("findings")]; got != "mrn=2;diagnosis=1" {
		t.Errorf("findings = %q", got)
	}
}

func TestExportPseudonymised(t *testing.T) {
	_, store := newTrail(t, 2)
	var out bytes.Buffer
	if _, err := Export(store, &out, ExportOptions{PseudonymKey: orgKey}); err != nil {
		t.Fatal(err)
	}
	for _, m := range markers {
		if strings.Contains(out.String(), m) {
			t.Errorf("marker %q in a pseudonymised export", m)
		}
	}
}

func TestExportUnknownFormat(t *testing.T) {
	_, store := newTrail(t, 1)
	if _, err := Export(store, &bytes.Buffer{}, ExportOptions{Format: "xml"}); err == nil {
		t.Error("format xml accepted")
	}
}
