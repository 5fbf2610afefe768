package pdfseal

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireTool returns the path of a command-line tool, skipping the test
// when it is missing unless CI is set.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s not found (install qpdf and poppler-utils): %v", name, err)
	}
	return path
}

const sampleText = "From: Dr. Ada Byrne\nSubject: Results (final)\n\n" +
	"Potassium 4.1 mmol/L, back\\slash and parentheses (kept).\n" +
	"Accents: café, naïve.\n"

func sealSample(t *testing.T) (pdfPath, password string) {
	t.Helper()
	password, err := NewPassword(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	doc := Document{
		Text: sampleText + strings.Repeat("filler line for a second page\n", 80),
		Attachments: []Attachment{
			{Name: "lab.txt", Data: []byte("sodium 139 mmol/L\n")},
			{Name: "lab.txt", Data: []byte("chloride 101 mmol/L\n")},
		},
		Created: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC),
	}
	pdf, err := Seal(doc, password, rand.Reader)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if bytes.Contains(pdf, []byte("Potassium")) || bytes.Contains(pdf, []byte("sodium")) {
		t.Fatal("sealed PDF contains message or attachment text in the clear")
	}
	pdfPath = filepath.Join(t.TempDir(), "message.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return pdfPath, password
}

func TestSealOpensWithQpdfPassword(t *testing.T) {
	qpdf := requireTool(t, "qpdf")
	pdfPath, password := sealSample(t)

	out, err := exec.Command(qpdf, "--show-encryption", "--password="+password, pdfPath).CombinedOutput()
	if err != nil {
		t.Fatalf("qpdf --show-encryption: %v\n%s", err, out)
	}
	for _, want := range []string{"R = 6", "stream encryption method: AESv3", "file encryption method: AESv3"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("qpdf --show-encryption output lacks %q:\n%s", want, out)
		}
	}

	plain := filepath.Join(t.TempDir(), "plain.pdf")
	out, err = exec.Command(qpdf, "--password="+password, "--decrypt", pdfPath, plain).CombinedOutput()
	if err != nil {
		t.Fatalf("qpdf --decrypt with the password: %v\n%s", err, out)
	}

	out, err = exec.Command(qpdf, "--password="+password, "--list-attachments", pdfPath).CombinedOutput()
	if err != nil {
		t.Fatalf("qpdf --list-attachments: %v\n%s", err, out)
	}
	for _, name := range []string{MessageFileName, "lab.txt", "2-lab.txt"} {
		if !strings.Contains(string(out), name+" ->") {
			t.Errorf("attachment %q missing from:\n%s", name, out)
		}
	}

	out, err = exec.Command(qpdf, "--password="+password, "--show-attachment=2-lab.txt", pdfPath).Output()
	if err != nil {
		t.Fatalf("qpdf --show-attachment: %v", err)
	}
	if string(out) != "chloride 101 mmol/L\n" {
		t.Errorf("attachment 2-lab.txt = %q, want the second lab file", out)
	}

	out, err = exec.Command(qpdf, "--password="+password, "--show-attachment="+MessageFileName, pdfPath).Output()
	if err != nil {
		t.Fatalf("qpdf --show-attachment: %v", err)
	}
	if !strings.HasPrefix(string(out), sampleText) {
		t.Errorf("embedded message text = %q, want it to start with the exact UTF-8 text", out)
	}
}

func TestSealShowsTextWithPdftotext(t *testing.T) {
	pdftotext := requireTool(t, "pdftotext")
	pdfPath, password := sealSample(t)

	out, err := exec.Command(pdftotext, "-upw", password, pdfPath, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext -upw: %v\n%s", err, out)
	}
	for _, want := range []string{"Results (final)", "back\\slash", "café, naïve", "filler line"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
}

func TestSealDoesNotOpenWithoutPassword(t *testing.T) {
	qpdf := requireTool(t, "qpdf")
	pdftotext := requireTool(t, "pdftotext")
	pdfPath, password := sealSample(t)
	plain := filepath.Join(t.TempDir(), "plain.pdf")

	if out, err := exec.Command(qpdf, "--decrypt", pdfPath, plain).CombinedOutput(); err == nil {
		t.Errorf("qpdf --decrypt without a password succeeded:\n%s", out)
	}
	wrong := "0000-0000-0000-0000"
	if wrong == password {
		wrong = "1111-1111-1111-1111"
	}
	if out, err := exec.Command(qpdf, "--password="+wrong, "--decrypt", pdfPath, plain).CombinedOutput(); err == nil {
		t.Errorf("qpdf --decrypt with a wrong password succeeded:\n%s", out)
	}
	if out, err := exec.Command(pdftotext, pdfPath, "-").CombinedOutput(); err == nil {
		t.Errorf("pdftotext without a password succeeded:\n%s", out)
	}
}

func TestSealWritesNoFiles(t *testing.T) {
	// pdfcpu's default configuration creates a configuration directory
	// and its file APIs use temporary files; Seal must do neither.
	scratch := t.TempDir()
	t.Setenv("TMPDIR", scratch)
	t.Setenv("HOME", scratch)
	t.Setenv("XDG_CONFIG_HOME", scratch)

	password, err := NewPassword(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Seal(Document{Text: "potassium 4.1"}, password, rand.Reader); err != nil {
		t.Fatal(err)
	}

	entries, err := os.ReadDir(scratch)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("Seal left %q in the temporary and configuration directories", e.Name())
	}
}

func TestSealEmptyAndLongLines(t *testing.T) {
	password, err := NewPassword(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"empty":        "",
		"unbroken":     strings.Repeat("x", 1000),
		"control":      "a\x00b\x1bc\r\nd",
		"non-latin":    "Привет 你好 🙂",
		"only-newline": "\n\n\n",
	} {
		if _, err := Seal(Document{Text: text}, password, rand.Reader); err != nil {
			t.Errorf("Seal(%s): %v", name, err)
		}
	}
}
