package phi_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"securemail/phi"
	"securemail/phi/corpus"
)

func FuzzScanText(f *testing.F) {
	for _, m := range corpus.Generate(1, 8) {
		f.Add(m.Body)
	}
	for _, seed := range []string{
		"", "(", "+", "@", ":", "::", "(312) 555-", "+1 (", "a@b.", "www.", "http://",
		"Patient: ", "Mr. O'", "DOB 3 March", "March 3,", "1 2 3", "1-2-3-4-5-6-7-8-9",
		"fe80::1::2", "MRN: ((((", "Acct # -", "DOB 14-Mar-", "ZIP 62704-",
		"SSN ５１２-３４-５６７８", "MRN: 1234\u200b5678", "MRN ⒇⒇ 1234 56", "½ 1⁄2 ⑴",
		"\ufdfa 12", "x\xff１", "SSN 512.34.5678", "call ４１２–２６８–３０００",
	} {
		f.Add(seed)
	}
	s, err := phi.NewScanner(phi.Config{MRNPatterns: []string{`\bHX-[0-9]{4}\b`}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fs := s.ScanText(phi.FieldBody, text)
		last := 0
		for _, fd := range fs {
			if fd.Start < last || fd.End <= fd.Start || fd.End > len(text) {
				t.Fatalf("finding %s at [%d, %d) is out of order or out of range (text %d bytes, previous end %d)",
					fd.Kind, fd.Start, fd.End, len(text), last)
			}
			last = fd.End
			raw := text[fd.Start:fd.End]
			if fd.Category == phi.CategoryIdentifier && len(raw) >= 3 && strings.Contains(fd.Excerpt, raw) {
				t.Fatalf("%s excerpt %q contains the identifier %q", fd.Kind, fd.Excerpt, raw)
			}
			if utf8.ValidString(text) && !utf8.ValidString(fd.Excerpt) {
				t.Fatalf("%s excerpt %q is not valid UTF-8", fd.Kind, fd.Excerpt)
			}
		}
	})
}

func FuzzDocumentFromMessage(f *testing.F) {
	f.Add([]byte(testMessage))
	f.Add([]byte("Subject: x\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\n\r\nhi\r\n--a--\r\n"))
	s, err := phi.NewScanner(phi.Config{MaxAttachmentBytes: 1 << 16})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		doc, err := phi.DocumentFromMessage(raw)
		if err != nil {
			return
		}
		r := s.Scan(doc)
		for _, fd := range r.Findings {
			if fd.Attachment >= len(doc.Attachments) {
				t.Fatalf("finding names attachment %d of %d", fd.Attachment, len(doc.Attachments))
			}
		}
	})
}
