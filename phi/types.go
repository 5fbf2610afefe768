package phi

// Kind names what a finding is. The values are stable strings because they
// appear in the JSON report and in managed configuration.
type Kind string

// Identifier kinds, after the HIPAA Safe Harbor list of identifiers.
const (
	KindName Kind = "name"
	KindDate Kind = "date"
	// KindAge is an age over 89, which Safe Harbor counts as an
	// identifier because few people reach it.
	KindAge           Kind = "age"
	KindPhone         Kind = "phone"
	KindFax           Kind = "fax"
	KindEmail         Kind = "email"
	KindAddress       Kind = "address"
	KindZIP           Kind = "zip"
	KindSSN           Kind = "ssn"
	KindMRN           Kind = "mrn"
	KindHealthPlan    Kind = "health-plan"
	KindMBI           Kind = "mbi"
	KindAccount       Kind = "account"
	KindLicense       Kind = "license"
	KindDEA           Kind = "dea"
	KindNPI           Kind = "npi"
	KindDevice        Kind = "device"
	KindURL           Kind = "url"
	KindIP            Kind = "ip"
	KindICD10         Kind = "icd10"
	KindMedication    Kind = "medication"
	KindLabTerm       Kind = "lab"
	KindSensitiveTerm Kind = "sensitive-term"
	// KindUnscanned marks an attachment whose text could not be read. It is
	// a finding so that an unreadable file is never taken for a clean one.
	KindUnscanned Kind = "unscanned"
)

// Category groups kinds by how much care they need.
type Category string

const (
	CategoryIdentifier Category = "identifier"
	CategoryClinical   Category = "clinical"
	// The special categories below carry extra legal protection or stigma,
	// and any of them makes a report Restricted.
	CategoryMentalHealth Category = "mental-health"
	// CategorySubstanceUse covers substance use disorder records, which
	// 42 CFR Part 2 protects beyond HIPAA.
	CategorySubstanceUse Category = "substance-use"
	CategoryHIVSTI       Category = "hiv-sti"
	CategoryGenetic      Category = "genetic"
	CategoryReproductive Category = "reproductive"
	// CategoryUnscanned is the category of KindUnscanned findings.
	CategoryUnscanned Category = "unscanned"
)

// Special reports whether c is one of the special categories.
func (c Category) Special() bool {
	switch c {
	case CategoryMentalHealth, CategorySubstanceUse, CategoryHIVSTI,
		CategoryGenetic, CategoryReproductive:
		return true
	}
	return false
}

// Field names the part of a document a finding is in.
type Field string

const (
	FieldSubject Field = "subject"
	FieldBody    Field = "body"
	// FieldAttachmentName is the file name of an attachment.
	FieldAttachmentName Field = "attachment-name"
	// FieldAttachment is the text extracted from an attachment.
	FieldAttachment Field = "attachment"
)

// Finding is one match. Start and End are byte offsets into the scanned
// text of Field as the caller passed it: the subject, the body, the
// attachment's file name, or the text extracted from the attachment. The
// rules read a folded copy of that text (see Fold). Where one character
// of the original folds to several, as "½" does, a range takes in the
// whole character. The findings of one field are in order and do not
// overlap.
type Finding struct {
	Kind     Kind     `json:"kind"`
	Category Category `json:"category"`
	Field    Field    `json:"field"`
	// Attachment is the index into Document.Attachments, or -1 when the
	// finding is in the subject or body.
	Attachment int `json:"attachment"`
	Start      int `json:"start"`
	End        int `json:"end"`
	// Excerpt is safe to show and to store: identifiers are masked, for
	// example "SSN ***-**-6789". Clinical terms are shown as written, but
	// every excerpt is made from the folded text, so "SSN ５１２-３４-６７８９"
	// gives the same excerpt as its ASCII form.
	Excerpt     string `json:"excerpt"`
	Explanation string `json:"explanation"`
}

// Level is the sensitivity of a whole report, from None to Restricted.
type Level int

const (
	LevelNone Level = iota
	// LevelLow: clinical content (codes, medications, lab terms) without
	// anything that identifies a person.
	LevelLow
	// LevelModerate: contact or network identifiers, an unscanned
	// attachment, or any PHI in the subject.
	LevelModerate
	// LevelHigh: identifiers that point at a patient (name in clinical
	// context, date of birth, SSN, MRN, plan numbers), or any identifier
	// together with clinical content.
	LevelHigh
	// LevelRestricted: a special category (mental health, substance use,
	// HIV and STIs, genetic testing, reproductive health).
	LevelRestricted
)

var levelNames = [...]string{"none", "low", "moderate", "high", "restricted"}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return "invalid"
	}
	return levelNames[l]
}

// MarshalText encodes the level as its name, for JSON reports and configs.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText parses a level name such as "high".
func (l *Level) UnmarshalText(b []byte) error {
	for i, name := range levelNames {
		if string(b) == name {
			*l = Level(i)
			return nil
		}
	}
	return &valueError{what: "sensitivity level", value: string(b), want: "none, low, moderate, high or restricted"}
}

// Action is the step the sending client requires for a report's Level.
type Action int

const (
	ActionAllow Action = iota
	ActionWarn
	// ActionJustify requires the sender to type a reason, which is audited.
	ActionJustify
	ActionBlock
)

var actionNames = [...]string{"allow", "warn", "justify", "block"}

func (a Action) String() string {
	if a < 0 || int(a) >= len(actionNames) {
		return "invalid"
	}
	return actionNames[a]
}

// MarshalText encodes the action as its name.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses an action name such as "justify".
func (a *Action) UnmarshalText(b []byte) error {
	for i, name := range actionNames {
		if string(b) == name {
			*a = Action(i)
			return nil
		}
	}
	return &valueError{what: "action", value: string(b), want: "allow, warn, justify or block"}
}

type valueError struct{ what, value, want string }

func (e *valueError) Error() string {
	return "phi: invalid " + e.what + " " + quote(e.value) + ": use " + e.want
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return "\"" + s + "\""
}
