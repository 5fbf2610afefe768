package pdfseal

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Page geometry in PDF points (1/72 inch) for US Letter with one-inch
// margins, and the line metrics of 10-point Helvetica.
const (
	pageWidth     = 612
	pageHeight    = 792
	margin        = 72
	fontSize      = 10
	lineHeight    = 13
	linesPerPage  = (pageHeight - 2*margin) / lineHeight
	maxLineLength = 92 // characters of Helvetica 10 pt that fit between the margins, an estimate for average text
)

// wrapText splits text into lines of at most maxLineLength runes, breaking
// at spaces where it can and keeping the sender's own line breaks.
func wrapText(text string) []string {
	var lines []string
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for _, paragraph := range strings.Split(text, "\n") {
		paragraph = strings.ReplaceAll(paragraph, "\t", "    ")
		for utf8.RuneCountInString(paragraph) > maxLineLength {
			runes := []rune(paragraph)
			cut := maxLineLength
			for i := maxLineLength; i > maxLineLength/2; i-- {
				if runes[i] == ' ' {
					cut = i
					break
				}
			}
			lines = append(lines, string(runes[:cut]))
			paragraph = strings.TrimLeft(string(runes[cut:]), " ")
		}
		lines = append(lines, paragraph)
	}
	return lines
}

// winAnsi encodes s for a standard Type 1 font with WinAnsiEncoding.
// Characters outside Latin-1 become '?': the exact text travels in the
// embedded UTF-8 copy of the message, so nothing is lost.
func winAnsi(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7f:
			out = append(out, byte(r))
		case r >= 0xa0 && r <= 0xff:
			out = append(out, byte(r))
		default:
			out = append(out, '?')
		}
	}
	return out
}

// escapeLiteral escapes the bytes that end or change a PDF literal string
// (ISO 32000-1, 7.3.4.2).
func escapeLiteral(b []byte) []byte {
	var out bytes.Buffer
	for _, c := range b {
		if c == '(' || c == ')' || c == '\\' {
			out.WriteByte('\\')
		}
		out.WriteByte(c)
	}
	return out.Bytes()
}

// pageContent returns the content stream that draws lines on one page.
func pageContent(lines []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "BT\n/F1 %d Tf\n%d TL\n%d %d Td\n", fontSize, lineHeight, margin, pageHeight-margin)
	for _, line := range lines {
		b.WriteByte('(')
		b.Write(escapeLiteral(winAnsi(line)))
		b.WriteString(") '\n")
	}
	b.WriteString("ET\n")
	return b.Bytes()
}

// layoutPDF writes an unencrypted PDF 2.0 document that shows text on as
// many pages as it needs. The result lives only in memory: callers encrypt
// it before it goes anywhere.
func layoutPDF(text string) []byte {
	lines := wrapText(text)
	var pages [][]string
	for len(lines) > linesPerPage {
		pages = append(pages, lines[:linesPerPage])
		lines = lines[linesPerPage:]
	}
	pages = append(pages, lines)

	// Objects: 1 catalog, 2 page tree, 3 font, then a page and its
	// content stream for each page.
	var objects [][]byte
	objects = append(objects, []byte("<< /Type /Catalog /Pages 2 0 R >>"))
	var kids strings.Builder
	for i := range pages {
		fmt.Fprintf(&kids, "%d 0 R ", 4+2*i)
	}
	objects = append(objects, fmt.Appendf(nil, "<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), len(pages)))
	objects = append(objects, []byte("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"))
	for i, page := range pages {
		objects = append(objects, fmt.Appendf(nil,
			"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>",
			pageWidth, pageHeight, 5+2*i))
		content := pageContent(page)
		objects = append(objects, fmt.Appendf(nil, "<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}

	var out bytes.Buffer
	out.WriteString("%PDF-2.0\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, object := range objects {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, object)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, offset := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", offset)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return out.Bytes()
}
