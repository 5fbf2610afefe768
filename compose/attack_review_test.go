package compose

import (
	"strings"
	"testing"
)

// TestAttackValidMessageID checks msg-id forms a hostile original message
// can put into a reply: header injection, brackets left on, several "@",
// non-ASCII and the length limit.
func TestAttackValidMessageID(t *testing.T) {
	long := strings.Repeat("a", 890) + "@example.org"
	cases := []struct {
		id   string
		want bool
	}{
		{"abc@example.org", true},
		{"a.b-c_d+e@[192.0.2.1]", true},
		{long[:890], false}, // no "@"
		{long, false},
		{long[len(long)-900:], true},
		{"", false},
		{"@example.org", false},
		{"abc@", false},
		{"a@b@example.org", false},
		{"<abc@example.org>", false},
		{"abc@example.org\r\nBcc: x@evil.example", false},
		{"abc@example.org\nBcc: x@evil.example", false},
		{"abc\x00@example.org", false},
		{"abc@exa mple.org", false},
		{"abc@example.org\t", false},
		{"abc@exämple.org", false},
		{"abc@example.org\x7f", false},
		{"a\"b@example.org", false},
		{"a(b)@example.org", false},
		{"a;b@example.org", false},
	}
	for _, tc := range cases {
		if got := ValidMessageID(tc.id); got != tc.want {
			t.Errorf("ValidMessageID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

// TestAttackReviewRejectsInjectedReferences runs the review on drafts
// whose In-Reply-To or one References entry carries a line break. The
// review must fail before the value reaches a header.
func TestAttackReviewRejectsInjectedReferences(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(d *Draft)
	}{
		{"in-reply-to", func(d *Draft) { d.InReplyTo = "a@example.org\r\nBcc: x@evil.example" }},
		{"references", func(d *Draft) { d.References = []string{"a@example.org", "b@example.org\nBcc: x@evil.example"} }},
		{"empty reference", func(d *Draft) { d.References = []string{""} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &Draft{InReplyTo: "ok@example.org"}
			tc.edit(d)
			if err := checkReferences(d); err == nil {
				t.Error("checkReferences accepted an invalid reference")
			}
		})
	}
}
