// Package extract turns attachments (plain text, HTML, PDF and DOCX) into
// text for the PHI scanner, within size limits. It returns an error for a
// type it cannot read, a file that is corrupt or one over the limits,
// because the scanner must report such a file as unscanned, not as clean.
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"path/filepath"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Errors wrapped by Text, for callers that choose their message by cause.
var (
	ErrUnsupported = errors.New("unsupported file type")
	ErrCorrupt     = errors.New("corrupt or unreadable file")
	ErrTooLarge    = errors.New("file too large to scan")
	ErrEncrypted   = errors.New("file is encrypted")
)

// Limits bound the work done on one file.
type Limits struct {
	// MaxInput is the largest file accepted, in bytes. Zero means no
	// limit.
	MaxInput int64
	// MaxText is the maximum text extracted, in bytes. A file with more
	// text fails with ErrTooLarge instead of being scanned in part. Zero
	// means four times the input size plus 1 MiB.
	MaxText int
}

// Format is a file type that Text can read.
type Format int

const (
	FormatUnknown Format = iota
	FormatText
	FormatHTML
	FormatPDF
	FormatDOCX
)

const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// Detect returns the format of a file from its first bytes, then its
// declared content type, then its name. Magic bytes win, so that a PDF
// declared as text/plain is still read as a PDF. A declared type other
// than text, HTML, PDF, DOCX or application/octet-stream is unknown, and
// the content is sniffed for text only when neither type nor name says
// what the file is.
func Detect(name, contentType string, data []byte) Format {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return FormatPDF
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return FormatDOCX
	}
	if mediaType, _, err := mime.ParseMediaType(contentType); err == nil {
		switch {
		case mediaType == "text/html" || mediaType == "application/xhtml+xml":
			return FormatHTML
		case mediaType == "application/pdf":
			return FormatPDF
		case mediaType == docxType:
			return FormatDOCX
		case strings.HasPrefix(mediaType, "text/"):
			return FormatText
		case mediaType != "application/octet-stream":
			return FormatUnknown
		}
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".text", ".csv", ".tsv", ".md", ".log", ".json", ".xml", ".hl7", ".eml":
		return FormatText
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case ".pdf":
		return FormatPDF
	case ".docx":
		return FormatDOCX
	case "":
	default:
		if mime.TypeByExtension(filepath.Ext(name)) != "" {
			return FormatUnknown // a known type other than the formats above
		}
	}
	if len(data) > 0 && looksLikeText(data) {
		return FormatText
	}
	return FormatUnknown
}

// Text returns the text of a file. name and contentType may be empty.
func Text(name, contentType string, data []byte, limits Limits) (string, error) {
	if limits.MaxInput > 0 && int64(len(data)) > limits.MaxInput {
		return "", fmt.Errorf("%w: %d bytes is over the limit of %d bytes", ErrTooLarge, len(data), limits.MaxInput)
	}
	if limits.MaxText <= 0 {
		limits.MaxText = len(data)*4 + 1<<20
	}
	var text string
	var err error
	switch Detect(name, contentType, data) {
	case FormatText:
		text, err = plainText(data)
	case FormatHTML:
		text, err = htmlText(data, limits.MaxText)
	case FormatPDF:
		text, err = pdfText(data, limits.MaxText)
	case FormatDOCX:
		text, err = docxText(data, limits.MaxText)
	default:
		return "", fmt.Errorf("%w: %s", ErrUnsupported, describeType(name, contentType))
	}
	if err != nil {
		return "", err
	}
	if len(text) > limits.MaxText {
		return "", fmt.Errorf("%w: its text is over the limit of %d bytes", ErrTooLarge, limits.MaxText)
	}
	return text, nil
}

func describeType(name, contentType string) string {
	if contentType != "" {
		return "type " + contentType
	}
	if ext := filepath.Ext(name); ext != "" && len(ext) <= 8 {
		return "extension " + ext
	}
	return "no known type"
}

// plainText decodes UTF-8 or UTF-16 with a byte order mark. Text that is
// neither is read as Latin-1 (ISO 8859-1), which maps every byte.
func plainText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return utf16Text(data[2:], false), nil
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return utf16Text(data[2:], true), nil
	}
	if !looksLikeText(data) {
		return "", fmt.Errorf("%w: binary data in a text file", ErrCorrupt)
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		b.WriteRune(rune(c))
	}
	return b.String(), nil
}

func utf16Text(data []byte, bigEndian bool) string {
	units := make([]uint16, len(data)/2)
	for k := range units {
		if bigEndian {
			units[k] = uint16(data[2*k])<<8 | uint16(data[2*k+1])
		} else {
			units[k] = uint16(data[2*k+1])<<8 | uint16(data[2*k])
		}
	}
	return string(utf16.Decode(units))
}

// looksLikeText reports whether the first 8 KiB hold no NUL and few
// control characters.
func looksLikeText(data []byte) bool {
	head := data[:min(len(data), 8192)]
	controls := 0
	for _, c := range head {
		switch {
		case c == 0:
			return false
		case c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f':
			controls++
		}
	}
	return controls*20 <= len(head)
}
