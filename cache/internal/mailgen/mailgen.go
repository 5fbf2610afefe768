// Package mailgen generates deterministic synthetic mail for the cache
// benchmarks and for the notmuch comparison script, so both index the
// same messages. The text is made-up words with a Zipf frequency, mixed
// with common clinical words; it contains no real person or patient.
package mailgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// clinicalWords are frequent words of clinical mail, written for this
// generator.
var clinicalWords = strings.Fields(`patient results lab report follow up appointment referral
	blood pressure glucose potassium sodium creatinine medication dose prescription allergy
	scan imaging radiology discharge summary admission ward clinic nurse doctor consultant
	please review attached thanks regards today tomorrow morning afternoon urgent routine
	history examination diagnosis treatment plan therapy pain fever cough infection chest
	renal cardiac hepatic insulin warfarin metformin statin antibiotic biopsy pathology`)

var syllables = strings.Fields(`ba be bi bo bu ka ke ki ko ku la le li lo lu ma me mi mo mu
	na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu
	bar ber kin kor lan len mar mor nan ner ral rin sal sen tan tor van ver zan zer`)

// Generator makes the messages of one corpus.
type Generator struct {
	seed   uint64
	vocab  []string
	people []string
	start  time.Time
}

// VocabularySize is the number of made-up words.
const VocabularySize = 30000

// New returns a generator; the same seed gives the same corpus.
func New(seed uint64) *Generator {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	g := &Generator{seed: seed, start: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)}
	seen := map[string]bool{}
	for _, w := range clinicalWords {
		seen[w] = true
	}
	for len(g.vocab) < VocabularySize {
		var b strings.Builder
		for n := 2 + rng.IntN(3); n > 0; n-- {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			g.vocab = append(g.vocab, w)
		}
	}
	for i := 0; i < 500; i++ {
		g.people = append(g.people, fmt.Sprintf("%s.%s%d", g.vocab[rng.IntN(2000)], g.vocab[rng.IntN(2000)], i))
	}
	return g
}

// Address returns the address of person i.
func (g *Generator) Address(i int) string {
	domain := "clinic.example"
	if i%3 == 0 {
		domain = "lab.example"
	}
	return g.people[i%len(g.people)] + "@" + domain
}

// Message returns message i of the corpus and its date.
func (g *Generator) Message(i int) ([]byte, time.Time) {
	rng := rand.New(rand.NewPCG(g.seed, uint64(i)+1))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(g.vocab)-1))
	word := func() string {
		if rng.IntN(4) == 0 {
			return clinicalWords[rng.IntN(len(clinicalWords))]
		}
		return g.vocab[zipf.Uint64()]
	}
	sentence := func(n int) string {
		ws := make([]string, n)
		for k := range ws {
			ws[k] = word()
		}
		return strings.Join(ws, " ")
	}

	date := g.start.Add(time.Duration(i) * 15 * time.Minute).Add(time.Duration(rng.IntN(600)) * time.Second)
	from := rng.IntN(len(g.people))
	var b strings.Builder
	fmt.Fprintf(&b, "From: \"%s\" <%s>\r\n", strings.ToUpper(g.people[from][:1])+g.people[from][1:], g.Address(from))
	fmt.Fprintf(&b, "To: %s", g.Address(rng.IntN(len(g.people))))
	for n := rng.IntN(3); n > 0; n-- {
		fmt.Fprintf(&b, ", %s", g.Address(rng.IntN(len(g.people))))
	}
	fmt.Fprintf(&b, "\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <gen%d.%d@securemail.test>\r\n", sentence(3+rng.IntN(5)), date.Format(time.RFC1123Z), g.seed, i)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	for p := 1 + rng.IntN(4); p > 0; p-- {
		b.WriteString(sentence(10 + rng.IntN(30)))
		b.WriteString(".\r\n\r\n")
	}
	return []byte(b.String()), date
}

// Queries are the search terms both benchmarks use.
type Queries struct {
	Words, Prefixes, Senders []string
}

// BenchQueries returns words of high, middle and low frequency, prefixes
// of them, and sender addresses.
func (g *Generator) BenchQueries() Queries {
	var q Queries
	for _, rank := range []int{3, 10, 30, 100, 300, 1000, 3000, 10000} {
		q.Words = append(q.Words, g.vocab[rank])
		q.Prefixes = append(q.Prefixes, g.vocab[rank+1][:4])
	}
	q.Words = append(q.Words, "potassium", "referral")
	q.Prefixes = append(q.Prefixes, "radi", "disch")
	for _, p := range []int{1, 7, 42, 99, 123, 250, 333, 404, 450, 499} {
		q.Senders = append(q.Senders, g.Address(p))
	}
	return q
}
