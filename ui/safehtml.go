package ui

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxHTMLDepth bounds the element nesting that HTMLToText follows, so
// that hostile mail with deep nesting cannot exhaust the stack.
const maxHTMLDepth = 256

// HTMLToText turns an HTML body into plain text for display. Paragraphs,
// line breaks, headings, lists, quotes and table rows keep their shape.
// Every link is written with its real target after the text, images
// become placeholders, and scripts, styles and forms are dropped. Nothing
// is fetched: the result is text only.
func HTMLToText(src string) string {
	w := &textWriter{lineStart: true}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		// html.Parse rejects documents nested deeper than its open
		// element stack allows. Show their text without structure.
		w.tokens(src)
		return w.finish()
	}
	w.node(doc, 0)
	return w.finish()
}

// tokens writes only the text tokens of src, skipping scripts and styles.
func (w *textWriter) tokens(src string) {
	z := html.NewTokenizer(strings.NewReader(src))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken:
			if isHiddenElement(z) {
				skip++
			}
		case html.EndTagToken:
			if isHiddenElement(z) && skip > 0 {
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				w.text(string(z.Text()))
			}
		}
	}
}

func isHiddenElement(z *html.Tokenizer) bool {
	name, _ := z.TagName()
	switch atom.Lookup(name) {
	case atom.Script, atom.Style, atom.Head, atom.Noscript, atom.Template:
		return true
	}
	return false
}

type textWriter struct {
	b strings.Builder
	// pendingBreaks is the number of line breaks owed before the next
	// text, so that block boundaries collapse.
	pendingBreaks int
	quoteDepth    int
	listDepth     int
	preDepth      int
	cellsInRow    int
	lineStart     bool
}

func (w *textWriter) node(n *html.Node, depth int) {
	if depth > maxHTMLDepth {
		w.text("[…]")
		return
	}
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.DocumentNode:
		w.children(n, depth)
		return
	case html.ElementNode:
	default:
		return
	}

	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Noscript, atom.Template,
		atom.Iframe, atom.Object, atom.Embed, atom.Form, atom.Input,
		atom.Button, atom.Select, atom.Textarea, atom.Svg, atom.Math:
		return
	case atom.Br:
		w.breakLine(1)
	case atom.Hr:
		w.breakLine(2)
		w.text("———")
		w.breakLine(2)
	case atom.Img:
		w.image(n)
	case atom.A:
		w.link(n, depth)
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		w.breakLine(2)
		w.children(n, depth)
		w.breakLine(2)
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Header,
		atom.Footer, atom.Table, atom.Ul, atom.Ol, atom.Dl:
		w.breakLine(2)
		w.block(n, depth)
		w.breakLine(2)
	case atom.Blockquote:
		w.breakLine(2)
		w.quoteDepth++
		w.children(n, depth)
		w.quoteDepth--
		w.breakLine(2)
	case atom.Pre:
		w.breakLine(2)
		w.preDepth++
		w.children(n, depth)
		w.preDepth--
		w.breakLine(2)
	case atom.Li:
		w.breakLine(1)
		w.text(strings.Repeat("  ", max(w.listDepth-1, 0)) + "• ")
		w.children(n, depth)
		w.breakLine(1)
	case atom.Tr:
		w.breakLine(1)
		w.cellsInRow = 0
		w.children(n, depth)
		w.breakLine(1)
	case atom.Dt, atom.Dd:
		w.breakLine(1)
		w.children(n, depth)
		w.breakLine(1)
	case atom.Td, atom.Th:
		if w.cellsInRow > 0 {
			w.text(" | ")
		}
		w.cellsInRow++
		w.children(n, depth)
	default:
		w.children(n, depth)
	}
}

func (w *textWriter) block(n *html.Node, depth int) {
	if n.DataAtom == atom.Ul || n.DataAtom == atom.Ol {
		w.listDepth++
		defer func() { w.listDepth-- }()
	}
	w.children(n, depth)
}

func (w *textWriter) children(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c, depth+1)
	}
}

// link writes the link text followed by its real target, so that a link
// whose text names one site but points to another is visible as such.
func (w *textWriter) link(n *html.Node, depth int) {
	w.children(n, depth)
	href := strings.TrimSpace(attr(n, "href"))
	if href == "" {
		return
	}
	w.text(" <" + describeTarget(href) + ">")
}

// describeTarget returns the link target as it would be followed. Targets
// that run code or carry inline data are named instead of shown.
func describeTarget(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return "invalid link"
	}
	switch strings.ToLower(u.Scheme) {
	case "javascript", "vbscript":
		return "script link, removed"
	case "data":
		return "embedded data link, removed"
	}
	return u.String()
}

func (w *textWriter) image(n *html.Node) {
	alt := strings.TrimSpace(attr(n, "alt"))
	if alt == "" {
		w.text("[image]")
		return
	}
	w.text(fmt.Sprintf("[image: %s]", alt))
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == name {
			return a.Val
		}
	}
	return ""
}

func (w *textWriter) breakLine(n int) {
	if w.b.Len() == 0 {
		return
	}
	w.pendingBreaks = max(w.pendingBreaks, n)
}

func (w *textWriter) text(s string) {
	if w.preDepth == 0 {
		s = collapseSpace(s)
		if s == "" || (s == " " && (w.lineStart || w.pendingBreaks > 0 || w.b.Len() == 0)) {
			return
		}
	}
	if w.pendingBreaks > 0 {
		w.b.WriteString(strings.Repeat("\n", w.pendingBreaks))
		w.pendingBreaks = 0
		w.lineStart = true
	}
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			w.b.WriteByte('\n')
			w.lineStart = true
		}
		if w.lineStart {
			if w.quoteDepth > 0 {
				w.b.WriteString(strings.Repeat("> ", w.quoteDepth))
			}
			if w.preDepth == 0 {
				line = strings.TrimLeft(line, " ")
			}
			w.lineStart = line == ""
		}
		w.b.WriteString(line)
	}
}

// collapseSpace turns every run of HTML white space into one space.
func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\f':
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

func (w *textWriter) finish() string {
	lines := strings.Split(w.b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
