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
