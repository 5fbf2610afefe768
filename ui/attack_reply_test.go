package ui

import (
	"slices"
	"strings"
	"testing"

	"securemail/compose"
	"securemail/crypto"
)

// TestAttackReplyReferencesWithoutSpaces replies to a message whose
// References lists msg-ids with no space between them, which RFC 5322
// section 3.6.4 allows because the space is optional CFWS. The reply must
// keep every valid reference so it stays in its thread.
func TestAttackReplyReferencesWithoutSpaces(t *testing.T) {
	m := &crypto.Message{Root: &crypto.Part{MediaType: "text/plain", Body: []byte("Hello")}}
	m.Header.Set("From", "lab@lab.example")
	m.Header.Set("Subject", "Result")
	m.Header.Set("Message-Id", "<c@lab.example>")
	m.Header.Set("References", "<a@lab.example><b@lab.example>")

	d := NewReplyDraft(Reply, m, "dr.rivera@clinic.example")
	want := []string{"a@lab.example", "b@lab.example", "c@lab.example"}
	if !slices.Equal(d.References, want) {
		t.Errorf("reply References %q, want %q", d.References, want)
	}
}

// TestAttackReplyReferencesBareWords replies to a message whose
// References mixes msg-ids with words outside angle brackets, as folded
// text from a hostile sender can. Only the bracketed msg-ids may become
// references.
func TestAttackReplyReferencesBareWords(t *testing.T) {
	m := &crypto.Message{Root: &crypto.Part{MediaType: "text/plain", Body: []byte("Hello")}}
	m.Header.Set("From", "lab@lab.example")
	m.Header.Set("Message-Id", "<c@lab.example>")
	m.Header.Set("References", "<a@lab.example> Bcc: x@evil.example")

	d := NewReplyDraft(Reply, m, "dr.rivera@clinic.example")
	want := []string{"a@lab.example", "c@lab.example"}
	if !slices.Equal(d.References, want) {
		t.Errorf("reply References %q, want %q", d.References, want)
	}
}

// TestAttackReplyReferencesInjection replies to a message whose References
// carries a line break and a Bcc field. No reference of the reply may
// contain a line break, a space or a colon, which could start a field.
func TestAttackReplyReferencesInjection(t *testing.T) {
	m := &crypto.Message{Root: &crypto.Part{MediaType: "text/plain", Body: []byte("Hello")}}
	m.Header.Set("From", "lab@lab.example")
	m.Header.Set("Message-Id", "<c@lab.example>")
	m.Header.Set("References", "<a@lab.example> <b@lab.example>\r\nBcc: <x@evil.example>\r\n")

	d := NewReplyDraft(Reply, m, "dr.rivera@clinic.example")
	for _, id := range d.References {
		if strings.ContainsAny(id, "\r\n :") {
			t.Errorf("reply References contains %q", id)
		}
	}
	if !compose.ValidMessageID(d.InReplyTo) {
		t.Errorf("reply In-Reply-To %q is not a valid Message-ID", d.InReplyTo)
	}
}
