package phi_test

import (
	"strings"
	"testing"
	"time"

	"securemail/phi"
	"securemail/phi/corpus"
)

// Run with -cpu 1 for the figure per core:
//
//	go test ./phi -run '^$' -bench . -cpu 1
//
// Besides MB/s of wall time, each benchmark reports MB per CPU second
// (MB/cpu-s), which stays meaningful on a machine shared with other work.

// cpuMeter reports MB/cpu-s for the bytes a benchmark processed.
type cpuMeter struct {
	b     *testing.B
	start time.Duration
	ok    bool
}

func startCPUMeter(b *testing.B) cpuMeter {
	start, ok := processCPUTime()
	return cpuMeter{b: b, start: start, ok: ok}
}

func (m cpuMeter) stop(bytesPerOp int64) {
	end, ok := processCPUTime()
	if !m.ok || !ok || end <= m.start {
		return
	}
	seconds := (end - m.start).Seconds()
	m.b.ReportMetric(float64(bytesPerOp)*float64(m.b.N)/1e6/seconds, "MB/cpu-s")
	m.b.ReportMetric(seconds*1e3/float64(m.b.N), "cpu-ms/op")
}

func benchScanText(b *testing.B, text string) {
	s, err := phi.NewScanner(phi.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	meter := startCPUMeter(b)
	for b.Loop() {
		s.ScanText(phi.FieldBody, text)
	}
	meter.stop(int64(len(text)))
}

// BenchmarkScanNotes measures clinical prose with an identifier or term in
// about one sentence of eight.
func BenchmarkScanNotes(b *testing.B) {
	benchScanText(b, corpus.Note(1, 4<<20))
}

// BenchmarkScanDenseCorpus measures the labelled corpus, where almost
// every sentence holds an identifier.
func BenchmarkScanDenseCorpus(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 4<<20 {
		for _, m := range corpus.Generate(2, 500) {
			sb.WriteString(m.Body)
		}
	}
	benchScanText(b, sb.String())
}

func benchMessage(b *testing.B, att phi.Attachment) {
	s, err := phi.NewScanner(phi.Config{})
	if err != nil {
		b.Fatal(err)
	}
	doc := phi.Document{
		Subject:     "Discharge summary",
		Body:        corpus.Note(3, 2<<10),
		Attachments: []phi.Attachment{att},
	}
	if r := s.Scan(doc); len(r.Unscanned) > 0 {
		b.Fatalf("attachment unscanned: %+v", r.Findings)
	}
	meter := startCPUMeter(b)
	for b.Loop() {
		s.Scan(doc)
	}
	meter.stop(int64(len(att.Data)))
	b.ReportMetric(float64(len(att.Data))/1e6, "file-MB")
}

// BenchmarkMessage2MBText is a typical message with a 2 MB text file.
func BenchmarkMessage2MBText(b *testing.B) {
	benchMessage(b, phi.Attachment{Name: "notes.txt", Data: []byte(corpus.Note(4, 2<<20))})
}

// BenchmarkMessage2MBPDF is a typical message with a PDF holding 2 MB of
// text. The generated text compresses well, so the file is smaller than
// 2 MB; file-MB reports its size and MB/cpu-s counts file bytes.
func BenchmarkMessage2MBPDF(b *testing.B) {
	pdf := corpus.PDF(corpus.Note(5, 2<<20))
	benchMessage(b, phi.Attachment{Name: "notes.pdf", Data: pdf})
}

// BenchmarkMessage2MBDOCX is a typical message with a DOCX file holding
// 2 MB of text.
func BenchmarkMessage2MBDOCX(b *testing.B) {
	benchMessage(b, phi.Attachment{Name: "notes.docx", Data: corpus.DOCX(corpus.Note(6, 2<<20))})
}

// BenchmarkScanNotesAccented measures clinical prose in which every line
// has a few non-ASCII letters and a typographic dash, as notes written in
// a word processor have. Such text cannot skip folding.
func BenchmarkScanNotesAccented(b *testing.B) {
	note := strings.ReplaceAll(corpus.Note(1, 4<<20), "\n", " Café – naïve.\n")
	benchScanText(b, note)
}

// BenchmarkScanNotesFullWidth measures clinical prose with every digit
// typed as a full-width digit, so that folding changes many runes.
func BenchmarkScanNotesFullWidth(b *testing.B) {
	toFullWidth := func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}
	benchScanText(b, strings.Map(toFullWidth, corpus.Note(1, 4<<20)))
}

// BenchmarkFoldAccented measures folding alone on the text of
// BenchmarkScanNotesAccented.
func BenchmarkFoldAccented(b *testing.B) {
	note := strings.ReplaceAll(corpus.Note(1, 4<<20), "\n", " Café – naïve.\n")
	b.SetBytes(int64(len(note)))
	for b.Loop() {
		phi.Fold(note)
	}
}

// BenchmarkFoldChinese measures folding alone on CJK ideographs with an
// ASCII space after every eighth, none of which folding changes.
func BenchmarkFoldChinese(b *testing.B) {
	var sb strings.Builder
	for r := rune(0x4E00); sb.Len() < 4<<20; r++ {
		sb.WriteRune(0x4E00 + r%2000)
		if r%8 == 0 {
			sb.WriteByte(' ')
		}
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		phi.Fold(text)
	}
}

// BenchmarkFoldASCII measures folding alone on the ASCII text of
// BenchmarkScanNotes, which only tests for a byte of 0x80 or more.
func BenchmarkFoldASCII(b *testing.B) {
	note := corpus.Note(1, 4<<20)
	b.SetBytes(int64(len(note)))
	for b.Loop() {
		phi.Fold(note)
	}
}
