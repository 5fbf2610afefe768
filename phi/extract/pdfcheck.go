package extract

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// maxXrefSections caps the chain of cross-reference sections that
// incremental updates leave; real files have a handful.
const maxXrefSections = 256

// precheckPDF rejects structures on which the PDF library
// (github.com/ledongthuc/pdf) loops forever or allocates without bound.
// These are a /Prev chain of cross-reference sections that returns to a
// section it has visited, a /Size larger than the file could hold, an
// object stream that extends another, an object stream that declares
// more objects than the file has bytes, and an object stream stored in an
// object stream. The first four checks scan the raw bytes, and the last
// reads the structure with pdfcpu.
//
// NOTE: these checks cover the loops found by reading the library's
// code, not necessarily every one. Extracting text with a parser built
// for hostile input would remove the class.
func precheckPDF(data []byte) error {
	if n, ok := maxIntAfter(data, []byte("/Size")); ok && n > int64(len(data))+1024 {
		return fmt.Errorf("%w: pdf: /Size %d is larger than the file can hold", ErrCorrupt, n)
	}
	if n, ok := maxIntAfter(data, []byte("/N")); ok && n > int64(len(data)) {
		return fmt.Errorf("%w: pdf: an object stream declares %d objects", ErrCorrupt, n)
	}
	if bytes.Contains(data, []byte("/Extends")) {
		return fmt.Errorf("%w: pdf: extended object streams are not supported", ErrUnsupported)
	}
	if err := checkXrefChain(data); err != nil {
		return err
	}
	return checkObjectStreams(data)
}

// checkXrefChain follows /Prev from the last startxref and fails on a
// loop or a chain longer than maxXrefSections.
func checkXrefChain(data []byte) error {
	k := bytes.LastIndex(data, []byte("startxref"))
	if k < 0 {
		return nil // the library reports the missing startxref itself
	}
	offset, ok := intAt(data, k+len("startxref"))
	if !ok {
		return nil
	}
	seen := map[int64]bool{}
	for sections := 0; ; sections++ {
		if sections == maxXrefSections {
			return fmt.Errorf("%w: pdf: more than %d cross-reference sections", ErrCorrupt, maxXrefSections)
		}
		if seen[offset] {
			return fmt.Errorf("%w: pdf: cross-reference sections form a loop at offset %d", ErrCorrupt, offset)
		}
		seen[offset] = true
		if offset < 0 || offset >= int64(len(data)) {
			return nil
		}
		prev, ok := prevOf(data[offset:])
		if !ok {
			return nil
		}
		offset = prev
	}
}

// prevOf returns the /Prev value of the cross-reference section at the
// start of section: the trailer dictionary of an xref table, or the
// dictionary of an xref stream.
func prevOf(section []byte) (int64, bool) {
	var dict []byte
	if bytes.HasPrefix(section, []byte("xref")) {
		t := bytes.Index(section, []byte("trailer"))
		if t < 0 {
			return 0, false
		}
		dict = section[t:]
		if e := bytes.Index(dict, []byte("startxref")); e >= 0 {
			dict = dict[:e]
		}
	} else {
		e := bytes.Index(section, []byte("stream"))
		if e < 0 {
			return 0, false
		}
		dict = section[:e]
	}
	k := bytes.Index(dict, []byte("/Prev"))
	if k < 0 {
		return 0, false
	}
	return intAt(dict, k+len("/Prev"))
}

// maxIntAfter returns the largest integer that follows key anywhere in
// data, for keys whose values are direct integers.
func maxIntAfter(data, key []byte) (int64, bool) {
	var best int64
	found := false
	for rest := data; ; {
		k := bytes.Index(rest, key)
		if k < 0 {
			break
		}
		end := k + len(key)
		// Skip longer names that start with the key, such as /Names.
		if end < len(rest) && isNameByte(rest[end]) {
			rest = rest[end:]
			continue
		}
		if n, ok := intAt(rest, end); ok && (!found || n > best) {
			best, found = n, true
		}
		rest = rest[end:]
	}
	return best, found
}

func isNameByte(c byte) bool {
	return isAlnumByte(c) || c == '_' || c == '.' || c == '-'
}

func isAlnumByte(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// intAt reads a non-negative integer after optional white space at p.
// Values of 18 digits or more are returned as a large sentinel.
func intAt(data []byte, p int) (int64, bool) {
	for p < len(data) && (data[p] == ' ' || data[p] == '\r' || data[p] == '\n' || data[p] == '\t' || data[p] == '\f') {
		p++
	}
	var n int64
	digits := 0
	for p < len(data) && '0' <= data[p] && data[p] <= '9' {
		if digits < 18 {
			n = n*10 + int64(data[p]-'0')
		} else {
			n = 1 << 62
		}
		digits++
		p++
	}
	return n, digits > 0
}

// pdfReadTimeout bounds the structural read by pdfcpu, which checks its
// context between objects.
const pdfReadTimeout = 10 * time.Second

// checkObjectStreams reads the file's structure with pdfcpu, a parser
// with work budgets of its own, and rejects an object stream that is
// itself stored in an object stream. The PDF specification forbids that,
// and the text library resolves such a chain by recursion without a
// bound, which can exhaust the stack.
func checkObjectStreams(data []byte) error {
	conf := model.NewStatelessConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	c, cancel := context.WithTimeout(context.Background(), pdfReadTimeout)
	defer cancel()
	ctx, err := api.ReadContext(c, bytes.NewReader(data), conf)
	if err != nil {
		msg := strings.ToLower(err.Error())
		if strings.Contains(msg, "encrypt") || strings.Contains(msg, "password") {
			return fmt.Errorf("%w: pdf: remove the password before attaching, or scan it before encrypting", ErrEncrypted)
		}
		return fmt.Errorf("%w: pdf: %v", ErrCorrupt, err)
	}
	for id, entry := range ctx.XRefTable.Table {
		if entry == nil || !entry.Compressed || entry.ObjectStream == nil {
			continue
		}
		container := ctx.XRefTable.Table[*entry.ObjectStream]
		if container != nil && container.Compressed {
			return fmt.Errorf("%w: pdf: object %d is in object stream %d, which is itself compressed", ErrCorrupt, id, *entry.ObjectStream)
		}
	}
	return nil
}
