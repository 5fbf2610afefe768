package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// isDocxTextPart reports whether a part of a WordprocessingML package
// holds text shown to a reader: the body, headers, footers, footnotes,
// endnotes and comments.
func isDocxTextPart(name string) bool {
	if name == "word/document.xml" {
		return true
	}
	if !strings.HasPrefix(name, "word/") || !strings.HasSuffix(name, ".xml") || strings.Count(name, "/") != 1 {
		return false
	}
	base := strings.TrimSuffix(strings.TrimPrefix(name, "word/"), ".xml")
	for _, prefix := range []string{"header", "footer", "footnotes", "endnotes", "comments"} {
		if strings.HasPrefix(base, prefix) {
			return true
		}
	}
	return false
}

// docxText returns the text of a DOCX file. The parts are decompressed
// through readers capped at eight times maxText bytes of XML in total, so
// that a small file that inflates to gigabytes fails instead of
// exhausting memory.
func docxText(data []byte, maxText int) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("%w: docx: invalid zip archive: %v", ErrCorrupt, err)
	}
	var body *zip.File
	var others, properties []*zip.File
	media := 0
	for _, f := range zr.File {
		switch {
		case strings.HasPrefix(f.Name, "word/media/"):
			media++
		case f.Name == "word/document.xml":
			body = f
		case isDocxTextPart(f.Name):
			others = append(others, f)
		case f.Name == "docProps/core.xml" || f.Name == "docProps/custom.xml":
			// The title, subject, author and custom fields can name the
			// patient, and travel with the file.
			properties = append(properties, f)
		case f.Name == "EncryptionInfo" || f.Name == "EncryptedPackage":
			return "", fmt.Errorf("%w: docx: remove the password before attaching", ErrEncrypted)
		}
	}
	if body == nil {
		return "", fmt.Errorf("%w: zip archive without word/document.xml is not a DOCX file", ErrUnsupported)
	}
	var b strings.Builder
	budget := maxText * 8 // XML markup outweighs the text it carries
	parts := append([]*zip.File{body}, others...)
	bodyText := 0
	for k, f := range append(parts, properties...) {
		allText := k >= len(parts)
		if err := docxPartText(f, allText, &b, &budget); err != nil {
			return "", err
		}
		b.WriteByte('\n')
		if k < len(parts) {
			bodyText = len(strings.TrimSpace(b.String()))
		}
		if b.Len() > maxText {
			return "", fmt.Errorf("%w: its text is over the limit of %d bytes", ErrTooLarge, maxText)
		}
	}
	// Pictures with no text are most likely a scanned page, whose PHI
	// cannot be read without OCR, so the file must not pass as clean.
	if bodyText == 0 && media > 0 {
		return "", fmt.Errorf("%w: docx has images but no text (a scanned document?)", ErrUnsupported)
	}
	return b.String(), nil
}

// docxPartText appends the text of one part to b: the text runs of
// WordprocessingML, or every character data when allText is set.
func docxPartText(f *zip.File, allText bool, b *strings.Builder, budget *int) error {
	if *budget <= 0 {
		return fmt.Errorf("%w: docx parts inflate past the scan limit", ErrTooLarge)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: docx: cannot open %s: %v", ErrCorrupt, f.Name, err)
	}
	defer rc.Close()
	limited := &io.LimitedReader{R: rc, N: int64(*budget) + 1}
	dec := xml.NewDecoder(limited)
	dec.Strict = true
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if limited.N <= 0 {
				return fmt.Errorf("%w: docx part %s inflates past the scan limit", ErrTooLarge, f.Name)
			}
			return fmt.Errorf("%w: docx: invalid XML in %s: %v", ErrCorrupt, f.Name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t", "delText", "instrText":
				inText = true
			case "tab":
				b.WriteByte('\t')
			case "br", "cr":
				b.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t", "delText", "instrText":
				inText = false
			case "p":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(t)
			} else if allText {
				b.WriteByte('\n')
				b.Write(bytes.TrimSpace(t))
			}
		}
	}
	*budget -= int(int64(*budget) + 1 - limited.N)
	return nil
}
