package extract_test

import (
	"testing"

	"securemail/phi/corpus"
	"securemail/phi/extract"
)

// fuzzNames select the extractor, since Detect falls back to the name
// when the content has no magic bytes.
var fuzzNames = []string{"a.txt", "a.html", "a.pdf", "a.docx"}

func FuzzText(f *testing.F) {
	text := "Patient: Aldrena Quillfeather\nMRN: 00482913"
	f.Add(uint8(0), []byte(text))
	f.Add(uint8(1), []byte("<p>"+text+"<script>x</script>"))
	f.Add(uint8(2), corpus.PDF(text))
	f.Add(uint8(3), corpus.DOCX(text))
	limits := extract.Limits{MaxInput: 1 << 20, MaxText: 64 << 10}
	f.Fuzz(func(t *testing.T, format uint8, data []byte) {
		name := fuzzNames[int(format)%len(fuzzNames)]
		got, err := extract.Text(name, "", data, limits)
		if err == nil && len(got) > limits.MaxText {
			t.Fatalf("%s: %d bytes of text, over the limit of %d", name, len(got), limits.MaxText)
		}
	})
}
