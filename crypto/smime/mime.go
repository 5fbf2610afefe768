package smime

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"slices"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// maxHeaderSize caps the header of an entity handed to OpenEntity.
const maxHeaderSize = 64 << 10

// entity is a parsed MIME entity: its header and raw body.
type entity struct {
	header    textproto.Header
	mediaType string
	params    map[string]string
	body      []byte
}

// parseEntity splits raw into header and body. A missing Content-Type
// means text/plain (RFC 2045 section 5.2).
func parseEntity(raw []byte) (*entity, error) {
	headerEnd, bodyStart := splitHeader(raw)
	if headerEnd > maxHeaderSize {
		return nil, fmt.Errorf("%w: header larger than %d bytes", ErrMalformed, maxHeaderSize)
	}
	header, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(append(raw[:headerEnd:headerEnd], "\r\n"...))))
	if err != nil {
		return nil, fmt.Errorf("%w: invalid header: %w", ErrMalformed, err)
	}
	e := &entity{header: header, body: raw[bodyStart:], mediaType: "text/plain"}
	if ct := header.Get("Content-Type"); ct != "" {
		mediaType, params, err := mime.ParseMediaType(ct)
		if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
			return nil, fmt.Errorf("%w: invalid Content-Type: %w", ErrMalformed, err)
		}
		e.mediaType, e.params = strings.ToLower(mediaType), params
	}
	return e, nil
}

// splitHeader returns where the header ends (including its last line
// break) and where the body starts.
func splitHeader(raw []byte) (int, int) {
	if bytes.HasPrefix(raw, []byte("\r\n")) {
		return 0, 2
	}
	if bytes.HasPrefix(raw, []byte("\n")) {
		return 0, 1
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\n' {
			continue
		}
		rest := raw[i+1:]
		switch {
		case bytes.HasPrefix(rest, []byte("\r\n")):
			return i + 1, i + 3
		case bytes.HasPrefix(rest, []byte("\n")):
			return i + 1, i + 2
		}
	}
	return len(raw), len(raw)
}

// decodedBody returns the body with its Content-Transfer-Encoding undone.
func (e *entity) decodedBody() ([]byte, error) {
	switch cte := strings.ToLower(strings.TrimSpace(e.header.Get("Content-Transfer-Encoding"))); cte {
	case "base64":
		compact := make([]byte, 0, len(e.body))
		for _, c := range e.body {
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				compact = append(compact, c)
			}
		}
		// QUIRK: some senders drop the final padding (RFC 2045 section
		// 6.8 requires it), so decode without it.
		compact = bytes.TrimRight(compact, "=")
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(compact)))
		n, err := base64.RawStdEncoding.Decode(out, compact)
		if err != nil {
			return nil, fmt.Errorf("%w: invalid base64 body: %w", ErrMalformed, err)
		}
		return out[:n], nil
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(e.body)))
		if err != nil {
			return nil, fmt.Errorf("%w: invalid quoted-printable body: %w", ErrMalformed, err)
		}
		return out, nil
	case "", "7bit", "8bit", "binary":
		return e.body, nil
	default:
		return nil, fmt.Errorf("%w: unknown Content-Transfer-Encoding %q", ErrMalformed, cte)
	}
}

// toCRLF returns data with every line ending as CRLF, the canonical form
// that S/MIME signs (RFC 8551 section 3.1.1). Data that is already
// canonical comes back without a copy.
func toCRLF(data []byte) []byte {
	var out []byte
	start := 0
	for pos := 0; pos < len(data); {
		i := bytes.IndexByte(data[pos:], '\n')
		if i < 0 {
			break
		}
		i += pos
		if i == 0 || data[i-1] != '\r' {
			if out == nil {
				out = make([]byte, 0, len(data)+len(data)/32+2)
			}
			out = append(out, data[start:i]...)
			out = append(out, '\r')
			start = i
		}
		pos = i + 1
	}
	if out == nil {
		return data
	}
	return append(out, data[start:]...)
}

// splitMultipart returns the raw bytes of each body part of a multipart
// body, without the line break that belongs to the next delimiter
// (RFC 2046 section 5.1.1). The preamble and epilogue are dropped.
func splitMultipart(body []byte, boundary string, maxParts int) ([][]byte, error) {
	if boundary == "" || len(boundary) > 70 {
		return nil, fmt.Errorf("%w: missing or invalid multipart boundary", ErrMalformed)
	}
	delimiter := []byte("--" + boundary)
	var parts [][]byte
	start := -1
	for pos := 0; pos < len(body); {
		lineEnd := bytes.IndexByte(body[pos:], '\n')
		next := len(body)
		if lineEnd >= 0 {
			next = pos + lineEnd + 1
		}
		line := bytes.TrimRight(body[pos:next], " \t\r\n")
		if bytes.HasPrefix(line, delimiter) {
			suffix := line[len(delimiter):]
			closing := bytes.Equal(suffix, []byte("--"))
			if len(suffix) == 0 || closing {
				if start >= 0 {
					parts = append(parts, trimDelimiterBreak(body[start:pos]))
					if len(parts) > maxParts {
						return nil, fmt.Errorf("%w: more than %d body parts", ErrMalformed, maxParts)
					}
				}
				if closing {
					return parts, nil
				}
				start = next
			}
		}
		pos = next
	}
	return nil, fmt.Errorf("%w: multipart body has no closing delimiter", ErrMalformed)
}

func trimDelimiterBreak(part []byte) []byte {
	if bytes.HasSuffix(part, []byte("\r\n")) {
		return part[:len(part)-2]
	}
	if bytes.HasSuffix(part, []byte("\n")) {
		return part[:len(part)-1]
	}
	return part
}

// appendBase64Lines appends data in base64 with CRLF after every 76
// characters, as RFC 2045 section 6.8 requires.
func appendBase64Lines(out, data []byte) []byte {
	const lineInput = 57 // 57 bytes encode to one 76-character line
	encodedLen := base64.StdEncoding.EncodedLen(len(data))
	out = slices.Grow(out, encodedLen+2*(encodedLen/76+1))
	for len(data) > 0 {
		n := min(lineInput, len(data))
		line := out[len(out) : len(out)+base64.StdEncoding.EncodedLen(n)]
		base64.StdEncoding.Encode(line, data[:n])
		out = append(out[:len(out)+len(line)], '\r', '\n')
		data = data[n:]
	}
	return out
}

func randomBoundary() (string, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "smime-" + hex.EncodeToString(b[:]), nil
}

// parseMediaTypeLenient parses a Content-Type or Content-Disposition
// value and keeps the parameters it could read.
func parseMediaTypeLenient(value string) (string, map[string]string, error) {
	v, params, err := mime.ParseMediaType(value)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return "", nil, err
	}
	return strings.ToLower(v), params, nil
}
