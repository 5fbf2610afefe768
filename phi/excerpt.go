package phi

import (
	"strings"
	"sync"
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
	label := kindLabels[kind]
	var b strings.Builder
	b.Grow(len(label) + 1 + len(raw))
	b.WriteString(label)
	b.WriteByte(' ')
	switch kind {
	case KindICD10, KindMedication, KindLabTerm, KindSensitiveTerm, KindUnscanned:
		b.WriteString(raw)
	case KindName:
		b.WriteString(maskWords(raw))
	case KindEmail:
		b.WriteString(maskEmail(raw))
	case KindURL:
		b.WriteString(maskURL(raw))
	case KindZIP:
		writeMasked(&b, raw, 3, 0)
	case KindDate, KindIP, KindAge:
		writeMasked(&b, raw, 0, 0)
	case KindAddress:
		b.WriteString(maskAddress(raw))
	case KindSSN:
		writeMasked(&b, raw, 0, 4)
	default:
		writeMasked(&b, raw, 0, keepTail(raw))
	}
	out := b.String()
	if limit := len(label) + 1 + maxExcerpt; len(out) > limit {
		out = out[:limit] + "..."
	}
	return out
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

// writeMasked writes raw to b with letters and digits replaced by '*',
// except the first head and the last tail of them. Punctuation stays, and
// bytes of other scripts become '*' too.
func writeMasked(b *strings.Builder, raw string, head, tail int) {
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
		b.WriteByte(c)
	}
}

func maskKeep(raw string, head, tail int) string {
	var b strings.Builder
	b.Grow(len(raw))
	writeMasked(&b, raw, head, tail)
	return b.String()
}

func maskWords(raw string) string {
	words := strings.Fields(raw)
	for k, w := range words {
		words[k] = maskKeep(w, 1, 0)
	}
	return strings.Join(words, " ")
}

func maskEmail(raw string) string {
	at := strings.LastIndexByte(raw, '@')
	dot := strings.LastIndexByte(raw, '.')
	if at < 1 || dot < at {
		return maskKeep(raw, 0, 0)
	}
	return raw[:1] + "***@***" + raw[dot:]
}

func maskURL(raw string) string {
	if k := strings.Index(raw, "://"); k >= 0 {
		return raw[:k+3] + "***"
	}
	return "***"
}

// maskAddress hides the house number and street name but keeps the street
// type, as in "**** ***** Street".
func maskAddress(raw string) string {
	words := strings.Fields(raw)
	for k, w := range words {
		if !streetSuffixes[strings.TrimSuffix(w, ".")] {
			words[k] = maskKeep(w, 0, 0)
		}
	}
	return strings.Join(words, " ")
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
