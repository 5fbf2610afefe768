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
// without end, and these bounds turn each into an error.
const (
	maxPDFPages = 5000
	// maxPDFTreeNodes allows for the intermediate nodes of a balanced
	// page tree. The library parses a node again on each visit, at tens of
	// microseconds each, so this also bounds the time spent on a tree that
	// loops back on itself.
	maxPDFTreeNodes = maxPDFPages + maxPDFPages/2
	maxPDFTreeDepth = 32
	// The operator budget is a floor plus two per input byte. Text pages
	// compressed with flate need well under one operator per byte, while
	// a content stream that inflates a thousandfold needs far more.
	// TestHostilePDFs logs how long a flood of operators runs before the
	// budget stops it.
	minPDFOperators     = 500_000
	pdfOperatorsPerByte = 2
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

	if err := precheckPDF(data); err != nil {
		return "", err
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if strings.Contains(err.Error(), "encrypt") || strings.Contains(err.Error(), "password") {
			return "", fmt.Errorf("%w: pdf: remove the password before attaching, or scan it before encrypting", ErrEncrypted)
		}
		return "", fmt.Errorf("%w: pdf: %v", ErrCorrupt, err)
	}

	walk := pageWalk{}
	walk.collect(r.Trailer().Key("Root").Key("Pages"), 0)
	pages := walk.pages
	if len(pages) == 0 {
		return "", fmt.Errorf("%w: pdf: no pages found", ErrCorrupt)
	}
	if len(pages) > maxPDFPages {
		return "", fmt.Errorf("%w: pdf: more than %d pages", ErrTooLarge, maxPDFPages)
	}

	var b strings.Builder
	// The document information (title, author, subject, keywords) can
	// name the patient, and travels with the file.
	info := r.Trailer().Key("Info")
	for _, key := range []string{"Title", "Author", "Subject", "Keywords"} {
		if v := info.Key(key).Text(); v != "" {
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}

	ops := minPDFOperators + pdfOperatorsPerByte*len(data)
	for k, v := range pages {
		page := pdf.Page{V: v}
		before := b.Len()
		pageText(page, &b, &ops, maxText)
		// A page of images with no text is most likely a scan, and its
		// PHI cannot be read without OCR, so it must not pass as clean.
		if strings.TrimSpace(b.String()[before:]) == "" && len(pageResources(page).Key("XObject").Keys()) > 0 {
			return "", fmt.Errorf("%w: pdf page %d has images but no text (a scanned page?)", ErrUnsupported, k+1)
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// pageWalk collects the pages of a page tree depth-first. It stops at
// maxPDFTreeDepth levels and maxPDFTreeNodes nodes, which also ends a
// tree that loops back on itself.
type pageWalk struct {
	pages []pdf.Value
	nodes int
}

func (w *pageWalk) collect(node pdf.Value, depth int) {
	w.nodes++
	if depth > maxPDFTreeDepth || w.nodes > maxPDFTreeNodes || len(w.pages) > maxPDFPages {
		return
	}
	switch node.Key("Type").Name() {
	case "Page":
		w.pages = append(w.pages, node)
		return
	case "Pages":
	default:
		// QUIRK: some writers omit /Type on the root of the page tree.
		if depth > 0 || node.Key("Kids").Len() == 0 {
			return
		}
	}
	kids := node.Key("Kids")
	for i := 0; i < kids.Len() && w.nodes <= maxPDFTreeNodes; i++ {
		w.collect(kids.Index(i), depth+1)
	}
}

// pageResources returns the resource dictionary of a page, inherited from
// its ancestors if need be. It stops after maxPDFTreeDepth parents, where
// the library's own lookup (Page.Resources) loops forever on a page whose
// /Parent chain is a cycle.
func pageResources(p pdf.Page) pdf.Value {
	v := p.V
	for depth := 0; depth <= maxPDFTreeDepth && !v.IsNull(); depth++ {
		if r := v.Key("Resources"); !r.IsNull() {
			return r
		}
		v = v.Key("Parent")
	}
	return pdf.Value{}
}

// pageText appends the text of one page to b. It panics with
// errPDFBudget when the operator budget in ops runs out or the text passes
// maxText.
func pageText(p pdf.Page, b *strings.Builder, ops *int, maxText int) {
	contents := p.V.Key("Contents")
	if contents.IsNull() {
		return
	}
	fonts := pageResources(p).Key("Font")
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
		*ops--
		if *ops < 0 || b.Len() > maxText {
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
				font := pdf.Font{V: fonts.Key(name)}
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
