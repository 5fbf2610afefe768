package extract

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// htmlText returns the text of an HTML document for scanning: the text
// nodes with entities decoded and a line break after each block element.
// It keeps everything else that travels with the file and can carry PHI,
// each on its own line. That is attribute values (link targets, hidden
// form values, alt text), comments and the contents of script elements.
// Only style sheets and the style and class attributes are left out.
func htmlText(data []byte, maxText int) (string, error) {
	z := html.NewTokenizer(bytes.NewReader(data))
	var b strings.Builder
	inStyle := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return "", fmt.Errorf("%w: html: %v", ErrCorrupt, err)
			}
			return b.String(), nil
		case html.TextToken:
			if inStyle == 0 {
				b.Write(z.Text())
			}
		case html.CommentToken:
			b.WriteByte('\n')
			b.Write(z.Text())
			b.WriteByte('\n')
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if tt == html.StartTagToken && tag == "style" {
				inStyle++
			}
			if blockTags[tag] || tag == "script" {
				b.WriteByte('\n')
			}
			writeAttributes(z, hasAttr, &b)
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "style" && inStyle > 0 {
				inStyle--
			}
			if blockTags[tag] || tag == "script" {
				b.WriteByte('\n')
			}
		}
		if b.Len() > maxText {
			return "", fmt.Errorf("%w: its text is over the limit of %d bytes", ErrTooLarge, maxText)
		}
	}
}

func writeAttributes(z *html.Tokenizer, hasAttr bool, b *strings.Builder) {
	for hasAttr {
		var key, val []byte
		key, val, hasAttr = z.TagAttr()
		if len(val) == 0 || string(key) == "style" || string(key) == "class" {
			continue
		}
		b.WriteByte('\n')
		b.Write(val)
		b.WriteByte('\n')
	}
}

var blockTags = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "td": true,
	"th": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "table": true, "ul": true, "ol": true, "section": true,
	"article": true, "header": true, "footer": true, "blockquote": true,
	"pre": true, "hr": true, "title": true, "dd": true, "dt": true,
}
