package extract_test

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"securemail/phi/extract"
)

// rawPDF assembles numbered objects into a PDF with a valid xref table,
// so that each test can build one hostile structure.
func rawPDF(objects ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for k, obj := range objects {
		offsets[k] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", k+1, obj)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

func flateStream(content []byte) string {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(content)
	w.Close()
	return fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.String())
}

const pageObject = "<< /Type /Page /Parent 2 0 R /Resources << >> /Contents 4 0 R >>"

func TestHostilePDFs(t *testing.T) {
	text := flateStream([]byte("BT (MRN 00482913) Tj ET"))
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"page tree cycle", rawPDF("<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [2 0 R 2 0 R 2 0 R] /Count 1 >>", pageObject, text), extract.ErrCorrupt},
		{"text over the limit", rawPDF("<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", pageObject,
			flateStream(bytes.Repeat([]byte("BT (AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA) Tj ET\n"), 2000))), extract.ErrTooLarge},
		{"operator flood", rawPDF("<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", pageObject,
			flateStream(bytes.Repeat([]byte("q Q "), 300_000))), extract.ErrTooLarge},
	}
	limits := extract.Limits{MaxInput: 8 << 20, MaxText: 64 << 10}
	for _, c := range cases {
		start := time.Now()
		_, err := extract.Text("x.pdf", "", c.data, limits)
		elapsed := time.Since(start)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
		t.Logf("%s: %v in %v", c.name, err, elapsed)
	}
}

func TestPDFInfoText(t *testing.T) {
	data := rawPDF("<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", pageObject,
		flateStream([]byte("BT (Body) Tj ET")),
		"<< /Title (Labs for MRN 00482913) /Author (Aldrena Quillfeather) >>")
	data = bytes.Replace(data, []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Info 5 0 R"), 1)
	got, err := extract.Text("x.pdf", "", data, extract.Limits{MaxInput: 1 << 20, MaxText: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Body", "MRN 00482913", "Aldrena Quillfeather"} {
		if !strings.Contains(got, want) {
			t.Errorf("text %q lacks %q", got, want)
		}
	}
}

func TestPDFHugePageCount(t *testing.T) {
	data := rawPDF("<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>", pageObject,
		flateStream([]byte("BT (MRN 00482913) Tj ET")))
	got, err := extract.Text("x.pdf", "", data, extract.Limits{MaxInput: 1 << 20, MaxText: 1 << 20})
	if err != nil {
		t.Fatalf("declared page count made the file fail: %v", err)
	}
	if !strings.Contains(got, "MRN 00482913") {
		t.Errorf("text %q lacks the page's text", got)
	}
}

func TestPDFImageOnlyPageUnsupported(t *testing.T) {
	data := rawPDF("<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
		flateStream([]byte("q 612 0 0 792 0 0 cm /Im1 Do Q")),
		"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 1 >>\nstream\n\x00\nendstream")
	_, err := extract.Text("scan.pdf", "", data, extract.Limits{MaxInput: 1 << 20, MaxText: 1 << 20})
	if !errors.Is(err, extract.ErrUnsupported) {
		t.Errorf("got %v, want ErrUnsupported for a page of images", err)
	}
}

func TestPDFBlankPageAllowed(t *testing.T) {
	data := rawPDF("<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", pageObject,
		flateStream([]byte("")))
	got, err := extract.Text("blank.pdf", "", data, extract.Limits{MaxInput: 1 << 20, MaxText: 1 << 20})
	if err != nil {
		t.Fatalf("blank page: %v", err)
	}
	if strings.TrimSpace(got) != "" {
		t.Errorf("blank page gave text %q", got)
	}
}

func TestPDFParentCycle(t *testing.T) {
	// The page has no resources and is its own parent, so a lookup of
	// inherited resources that follows /Parent without a bound never
	// returns, and this test would hang until go test's timeout.
	data := rawPDF("<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>",
		flateStream([]byte("BT /F1 12 Tf (MRN 00482913) Tj ET")))
	got, err := extract.Text("x.pdf", "", data, extract.Limits{MaxInput: 1 << 20, MaxText: 1 << 20})
	if err != nil {
		t.Fatalf("page with a /Parent cycle: %v", err)
	}
	if !strings.Contains(got, "MRN 00482913") {
		t.Errorf("text %q lacks the page's text", got)
	}
}

func TestPDFPrecheck(t *testing.T) {
	page := []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		pageObject, flateStream([]byte("BT (MRN 00482913) Tj ET"))}
	valid := rawPDF(page...)
	// A second trailer whose /Prev points back at its own xref table.
	xref := bytes.LastIndex(valid, []byte("xref\n0 "))
	loop := bytes.Replace(valid, []byte("/Root 1 0 R >>"), []byte(fmt.Sprintf("/Root 1 0 R /Prev %d >>", xref)), 1)
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"prev loop", loop, extract.ErrCorrupt},
		{"huge size", bytes.Replace(valid, []byte("/Size 5"), []byte("/Size 900000000000"), 1), extract.ErrCorrupt},
		{"extends", rawPDF(append(page, "<< /Type /ObjStm /N 1 /First 4 /Extends 5 0 R /Length 0 >>\nstream\n\nendstream")...), extract.ErrUnsupported},
		{"object count", rawPDF(append(page, "<< /Type /ObjStm /N 99999999 /First 4 /Length 0 >>\nstream\n\nendstream")...), extract.ErrCorrupt},
	}
	for _, c := range cases {
		_, err := extract.Text("x.pdf", "", c.data, extract.Limits{MaxInput: 1 << 20, MaxText: 1 << 20})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := extract.Text("x.pdf", "", valid, extract.Limits{MaxInput: 1 << 20, MaxText: 1 << 20}); err != nil {
		t.Errorf("valid file rejected: %v", err)
	}
}
