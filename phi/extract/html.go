package extract

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// htmlText returns the text of an HTML document: the text nodes with
// entities decoded, a line break after each block element, and the
// contents of script and style left out. Attribute values such as link
// targets are kept too, since a link can carry an identifier.
func htmlText(data []byte, maxText int) (string, error) {
	z := html.NewTokenizer(bytes.NewReader(data))
	var b strings.Builder
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return "", fmt.Errorf("%w: html: %v", ErrCorrupt, err)
			}
			return b.String(), nil
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if tt == html.StartTagToken && (tag == "script" || tag == "style") {
				skip++
			}
			if blockTags[tag] {
				b.WriteByte('\n')
			}
			for hasAttr {
				var key, val []byte
				key, val, hasAttr = z.TagAttr()
				if string(key) == "href" || string(key) == "title" || string(key) == "alt" {
					b.WriteByte(' ')
					b.Write(val)
					b.WriteByte(' ')
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if (tag == "script" || tag == "style") && skip > 0 {
				skip--
			}
			if blockTags[tag] {
				b.WriteByte('\n')
			}
		}
		if b.Len() > maxText {
			return "", fmt.Errorf("%w: its text is over the limit of %d bytes", ErrTooLarge, maxText)
		}
	}
}

var blockTags = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "td": true,
	"th": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "table": true, "ul": true, "ol": true, "section": true,
	"article": true, "header": true, "footer": true, "blockquote": true,
	"pre": true, "hr": true, "title": true, "dd": true, "dt": true,
}
