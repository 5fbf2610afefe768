package extract

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/ledongthuc/pdf"
)

// Bounds on the work done for one PDF. A hostile file can declare huge
// page counts, page trees with cycles or content streams that inflate
// without end; these bounds turn each into an error.
const (
	maxPDFPages     = 10000
	maxPDFTreeDepth = 32
	maxPDFOperators = 20_000_000
)

var errPDFBudget = errors.New("pdf work budget exhausted")

// pdfText returns the text of a PDF: the strings shown by text operators,
// decoded with each font's encoding or ToUnicode map, with a line break
// for each line move and a space for wide glyph spacing.
func pdfText(data []byte, maxText int) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text = ""
			if r == errPDFBudget {
				err = fmt.Errorf("%w: pdf: its content is over the scan limits", ErrTooLarge)
				return
			}
			err = fmt.Errorf("%w: pdf: %v", ErrCorrupt, r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if strings.Contains(err.Error(), "encrypt") || strings.Contains(err.Error(), "password") {
			return "", fmt.Errorf("%w: pdf: remove the password before attaching, or scan it before encrypting", ErrEncrypted)
		}
		return "", fmt.Errorf("%w: pdf: %v", ErrCorrupt, err)
	}
	pages := collectPages(r.Trailer().Key("Root").Key("Pages"), 0, nil)
	if len(pages) == 0 {
		return "", fmt.Errorf("%w: pdf: no pages found", ErrCorrupt)
	}
	if len(pages) > maxPDFPages {
		return "", fmt.Errorf("%w: pdf: more than %d pages", ErrTooLarge, maxPDFPages)
	}
	var b strings.Builder
	ops := 0
	for _, v := range pages {
		pageText(pdf.Page{V: v}, &b, &ops, maxText)
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// collectPages walks the page tree depth-first, to at most
// maxPDFTreeDepth levels, which also ends a tree that loops back on
// itself.
func collectPages(node pdf.Value, depth int, out []pdf.Value) []pdf.Value {
	if depth > maxPDFTreeDepth || len(out) > maxPDFPages {
		return out
	}
	switch node.Key("Type").Name() {
	case "Page":
		return append(out, node)
	case "Pages":
	default:
		if depth > 0 || node.Key("Kids").Len() == 0 {
			return out
		}
	}
	kids := node.Key("Kids")
	for i := 0; i < kids.Len() && len(out) <= maxPDFPages; i++ {
		out = collectPages(kids.Index(i), depth+1, out)
	}
	return out
}

func pageText(p pdf.Page, b *strings.Builder, ops *int, maxText int) {
	contents := p.V.Key("Contents")
	if contents.IsNull() {
		return
	}
	encoders := map[string]pdf.TextEncoding{}
	var enc pdf.TextEncoding
	show := func(raw string) {
		if enc == nil {
			b.WriteString(raw)
		} else {
			b.WriteString(enc.Decode(raw))
		}
	}
	pdf.Interpret(contents, func(stk *pdf.Stack, op string) {
		*ops++
		if *ops > maxPDFOperators || b.Len() > maxText {
			panic(errPDFBudget)
		}
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "BT", "ET":
			b.WriteByte('\n')
		case "Td", "TD", "T*", "Tm":
			b.WriteByte('\n')
		case "Tf":
			if len(args) != 2 {
				return
			}
			name := args[0].Name()
			e, ok := encoders[name]
			if !ok {
				font := p.Font(name)
				e = font.Encoder()
				encoders[name] = e
			}
			enc = e
		case "'", "\"":
			b.WriteByte('\n')
			if len(args) > 0 {
				show(args[len(args)-1].RawString())
			}
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "TJ":
			if len(args) != 1 {
				return
			}
			arr := args[0]
			for i := 0; i < arr.Len(); i++ {
				x := arr.Index(i)
				if x.Kind() == pdf.String {
					show(x.RawString())
				} else if x.Float64() < -200 {
					b.WriteByte(' ')
				}
			}
		}
	})
}
