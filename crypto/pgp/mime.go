package pgp

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// part is a MIME entity split into its header and its raw body.
type part struct {
	header    textproto.Header
	body      []byte
	mediaType string // lower-case "type/subtype"
	params    map[string]string
}

// parsePart splits raw into header fields and body and parses the
// Content-Type. A missing Content-Type means text/plain (RFC 2045).
func parsePart(raw []byte) (*part, error) {
	raw = skipMboxLine(raw)
	if len(raw) > MaxHeaderSize && !hasHeaderEnd(raw[:MaxHeaderSize]) {
		return nil, fmt.Errorf("pgp: MIME header over %d bytes: %w", MaxHeaderSize, ErrMalformed)
	}
	reader := bytes.NewReader(raw)
	br := bufio.NewReader(reader)
	header, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, fmt.Errorf("pgp: read MIME header: %w: %w", ErrMalformed, err)
	}
	bodyStart := len(raw) - reader.Len() - br.Buffered()

	p := &part{header: header, body: raw[bodyStart:], mediaType: "text/plain", params: map[string]string{}}
	if value := header.Get("Content-Type"); value != "" {
		mediaType, params, err := mime.ParseMediaType(value)
		if err != nil {
			return nil, fmt.Errorf("pgp: parse Content-Type: %w: %w", ErrMalformed, err)
		}
		p.mediaType = strings.ToLower(mediaType)
		p.params = params
	}
	return p, nil
}

// hasHeaderEnd reports whether data contains the blank line that ends a
// header section, or starts with one (an entity without header fields).
func hasHeaderEnd(data []byte) bool {
	return bytes.HasPrefix(data, []byte("\n")) || bytes.HasPrefix(data, []byte("\r\n")) ||
		bytes.Contains(data, []byte("\n\n")) || bytes.Contains(data, []byte("\n\r\n"))
}

// skipMboxLine drops a leading mbox "From " separator line.
//
// QUIRK: such a line is not a header field (RFC 5322 requires a
// colon), but messages saved from mbox files start with one.
func skipMboxLine(raw []byte) []byte {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return raw
	}
	if end := bytes.IndexByte(raw, '\n'); end >= 0 {
		return raw[end+1:]
	}
	return raw
}

// decodedBody returns the body with its Content-Transfer-Encoding removed.
func (p *part) decodedBody() ([]byte, error) {
	encoding := strings.ToLower(strings.TrimSpace(p.header.Get("Content-Transfer-Encoding")))
	switch encoding {
	case "", "7bit", "8bit", "binary":
		return p.body, nil
	case "quoted-printable":
		decoded, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(p.body)))
		if err != nil {
			return nil, fmt.Errorf("pgp: decode quoted-printable body: %w: %w", ErrMalformed, err)
		}
		return decoded, nil
	case "base64":
		return decodeBase64(p.body)
	default:
		return nil, fmt.Errorf("pgp: unknown Content-Transfer-Encoding %q: %w", encoding, ErrMalformed)
	}
}

// decodeBase64 decodes a base64 body, ignoring line breaks and other white
// space between the characters.
func decodeBase64(body []byte) ([]byte, error) {
	clean := make([]byte, 0, len(body))
	for _, c := range body {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			clean = append(clean, c)
		}
	}
	// QUIRK: some senders drop the trailing "=" padding (RFC 2045
	// requires it), so accept both forms.
	encoding := base64.StdEncoding
	if len(clean)%4 != 0 {
		encoding = base64.RawStdEncoding
		clean = bytes.TrimRight(clean, "=")
	}
	out := make([]byte, encoding.DecodedLen(len(clean)))
	n, err := encoding.Decode(out, clean)
	if err != nil {
		return nil, fmt.Errorf("pgp: decode base64 body: %w: %w", ErrMalformed, err)
	}
	return out[:n], nil
}

// splitMultipart returns the raw body parts of a multipart body, byte for
// byte, each without the line break that precedes the next delimiter
// (RFC 2046). The preamble and epilogue are dropped.
func splitMultipart(body []byte, boundary string) ([][]byte, error) {
	if boundary == "" {
		return nil, fmt.Errorf("pgp: multipart entity without boundary: %w", ErrMalformed)
	}
	delimiter := []byte("--" + boundary)

	var parts [][]byte
	partStart := -1
	for pos := 0; pos < len(body); {
		line, next := nextLine(body, pos)
		kind := delimiterKind(line, delimiter)
		if kind == notDelimiter {
			pos = next
			continue
		}

		if partStart >= 0 {
			parts = append(parts, body[partStart:trimLineBreak(body, partStart, pos)])
			if len(parts) > MaxParts {
				return nil, fmt.Errorf("pgp: multipart entity has more than %d parts: %w", MaxParts, ErrMalformed)
			}
		}
		if kind == closeDelimiter {
			return parts, nil
		}
		partStart = next
		pos = next
	}

	// QUIRK: RFC 2046 requires a close delimiter, but truncated mail
	// lacks one. The last part then runs to the end of the body.
	if partStart >= 0 && partStart <= len(body) {
		parts = append(parts, body[partStart:])
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("pgp: multipart entity has no part with boundary %q: %w", boundary, ErrMalformed)
	}
	return parts, nil
}

// nextLine returns the line at pos without its line break and the offset
// of the following line.
func nextLine(body []byte, pos int) ([]byte, int) {
	end := bytes.IndexByte(body[pos:], '\n')
	if end < 0 {
		return body[pos:], len(body)
	}
	return body[pos : pos+end], pos + end + 1
}

type delimiterLine int

const (
	notDelimiter delimiterLine = iota
	partDelimiter
	closeDelimiter
)

func delimiterKind(line, delimiter []byte) delimiterLine {
	line = bytes.TrimSuffix(line, []byte("\r"))
	if !bytes.HasPrefix(line, delimiter) {
		return notDelimiter
	}
	rest := line[len(delimiter):]
	kind := partDelimiter
	if bytes.HasPrefix(rest, []byte("--")) {
		kind = closeDelimiter
		rest = rest[2:]
	}
	// Transport padding (white space) may follow the delimiter.
	if len(bytes.TrimRight(rest, " \t")) != 0 {
		return notDelimiter
	}
	return kind
}

// trimLineBreak returns end moved back over one CRLF or LF, but not
// before start.
func trimLineBreak(body []byte, start, end int) int {
	if end > start && body[end-1] == '\n' {
		end--
		if end > start && body[end-1] == '\r' {
			end--
		}
	}
	return end
}

// canonicalCRLF returns data with every line break as CRLF, the canonical
// form that OpenPGP signatures over MIME cover (RFC 3156).
func canonicalCRLF(data []byte) []byte {
	lf := bytes.Count(data, []byte("\n"))
	crlf := bytes.Count(data, []byte("\r\n"))
	if lf == crlf {
		return data
	}
	out := make([]byte, 0, len(data)+lf-crlf)
	for i, c := range data {
		if c == '\n' && (i == 0 || data[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}
