package crypto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"mime"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// maxHeaderBytes caps one header section. Real headers with long
// Received chains stay well below it.
const maxHeaderBytes = 256 << 10

var errHeaderTooLarge = errors.New("crypto: header section too large")

// splitEntity returns the header section of an entity and the offset at
// which its body starts.
func splitEntity(entity []byte) (textproto.Header, []byte, error) {
	end := headerEnd(entity)
	if end < 0 {
		if len(entity) > maxHeaderBytes {
			return textproto.Header{}, nil, errHeaderTooLarge
		}
		// An entity with only a header section and no body.
		end = len(entity)
	}
	if end > maxHeaderBytes {
		return textproto.Header{}, nil, errHeaderTooLarge
	}
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(entity[:end])))
	if err != nil {
		return textproto.Header{}, nil, fmt.Errorf("crypto: invalid header section: %w", err)
	}
	return h, entity[min(end, len(entity)):], nil
}

// headerEnd returns the offset just past the blank line that ends the
// header section, or -1 when there is none. A body that starts right away
// (an entity with an empty header) ends the header at offset 0 or 2.
func headerEnd(b []byte) int {
	if bytes.HasPrefix(b, []byte("\r\n")) {
		return 2
	}
	if bytes.HasPrefix(b, []byte("\n")) {
		return 1
	}
	crlf := bytes.Index(b, []byte("\r\n\r\n"))
	lf := bytes.Index(b, []byte("\n\n"))
	switch {
	case crlf >= 0 && (lf < 0 || crlf < lf):
		return crlf + 4
	case lf >= 0:
		return lf + 2
	default:
		return -1
	}
}

// mediaType parses the Content-Type of h. A missing or invalid field is
// text/plain, as RFC 2045 section 5.2 requires.
func mediaType(h textproto.Header) (string, map[string]string) {
	v := h.Get("Content-Type")
	if v == "" {
		return "text/plain", map[string]string{}
	}
	t, params, err := mime.ParseMediaType(v)
	if err != nil {
		// QUIRK: RFC 2045 says an invalid Content-Type means text/plain;
		// keep the type if only the parameters are broken.
		if i := strings.IndexByte(v, ';'); i > 0 {
			t = strings.ToLower(strings.TrimSpace(v[:i]))
		}
		if !strings.Contains(t, "/") {
			t = "text/plain"
		}
		return t, map[string]string{}
	}
	return t, params
}

// splitMultipart returns each body part of a multipart body exactly as it
// appears, without re-encoding, so signatures over parts stay valid. The
// preamble and epilogue are dropped.
func splitMultipart(body []byte, boundary string, maxParts int) ([][]byte, error) {
	if boundary == "" {
		return nil, errors.New("crypto: multipart without boundary")
	}
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1
	pos := 0
	for pos <= len(body) {
		lineEnd := bytes.IndexByte(body[pos:], '\n')
		var line []byte
		next := len(body) + 1
		if lineEnd < 0 {
			line = body[pos:]
		} else {
			line = body[pos : pos+lineEnd+1]
			next = pos + lineEnd + 1
		}
		trimmed := bytes.TrimRight(line, " \t\r\n")
		if bytes.HasPrefix(trimmed, delim) {
			rest := trimmed[len(delim):]
			closing := bytes.Equal(rest, []byte("--"))
			if closing || len(rest) == 0 {
				if start >= 0 {
					parts = append(parts, trimLineBreak(body[start:pos]))
					if len(parts) > maxParts {
						return nil, fmt.Errorf("crypto: more than %d MIME parts", maxParts)
					}
				}
				if closing {
					return parts, nil
				}
				start = next
				if start > len(body) {
					start = len(body)
				}
			}
		}
		if lineEnd < 0 {
			break
		}
		pos = next
	}
	if start < 0 {
		return nil, errors.New("crypto: multipart body has no boundary line")
	}
	// QUIRK: RFC 2046 requires a closing delimiter, but truncated mail
	// without one is common; keep the last part as it is.
	parts = append(parts, body[start:])
	return parts, nil
}

// trimLineBreak drops the CRLF or LF that belongs to the next boundary
// delimiter (RFC 2046 section 5.1.1).
func trimLineBreak(b []byte) []byte {
	if bytes.HasSuffix(b, []byte("\r\n")) {
		return b[:len(b)-2]
	}
	if bytes.HasSuffix(b, []byte("\n")) {
		return b[:len(b)-1]
	}
	return b
}
