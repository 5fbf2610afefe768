package extract_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"securemail/phi/corpus"
	"securemail/phi/extract"
)

var testLimits = extract.Limits{MaxInput: 8 << 20, MaxText: 1 << 20}

func TestPlainTextEncodings(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"utf8", []byte("MRN 123456 café"), "MRN 123456 café"},
		{"utf8 bom", []byte("\xEF\xBB\xBFMRN 1"), "MRN 1"},
		{"utf16le", []byte{0xFF, 0xFE, 'M', 0, 'R', 0, 'N', 0}, "MRN"},
		{"utf16be", []byte{0xFE, 0xFF, 0, 'M', 0, 'R', 0, 'N'}, "MRN"},
		{"latin1", []byte("caf\xe9 MRN"), "café MRN"},
	}
	for _, c := range cases {
		got, err := extract.Text("note.txt", "", c.data, testLimits)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestBinaryTextIsCorrupt(t *testing.T) {
	_, err := extract.Text("note.txt", "text/plain", []byte("MRN\x00\x01\x02"), testLimits)
	if !errors.Is(err, extract.ErrCorrupt) {
		t.Errorf("got %v, want ErrCorrupt", err)
	}
}

func TestUnsupportedType(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	_, err := extract.Text("scan.png", "image/png", png, testLimits)
	if !errors.Is(err, extract.ErrUnsupported) {
		t.Errorf("got %v, want ErrUnsupported", err)
	}
}

func TestInputOverLimit(t *testing.T) {
	_, err := extract.Text("a.txt", "", bytes.Repeat([]byte("a"), 101), extract.Limits{MaxInput: 100})
	if !errors.Is(err, extract.ErrTooLarge) {
		t.Errorf("got %v, want ErrTooLarge", err)
	}
}

func TestDetectPrefersMagicBytes(t *testing.T) {
	if got := extract.Detect("note.txt", "text/plain", corpus.PDF("x")); got != extract.FormatPDF {
		t.Errorf("PDF declared as text: got format %d, want FormatPDF", got)
	}
	if got := extract.Detect("", "text/html; charset=utf-8", []byte("<p>x")); got != extract.FormatHTML {
		t.Errorf("text/html: got format %d, want FormatHTML", got)
	}
	if got := extract.Detect("x.docx", "", []byte("not a zip")); got != extract.FormatDOCX {
		t.Errorf("x.docx: got format %d, want FormatDOCX", got)
	}
}

func TestHTMLText(t *testing.T) {
	page := `<html><head><title>Note</title><style>p{color:red}</style>
<script>var ssn = "524-71-3309";</script></head>
<body><p>Patient:&nbsp;Aldrena&#32;Quillfeather</p><div class="x">MRN&#58; 00482913</div>
<!-- DOB 03/14/1962 -->
<input type="hidden" value="Member ID XJH48213377">
<a href="https://portal.example.org/r?id=42">portal</a></body></html>`
	got, err := extract.Text("note.html", "", []byte(page), testLimits)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Patient:\u00a0Aldrena Quillfeather", "MRN: 00482913", "https://portal.example.org/r?id=42",
		"524-71-3309", "DOB 03/14/1962", "Member ID XJH48213377",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"color:red", "\nx\n"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("text contains the style %q:\n%s", unwanted, got)
		}
	}
}

func TestPDFText(t *testing.T) {
	lines := []string{"Patient: Aldrena Quillfeather (DOB 03/14/1962)", "MRN: 00482913"}
	text := strings.Repeat(strings.Join(lines, "\n")+"\n", 40) // two pages
	got, err := extract.Text("note.pdf", "application/pdf", corpus.PDF(text), testLimits)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(got, lines[0]); n != 40 {
		t.Errorf("first line appears %d times, want 40:\n%.400s", n, got)
	}
	if n := strings.Count(got, lines[1]); n != 40 {
		t.Errorf("second line appears %d times, want 40", n)
	}
	if strings.Contains(got, "1962)MRN") {
		t.Errorf("lines run together: %.200s", got)
	}
}

func TestPDFTruncatedIsCorrupt(t *testing.T) {
	data := corpus.PDF("MRN: 00482913")
	for _, n := range []int{10, len(data) / 2, len(data) - 20} {
		_, err := extract.Text("note.pdf", "", data[:n], testLimits)
		if !errors.Is(err, extract.ErrCorrupt) {
			t.Errorf("cut at %d bytes: got %v, want ErrCorrupt", n, err)
		}
	}
}

func TestPDFEncryptedByQpdf(t *testing.T) {
	qpdf, err := exec.LookPath("qpdf")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("qpdf is not installed: install the qpdf package")
		}
		t.Skip("qpdf is not installed")
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.pdf")
	locked := filepath.Join(dir, "locked.pdf")
	if err := os.WriteFile(plain, corpus.PDF("MRN: 00482913"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(qpdf, "--encrypt", "user-pass", "owner-pass", "256", "--", plain, locked)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("qpdf --encrypt: %v\n%s", err, out)
	}
	data, err := os.ReadFile(locked)
	if err != nil {
		t.Fatal(err)
	}
	text, err := extract.Text("locked.pdf", "", data, testLimits)
	if err == nil {
		t.Fatalf("encrypted PDF gave text %q and no error", text)
	}
	if !errors.Is(err, extract.ErrEncrypted) {
		t.Errorf("got %v, want ErrEncrypted", err)
	}
}

func TestDOCXText(t *testing.T) {
	got, err := extract.Text("note.docx", "", corpus.DOCX("Patient: Aldrena Quillfeather\nMRN: 00482913 & more"), testLimits)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Patient: Aldrena Quillfeather\n", "MRN: 00482913 & more"} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDOCXProperties(t *testing.T) {
	data := zipOf(t, map[string]string{
		"word/document.xml": `<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Body</w:t></w:r></w:p></w:body></w:document>`,
		"docProps/core.xml": `<cp:coreProperties xmlns:cp="c" xmlns:dc="d"><dc:title>Discharge summary, MRN 00482913</dc:title></cp:coreProperties>`,
	})
	got, err := extract.Text("note.docx", "", data, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Body") || !strings.Contains(got, "MRN 00482913") {
		t.Errorf("text %q lacks the body or the document title", got)
	}
}

func TestDOCXErrors(t *testing.T) {
	bomb := `<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>` +
		strings.Repeat("A", 2<<20) + `</w:t></w:r></w:p></w:body></w:document>`
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"not a zip", []byte("PK\x03\x04 broken"), extract.ErrCorrupt},
		{"zip without document", zipOf(t, map[string]string{"a.txt": "x"}), extract.ErrUnsupported},
		{"invalid xml", zipOf(t, map[string]string{"word/document.xml": "<w:document><w:t>x</w:document>"}), extract.ErrCorrupt},
		{"encrypted", zipOf(t, map[string]string{"EncryptionInfo": "x", "word/document.xml": "<a/>"}), extract.ErrEncrypted},
		{"inflates past limit", zipOf(t, map[string]string{"word/document.xml": bomb}), extract.ErrTooLarge},
		{"images but no text", zipOf(t, map[string]string{
			"word/document.xml":     `<w:document xmlns:w="w"><w:body><w:p/></w:body></w:document>`,
			"word/media/image1.png": "\x89PNG",
		}), extract.ErrUnsupported},
	}
	// A small text limit makes the 2 MB part inflate past the limit.
	limits := extract.Limits{MaxInput: 1 << 20, MaxText: 64 << 10}
	for _, c := range cases {
		_, err := extract.Text("note.docx", "", c.data, limits)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestDetectDeclaredBinary(t *testing.T) {
	cases := []struct {
		name, contentType string
		data              string
		want              extract.Format
	}{
		{"scan.png", "image/png", "\x89PNG", extract.FormatUnknown},
		{"scan", "image/jpeg", "plain words", extract.FormatUnknown},
		{"photo.jpg", "", "plain words", extract.FormatUnknown},
		{"notes", "application/octet-stream", "plain words", extract.FormatText},
		{"notes", "", "plain words", extract.FormatText},
		{"notes", "", "\x00\x01binary", extract.FormatUnknown},
	}
	for _, c := range cases {
		if got := extract.Detect(c.name, c.contentType, []byte(c.data)); got != c.want {
			t.Errorf("%s (%s): format %d, want %d", c.name, c.contentType, got, c.want)
		}
	}
}
