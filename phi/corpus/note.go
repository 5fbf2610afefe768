package corpus

import (
	"math/rand/v2"
	"strings"
)

// noteSentences are ordinary clinical prose with no identifiers.
var noteSentences = []string{
	"The patient reports improved sleep and less daytime fatigue since the last visit.",
	"Lungs are clear to auscultation bilaterally, with no wheezes or crackles.",
	"Heart has a regular rate and rhythm, and no murmurs are heard.",
	"Abdomen is soft and non-tender, and bowel sounds are normal.",
	"We discussed diet, exercise and the importance of taking medication every day.",
	"She will return in three months, or sooner if the symptoms come back.",
	"Wound edges are well approximated, with no redness or drainage.",
	"Blood pressure readings at home have been within the target range.",
	"He denies chest pain, shortness of breath, fever or chills.",
	"Plan to repeat the blood work before the next appointment.",
	"Physical therapy notes steady progress with the home exercise program.",
	"The family asked good questions, and all of them were answered.",
}

// Note returns about size bytes of clinical prose, with an identifier or
// a clinical term in roughly one sentence of eight, the mix expected in
// day-to-day clinical mail.
func Note(seed uint64, size int) string {
	rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	v := values{rng: rng}
	var b strings.Builder
	b.Grow(size + 256)
	for b.Len() < size {
		if rng.IntN(8) == 0 {
			scratch := &builder{}
			sentences[rng.IntN(len(sentences))](scratch, v)
			b.WriteString(scratch.text.String())
		} else {
			b.WriteString(noteSentences[rng.IntN(len(noteSentences))])
		}
		if rng.IntN(5) == 0 {
			b.WriteString("\n")
		} else {
			b.WriteString(" ")
		}
	}
	return b.String()
}
