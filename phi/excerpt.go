package phi

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

var kindLabels = map[Kind]string{
	KindName:          "Name",
	KindDate:          "Date",
	KindAge:           "Age",
	KindPhone:         "Phone",
	KindFax:           "Fax",
	KindEmail:         "Email",
	KindAddress:       "Address",
	KindZIP:           "ZIP",
	KindSSN:           "SSN",
	KindMRN:           "MRN",
	KindHealthPlan:    "Health plan number",
	KindMBI:           "MBI",
	KindAccount:       "Account",
	KindLicense:       "License",
	KindDEA:           "DEA",
	KindNPI:           "NPI",
	KindDevice:        "Device",
	KindURL:           "URL",
	KindIP:            "IP",
	KindICD10:         "ICD-10",
	KindMedication:    "Medication",
	KindLabTerm:       "Lab",
	KindSensitiveTerm: "Term",
	KindUnscanned:     "Attachment",
}

// maxExcerpt caps the masked text of an excerpt.
const maxExcerpt = 48

// excerpt returns the label and a masked form of raw, which never shows
// an identifier whole. Clinical terms and codes are not identifiers and
// are shown as written.
func excerpt(kind Kind, raw string) string {
	return string(appendExcerpt(nil, kind, kindLabels[kind], raw))
}

// appendExcerpt appends the excerpt of raw to b, so that the excerpts of
// one scan can share a single buffer. label is kindLabels[kind].
func appendExcerpt(b []byte, kind Kind, label, raw string) []byte {
	start := len(b)
	b = append(b, label...)
	b = append(b, ' ')
	switch kind {
	case KindICD10, KindMedication, KindLabTerm, KindSensitiveTerm, KindUnscanned:
		b = append(b, raw...)
	case KindName:
		b = appendMaskedFields(b, raw, false)
	case KindEmail:
		b = appendMaskedEmail(b, raw)
	case KindURL:
		b = appendMaskedURL(b, raw)
	case KindZIP:
		b = appendMasked(b, raw, 3, 0)
	case KindDate, KindIP, KindAge:
		b = appendMasked(b, raw, 0, 0)
	case KindAddress:
		b = appendMaskedFields(b, raw, true)
	case KindSSN:
		b = appendMasked(b, raw, 0, 4)
	default:
		b = appendMasked(b, raw, 0, keepTail(raw))
	}
	if limit := start + len(label) + 1 + maxExcerpt; len(b) > limit {
		b = append(b[:limit], "..."...)
	}
	return b
}

// keepTail returns how many trailing characters of a number may show: the
// last four when at least six others stay hidden, otherwise none.
func keepTail(raw string) int {
	n := 0
	for k := 0; k < len(raw); k++ {
		if isAlnum(raw[k]) {
			n++
		}
	}
	if n >= 10 {
		return 4
	}
	return 0
}

// appendMasked appends raw to b with letters and digits replaced by '*',
// except the first head and the last tail of them. Punctuation stays, and
// bytes of other scripts become '*' too.
func appendMasked(b []byte, raw string, head, tail int) []byte {
	total := 0
	for k := 0; k < len(raw); k++ {
		if isAlnum(raw[k]) {
			total++
		}
	}
	seen := 0
	for k := 0; k < len(raw); k++ {
		c := raw[k]
		switch {
		case c >= 0x80:
			c = '*'
		case isAlnum(c):
			if seen >= head && seen < total-tail {
				c = '*'
			}
			seen++
		}
		b = append(b, c)
	}
	return b
}

// appendMaskedFields appends the words of raw, as strings.Fields splits
// them, joined by single spaces. A name keeps the first letter of each
// word ("J*** D**"). An address hides every word except the street type,
// as in "**** ***** Street".
func appendMaskedFields(b []byte, raw string, address bool) []byte {
	first := true
	for i := 0; i < len(raw); {
		i = skipSpace(raw, i)
		if i == len(raw) {
			break
		}
		end := fieldEnd(raw, i)
		if !first {
			b = append(b, ' ')
		}
		first = false
		w := raw[i:end]
		switch {
		case !address:
			b = appendMasked(b, w, 1, 0)
		case streetSuffixes[strings.TrimSuffix(w, ".")]:
			b = append(b, w...)
		default:
			b = appendMasked(b, w, 0, 0)
		}
		i = end
	}
	return b
}

// skipSpace returns the index of the first byte at or after i that does
// not start a space, by the same rule as strings.Fields.
func skipSpace(s string, i int) int {
	for i < len(s) {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// fieldEnd returns the index of the first space at or after i, or len(s).
func fieldEnd(s string, i int) int {
	for i < len(s) {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

func appendMaskedEmail(b []byte, raw string) []byte {
	at := strings.LastIndexByte(raw, '@')
	dot := strings.LastIndexByte(raw, '.')
	if at < 1 || dot < at {
		return appendMasked(b, raw, 0, 0)
	}
	b = append(b, raw[:1]...)
	b = append(b, "***@***"...)
	return append(b, raw[dot:]...)
}

func appendMaskedURL(b []byte, raw string) []byte {
	if k := strings.Index(raw, "://"); k >= 0 {
		b = append(b, raw[:k+3]...)
	}
	return append(b, "***"...)
}

var kindExplanations = map[Kind]string{
	KindName:       "a patient's name in a clinical context",
	KindDate:       "a date tied to a person",
	KindAge:        "an age over 89",
	KindPhone:      "a telephone number",
	KindFax:        "a fax number",
	KindEmail:      "an email address",
	KindAddress:    "a street address",
	KindZIP:        "a ZIP code in an address",
	KindSSN:        "a Social Security number",
	KindMRN:        "a medical record number",
	KindHealthPlan: "a health plan member or policy number",
	KindMBI:        "a Medicare Beneficiary Identifier",
	KindAccount:    "an account number",
	KindLicense:    "a certificate or license number",
	KindDEA:        "a DEA registration number with a valid check digit",
	KindNPI:        "a National Provider Identifier with a valid check digit",
	KindDevice:     "a device identifier or serial number",
	KindURL:        "a web address, which can identify a person or their records",
	KindIP:         "an IP address",
	KindICD10:      "an ICD-10-CM diagnosis code",
	KindMedication: "a medication name",
	KindLabTerm:    "a laboratory test or result",
}

type explanationKey struct {
	kind  Kind
	cat   Category
	field Field
	note  string
}

// explanations caches the few distinct explanations, which a dense text
// would otherwise build once per finding.
var explanations sync.Map // explanationKey -> string

// explain returns the plain-language explanation of a finding. note, when
// set, replaces the kind's default description.
func explain(kind Kind, cat Category, field Field, note string) string {
	key := explanationKey{kind, cat, field, note}
	if cached, ok := explanations.Load(key); ok {
		return cached.(string)
	}
	text := buildExplanation(kind, cat, field, note)
	explanations.Store(key, text)
	return text
}

func buildExplanation(kind Kind, cat Category, field Field, note string) string {
	what := note
	if what == "" {
		what = kindExplanations[kind]
	}
	var b strings.Builder
	switch {
	case cat.Special():
		b.WriteString("This term is sensitive health information: ")
		b.WriteString(categoryExplanations[cat])
		b.WriteString(".")
	case cat == CategoryClinical:
		b.WriteString("This is clinical content (")
		b.WriteString(what)
		b.WriteString("); with an identifier it is PHI.")
	default:
		b.WriteString("This looks like ")
		b.WriteString(what)
		b.WriteString(", one of the HIPAA identifiers.")
	}
	if field == FieldSubject {
		b.WriteString(" The subject line is not encrypted by S/MIME and by many OpenPGP mail clients, so remove it there.")
	}
	return b.String()
}
