package corpus

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireTool returns the path of a command, skipping the test when it is
// missing unless CI is set.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed: install it (poppler-utils, qpdf) before running CI", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return path
}

func TestPDFPassesQpdfCheck(t *testing.T) {
	qpdf := requireTool(t, "qpdf")
	path := filepath.Join(t.TempDir(), "note.pdf")
	text := strings.Repeat("Patient: Aldrena Quillfeather (DOB 03/14/1962)\n", 130)
	if err := os.WriteFile(path, PDF(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(qpdf, "--check", path).CombinedOutput()
	if err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check output lacks the clean verdict:\n%s", out)
	}
}

func TestPDFTextMatchesPdftotext(t *testing.T) {
	pdftotext := requireTool(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "note.pdf")
	if err := os.WriteFile(path, PDF("MRN: 00482913\nFax (312) 555-0199"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	for _, want := range []string{"MRN: 00482913", "Fax (312) 555-0199"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pdftotext output lacks %q:\n%s", want, out)
		}
	}
}
