package phi

import "strings"

// cue is a class of context word. The scanner remembers where the last
// cue of each class ended, and the detectors for dates, phone numbers,
// ZIP codes and codes ask whether one is near.
type cue uint8

const (
	cueBirth cue = iota
	cueAdmit
	cueDischarge
	cueDeath
	cueVisit
	cuePhone
	cueFax
	cueICD
	cueZIP
	cueState
	cueNPI
	cueSSN
	cueAge
	// cueNotPHI marks words such as "order" or "invoice" that introduce a
	// number that is not an identifier of a person.
	cueNotPHI
	numCues
)

type keywordAction uint8

const (
	actCue   keywordAction = iota + 1
	actLabel               // the next value is an identifier of kind
	actTerm                // the keyword itself is a finding
	actTitle               // a name follows ("Patient:", "Mrs.")
	actMonth               // a month name starting a written date
	actURL                 // "http", "https", "www"
)

// keyword is one entry of the keyword table. An entry of several words is
// stored under its first word, with the rest in follow.
type keyword struct {
	follow []string
	exact  string // when set, the first word must be spelled exactly so
	act    keywordAction
	cue    cue
	kind   Kind
	cat    Category
	term   string // the whole phrase, lower case
	month  int
}

// keywordTable maps a lower-case first word to its entries, in a map and
// in an index by hash. filter has one bit set per first word, at its
// hash, so that the scanner can skip the index for most words of
// ordinary text.
type keywordTable struct {
	entries map[string][]keyword
	filter  hashFilter
	index   *wordIndex[[]keyword] // entries, for lookups by hash
}

// filterBits sizes the filter. With about 500 first words, fewer than one
// word in a hundred that is not a keyword still reaches the index.
const filterBits = 1 << 16

// wordHash is FNV-1a over the lower-case bytes of a word.
func wordHash(h uint32, c byte) uint32 { return (h ^ uint32(c)) * 16777619 }

const wordHashSeed uint32 = 2166136261

func (t *keywordTable) add(phrase string, k keyword) {
	words := strings.FieldsFunc(phrase, func(r rune) bool {
		return r < 0x80 && isPhraseSep(byte(r))
	})
	k.term = phrase
	k.follow = words[1:]
	first := words[0]
	t.entries[first] = append(t.entries[first], k)
	t.filter.add(first)
}

// mayContain reports whether a word with hash h can be in the table.
func (t *keywordTable) mayContain(h uint32) bool {
	return t.filter.mayContain(h)
}

// hashFilter has one bit set per word added, at the wordHash of its
// lower-case bytes. A clear bit proves that a word is not in the set.
type hashFilter [filterBits / 64]uint64

func (f *hashFilter) add(word string) {
	h := wordHashSeed
	for k := 0; k < len(word); k++ {
		h = wordHash(h, lower(word[k]))
	}
	f[(h%filterBits)/64] |= 1 << (h % 64)
}

func (f *hashFilter) mayContain(h uint32) bool {
	return f[(h%filterBits)/64]&(1<<(h%64)) != 0
}

var keywords = buildKeywords()

func buildKeywords() *keywordTable {
	t := &keywordTable{entries: make(map[string][]keyword)}

	cues := map[cue][]string{
		cueBirth: {"dob", "d.o.b", "born", "birth", "date of birth", "birthdate",
			"birthday"},
		cueAdmit: {"admitted", "admission", "admit", "admit date",
			"date of admission"},
		cueDischarge: {"discharged", "discharge", "discharge date",
			"date of discharge"},
		cueDeath: {"died", "death", "deceased", "expired", "dod",
			"date of death", "passed away"},
		cueVisit: {"seen on", "visit on", "date of service", "dos",
			"surgery on", "procedure on"},
		cuePhone: {"phone", "tel", "telephone", "cell", "mobile", "call",
			"pager", "ph", "contact number", "home phone", "work phone"},
		cueFax: {"fax", "facsimile", "fax number", "fax no"},
		cueICD: {"icd", "icd-10", "icd-10-cm", "dx", "diagnosis",
			"diagnoses", "diagnosis code", "code", "codes"},
		cueZIP: {"zip", "zip code", "zipcode", "postal code"},
		cueAge: {"age", "aged", "age is"},
		cueNPI: {"npi", "national provider identifier", "provider",
			"prescriber", "referring", "ordering", "attending"},
		cueSSN: {"ssn", "ss#", "social security", "social security number",
			"social security no", "soc sec"},
		cueNotPHI: {"order", "invoice", "ticket", "tracking", "confirmation",
			"version", "ref", "reference", "po", "item", "sku", "case",
			"room", "extension", "build", "release"},
	}
	for c, phrases := range cues {
		for _, p := range phrases {
			t.add(p, keyword{act: actCue, cue: c})
		}
	}

	labels := map[Kind][]string{
		KindMRN: {"mrn", "medical record number", "medical record no",
			"medical record", "med rec", "chart number", "chart no", "chart"},
		KindAccount: {"account", "acct", "account number", "account no",
			"billing account", "acct no"},
		KindLicense: {"license", "licence", "license number", "licence number",
			"license no", "licence no", "lic", "driver's license",
			"drivers license", "driver license", "certificate number"},
		KindHealthPlan: {"member id", "member number", "member no",
			"subscriber id", "subscriber number", "policy number", "policy no",
			"group number", "plan id", "insurance id", "medicaid id",
			"medicaid number", "beneficiary id", "health plan id", "id card"},
		KindDevice: {"serial", "serial number", "serial no", "s/n", "udi",
			"device id", "device identifier", "lot number", "implant id"},
	}
	for kind, phrases := range labels {
		for _, p := range phrases {
			t.add(p, keyword{act: actLabel, kind: kind})
		}
	}

	for _, p := range []string{"patient", "pt", "patient name", "name",
		"mr", "mrs", "ms", "miss", "mx", "client", "resident", "re"} {
		t.add(p, keyword{act: actTitle})
	}

	months := []string{"january", "february", "march", "april", "may", "june",
		"july", "august", "september", "october", "november", "december"}
	for i, m := range months {
		t.add(m, keyword{act: actMonth, month: i + 1})
		if len(m) > 3 && m != "may" {
			t.add(m[:3], keyword{act: actMonth, month: i + 1})
		}
	}
	t.add("sept", keyword{act: actMonth, month: 9})

	for _, p := range []string{"http", "https", "ftp", "www"} {
		t.add(p, keyword{act: actURL})
	}

	for _, state := range stateCodes {
		t.add(strings.ToLower(state), keyword{act: actCue, cue: cueState, exact: state})
	}

	for _, m := range medications {
		t.add(m, keyword{act: actTerm, kind: KindMedication, cat: CategoryClinical})
	}
	for _, l := range labTerms {
		t.add(l, termKeyword(l, KindLabTerm, CategoryClinical))
	}
	for cat, terms := range sensitiveTerms {
		for _, term := range terms {
			t.add(term, termKeyword(term, KindSensitiveTerm, cat))
		}
	}
	t.index = newWordIndex(t.entries)
	return t
}

func termKeyword(term string, kind Kind, cat Category) keyword {
	k := keyword{act: actTerm, kind: kind, cat: cat}
	if exactTerms[term] {
		k.exact = strings.Fields(exactSpelling(term))[0]
	}
	return k
}

// stateCodes are the two-letter codes of US states, districts and
// territories, which mark the ZIP code that follows them.
var stateCodes = []string{
	"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI",
	"ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN",
	"MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
	"OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
	"WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP",
}
