package smime

import (
	"errors"
	"fmt"
)

// maxBERDepth caps the nesting of ASN.1 elements so a crafted message
// cannot exhaust the stack. Real CMS messages nest fewer than 20 levels.
const maxBERDepth = 64

var errBERTruncated = errors.New("truncated ASN.1 data")

// berHeader is the decoded identifier and length octets of one element.
type berHeader struct {
	class       byte
	constructed bool
	tag         int
	headerLen   int
	length      int // -1 for the indefinite form
}

func readBERHeader(data []byte) (berHeader, error) {
	var h berHeader
	if len(data) < 2 {
		return h, errBERTruncated
	}
	h.class = data[0] >> 6
	h.constructed = data[0]&0x20 != 0
	h.tag = int(data[0] & 0x1f)

	pos := 1
	if h.tag == 0x1f {
		h.tag = 0
		for {
			if pos >= len(data) || pos > 4 {
				return h, errors.New("invalid ASN.1 tag number")
			}
			b := data[pos]
			pos++
			h.tag = h.tag<<7 | int(b&0x7f)
			if b&0x80 == 0 {
				break
			}
		}
	}

	if pos >= len(data) {
		return h, errBERTruncated
	}
	lengthByte := data[pos]
	pos++
	switch {
	case lengthByte < 0x80:
		h.length = int(lengthByte)
	case lengthByte == 0x80:
		if !h.constructed {
			return h, errors.New("indefinite length on a primitive ASN.1 element")
		}
		h.length = -1
	default:
		n := int(lengthByte & 0x7f)
		if n > 4 || pos+n > len(data) {
			return h, errors.New("invalid ASN.1 length")
		}
		for _, b := range data[pos : pos+n] {
			h.length = h.length<<8 | int(b)
		}
		pos += n
		if h.length < 0 {
			return h, errors.New("invalid ASN.1 length")
		}
	}

	h.headerLen = pos
	if h.length >= 0 && h.length > len(data)-pos {
		return h, errBERTruncated
	}
	return h, nil
}

// isOctetString reports a universal OCTET STRING, which BER may split into
// a constructed series of segments.
func (h berHeader) isOctetString() bool { return h.class == 0 && h.tag == 4 }

// needsConversion walks one element and reports whether it uses BER-only
// forms: the indefinite length or a constructed OCTET STRING. It returns
// the element's total length.
func needsConversion(data []byte, depth int) (bool, int, error) {
	if depth > maxBERDepth {
		return false, 0, fmt.Errorf("ASN.1 nested deeper than %d levels", maxBERDepth)
	}
	h, err := readBERHeader(data)
	if err != nil {
		return false, 0, err
	}
	if h.length < 0 || (h.constructed && h.isOctetString()) {
		return true, 0, nil
	}
	end := h.headerLen + h.length
	if !h.constructed {
		return false, end, nil
	}
	rest := data[h.headerLen:end]
	for len(rest) > 0 {
		ber, n, err := needsConversion(rest, depth+1)
		if err != nil || ber {
			return ber, 0, err
		}
		rest = rest[n:]
	}
	return false, end, nil
}

// normalizeBER returns the first element of data with every indefinite
// length made definite and every constructed OCTET STRING joined into one
// primitive OCTET STRING, so that encoding/asn1 can parse it. DER input
// comes back unchanged without a copy. Other DER rules (such as SET OF
// ordering) are not enforced. It also returns the number of input bytes
// the element took.
func normalizeBER(data []byte) ([]byte, int, error) {
	ber, n, err := needsConversion(data, 0)
	if err != nil {
		return nil, 0, err
	}
	if !ber {
		return data[:n], n, nil
	}
	return convertBER(data, 0, nil)
}

// convertBER appends the definite-length form of the first element of data
// to out and returns it with the number of input bytes consumed.
func convertBER(data []byte, depth int, out []byte) ([]byte, int, error) {
	if depth > maxBERDepth {
		return nil, 0, fmt.Errorf("ASN.1 nested deeper than %d levels", maxBERDepth)
	}
	h, err := readBERHeader(data)
	if err != nil {
		return nil, 0, err
	}
	if !h.constructed {
		end := h.headerLen + h.length
		return append(out, data[:end]...), end, nil
	}

	content, consumed, err := convertChildren(data[h.headerLen:], h.length, depth)
	if err != nil {
		return nil, 0, err
	}
	consumed += h.headerLen

	if h.isOctetString() {
		joined, err := joinOctetStringSegments(content)
		if err != nil {
			return nil, 0, err
		}
		out = appendBERHeader(out, 0, false, 4, len(joined))
		return append(out, joined...), consumed, nil
	}
	out = appendBERHeader(out, h.class, true, h.tag, len(content))
	return append(out, content...), consumed, nil
}

// convertChildren converts the contents of a constructed element. With
// length -1 it reads up to the end-of-contents octets.
func convertChildren(data []byte, length, depth int) ([]byte, int, error) {
	var content []byte
	if length >= 0 {
		rest := data[:length]
		for len(rest) > 0 {
			var n int
			var err error
			content, n, err = convertBER(rest, depth+1, content)
			if err != nil {
				return nil, 0, err
			}
			rest = rest[n:]
		}
		return content, length, nil
	}
	pos := 0
	for {
		if pos+2 > len(data) {
			return nil, 0, errBERTruncated
		}
		if data[pos] == 0 && data[pos+1] == 0 {
			return content, pos + 2, nil
		}
		var n int
		var err error
		content, n, err = convertBER(data[pos:], depth+1, content)
		if err != nil {
			return nil, 0, err
		}
		pos += n
	}
}

// joinOctetStringSegments concatenates the values of the already
// converted primitive OCTET STRING segments in content.
func joinOctetStringSegments(content []byte) ([]byte, error) {
	joined := make([]byte, 0, len(content))
	for len(content) > 0 {
		h, err := readBERHeader(content)
		if err != nil {
			return nil, err
		}
		if !h.isOctetString() || h.constructed {
			return nil, errors.New("constructed OCTET STRING contains a non-OCTET STRING segment")
		}
		end := h.headerLen + h.length
		joined = append(joined, content[h.headerLen:end]...)
		content = content[end:]
	}
	return joined, nil
}

func appendBERHeader(out []byte, class byte, constructed bool, tag, length int) []byte {
	first := class << 6
	if constructed {
		first |= 0x20
	}
	if tag < 0x1f {
		out = append(out, first|byte(tag))
	} else {
		out = append(out, first|0x1f)
		var digits []byte
		for t := tag; t > 0; t >>= 7 {
			digits = append([]byte{byte(t & 0x7f)}, digits...)
		}
		for i := 0; i < len(digits)-1; i++ {
			digits[i] |= 0x80
		}
		out = append(out, digits...)
	}
	return appendDERLength(out, length)
}

func appendDERLength(out []byte, length int) []byte {
	if length < 0x80 {
		return append(out, byte(length))
	}
	var digits []byte
	for l := length; l > 0; l >>= 8 {
		digits = append([]byte{byte(l)}, digits...)
	}
	out = append(out, 0x80|byte(len(digits)))
	return append(out, digits...)
}
