package ui

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"paragraphs", "<p>Hello</p><p>Results   attached.</p>", "Hello\n\nResults attached."},
		{"line break", "Line one<br>Line two", "Line one\nLine two"},
		{"link target shown", `<a href="https://evil.example/login">https://portal.hospital.example</a>`,
			"https://portal.hospital.example <https://evil.example/login>"},
		{"script link named", `<a href="javascript:alert(1)">click</a>`, "click <script link, removed>"},
		{"image placeholder", `<img src="https://tracker.example/pixel.gif" alt="Logo">`, "[image: Logo]"},
		{"image without alt", `<img src="cid:part1">`, "[image]"},
		{"script dropped", "<script>steal()</script><style>p{}</style><p>Text</p>", "Text"},
		{"list", "<ul><li>One</li><li>Two</li></ul>", "• One\n• Two"},
		{"quote", "<blockquote><p>Earlier text</p></blockquote><p>Reply</p>", "> Earlier text\n\nReply"},
		{"table row", "<table><tr><td>Na</td><td>140</td></tr><tr><td>K</td><td>4.1</td></tr></table>", "Na | 140\nK | 4.1"},
		{"heading", "<h1>Lab report</h1>Normal", "Lab report\n\nNormal"},
		{"pre keeps spaces", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"form dropped", `<form action="https://x.example"><input value="secret"></form>ok`, "ok"},
		{"entities", "<p>5 &lt; 6 &amp; 7</p>", "5 < 6 & 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLToText(tt.in); got != tt.want {
				t.Errorf("HTMLToText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLToTextDeepNesting(t *testing.T) {
	in := strings.Repeat("<div>", 5000) + "deep" + strings.Repeat("</div>", 5000)
	got := HTMLToText(in)
	if got != "deep" {
		t.Errorf("HTMLToText(5000 nested divs) = %.80q, want %q", got, "deep")
	}
}

func FuzzHTMLToText(f *testing.F) {
	f.Add("<p>a<a href='x'>b</a><img alt=c></p>")
	f.Add("<table><tr><td><ul><li>x")
	f.Fuzz(func(t *testing.T, in string) {
		_ = HTMLToText(in)
	})
}
