package phi

import (
	"fmt"
	"mime"
	"path/filepath"
	"slices"
	"strings"

	"securemail/phi/extract"
)

// Scanner finds PHI in documents. It is safe for concurrent use.
type Scanner struct {
	cfg compiled
}

// NewScanner returns a Scanner for cfg, or an error naming the setting
// that is invalid.
func NewScanner(cfg Config) (*Scanner, error) {
	c, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	return &Scanner{cfg: c}, nil
}

// Document is the part of an outgoing message that the PHI review scans.
type Document struct {
	Subject     string
	Body        string
	Attachments []Attachment
}

// Attachment is one attached file. ContentType may be empty, in which case
// the type is guessed from Name and Data.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
	// DecodeErr, when set, is the reason the part's content could not be
	// decoded, such as a broken transfer encoding. The attachment is then
	// reported as unscanned with this reason.
	DecodeErr error
}

// Report is the result of a scan.
type Report struct {
	// Findings are ordered by field (subject, body, then each attachment's
	// name and text) and by position.
	Findings []Finding `json:"findings"`
	Level    Level     `json:"level"`
	// Action is the step required of the sender, from Config.Actions.
	Action Action `json:"action"`
	// SubjectHasPHI is set when any finding is in the subject, which
	// travels unencrypted with most methods and needs its own prompt.
	SubjectHasPHI bool `json:"subject_has_phi"`
	// Unscanned lists the indexes of attachments whose text could not be
	// read, in whole or in part. Each also has a KindUnscanned finding.
	Unscanned []int `json:"unscanned,omitempty"`
}

// Counts returns the number of findings of each kind.
func (r *Report) Counts() map[Kind]int {
	out := make(map[Kind]int)
	for _, f := range r.Findings {
		out[f.Kind]++
	}
	return out
}

// Scan scans the subject, the body, and the name and text of each
// attachment. An attachment whose text cannot be read gives a
// KindUnscanned finding rather than an error, so that the caller cannot
// take it for clean.
func (s *Scanner) Scan(doc Document) *Report {
	r := &Report{}
	r.add(s.scanText(doc.Subject, FieldSubject, -1))
	r.add(s.scanText(doc.Body, FieldBody, -1))
	for k, a := range doc.Attachments {
		if s.cfg.skipAttachments {
			break
		}
		r.add(s.scanText(a.Name, FieldAttachmentName, k))
		r.add(s.scanAttachment(a, k))
	}
	for _, f := range r.Findings {
		if f.Field == FieldSubject {
			r.SubjectHasPHI = true
		}
		if f.Kind == KindUnscanned && !slices.Contains(r.Unscanned, f.Attachment) {
			r.Unscanned = append(r.Unscanned, f.Attachment)
		}
	}
	r.Level = levelOf(r.Findings)
	r.Action = s.cfg.actions[r.Level]
	return r
}

// ScanText scans one piece of text as the given field. Attachment is -1
// in the findings.
func (s *Scanner) ScanText(field Field, text string) []Finding {
	return s.scanText(text, field, -1)
}

func (r *Report) add(fs []Finding) {
	r.Findings = append(r.Findings, fs...)
}

func (s *Scanner) scanAttachment(a Attachment, index int) []Finding {
	var unreadable []error
	text, err := s.attachmentText(a, 0, &unreadable)
	if err != nil {
		return []Finding{unscannedFinding(a, index, err)}
	}
	out := s.scanText(text, FieldAttachment, index)
	for _, err := range unreadable {
		out = append(out, unscannedFinding(a, index, err))
	}
	return out
}

func unscannedFinding(a Attachment, index int, err error) Finding {
	f := Finding{Kind: KindUnscanned, Category: CategoryUnscanned, Field: FieldAttachment, Attachment: index}
	f.Excerpt = "Attachment " + fmt.Sprint(index+1) + " (" + extensionOf(a.Name) + ")"
	f.Explanation = "This attachment could not be scanned for PHI (" + err.Error() +
		"). Check it yourself before sending, or send it as plain text, HTML, PDF or DOCX."
	return f
}

// maxMessageDepth caps how deep attached messages are opened: a forward
// of a forward of a message.
const maxMessageDepth = 3

// attachmentText returns the text of an attachment. An attached message
// (message/rfc822 or *.eml) gives its subject, body and the text of its
// own attachments, one after another, so that a forwarded message is
// scanned whole. A part of it that cannot be read is added to unreadable
// and the rest is still returned.
func (s *Scanner) attachmentText(a Attachment, depth int, unreadable *[]error) (string, error) {
	if a.DecodeErr != nil {
		return "", a.DecodeErr
	}
	if !isMessage(a) {
		limits := extract.Limits{MaxInput: s.cfg.maxAttBytes, MaxText: s.cfg.maxTextBytes}
		return extract.Text(a.Name, a.ContentType, a.Data, limits)
	}

	if depth == maxMessageDepth {
		return "", fmt.Errorf("attached messages are nested more than %d deep", maxMessageDepth)
	}
	if int64(len(a.Data)) > s.cfg.maxAttBytes {
		return "", fmt.Errorf("%w: %d bytes is over the limit of %d bytes", extract.ErrTooLarge, len(a.Data), s.cfg.maxAttBytes)
	}
	doc, err := DocumentFromMessage(a.Data)
	if err != nil {
		return "", err
	}

	var b strings.Builder
	b.WriteString(doc.Subject)
	b.WriteString("\n")
	b.WriteString(doc.Body)
	for k, inner := range doc.Attachments {
		b.WriteString("\n")
		b.WriteString(inner.Name)
		b.WriteString("\n")
		text, err := s.attachmentText(inner, depth+1, unreadable)
		if err != nil {
			*unreadable = append(*unreadable, fmt.Errorf("part %d of the attached message: %w", k+1, err))
			continue
		}
		b.WriteString(text)
		if b.Len() > s.cfg.maxTextBytes {
			return "", fmt.Errorf("%w: the attached message's text is over the limit of %d bytes", extract.ErrTooLarge, s.cfg.maxTextBytes)
		}
	}
	return b.String(), nil
}

func isMessage(a Attachment) bool {
	if mediaType, _, err := mime.ParseMediaType(a.ContentType); err == nil && mediaType == "message/rfc822" {
		return true
	}
	return strings.EqualFold(filepath.Ext(a.Name), ".eml")
}

func extensionOf(name string) string {
	ext := filepath.Ext(name)
	if ext == "" || len(ext) > 8 {
		return "no extension"
	}
	return ext
}

// levelOf computes the sensitivity of a set of findings.
func levelOf(fs []Finding) Level {
	var special, clinical, identifier, strong, subject, unscanned bool
	for _, f := range fs {
		switch {
		case f.Category.Special():
			special = true
		case f.Category == CategoryClinical:
			clinical = true
		case f.Kind == KindUnscanned:
			unscanned = true
		default:
			identifier = true
			if strongIdentifiers[f.Kind] {
				strong = true
			}
		}
		if f.Field == FieldSubject {
			subject = true
		}
	}
	switch {
	case special:
		return LevelRestricted
	case strong, identifier && clinical:
		return LevelHigh
	case identifier, unscanned, subject:
		return LevelModerate
	case clinical:
		return LevelLow
	}
	return LevelNone
}

// strongIdentifiers point at a patient by themselves.
var strongIdentifiers = map[Kind]bool{
	KindName: true, KindDate: true, KindAge: true, KindSSN: true, KindMRN: true,
	KindHealthPlan: true, KindMBI: true, KindAccount: true,
}
