package phi

import (
	"fmt"
	"regexp"
)

// Default size limits. A larger attachment is reported as unscanned.
const (
	DefaultMaxAttachmentBytes = 32 << 20
	DefaultMaxTextBytes       = 16 << 20
)

// Config sets what a Scanner looks for and how a report's Level maps to an
// Action. The zero Config is valid and means the defaults.
type Config struct {
	// MRNPatterns are the organisation's regular expressions (RE2 syntax)
	// for its medical record numbers, matched against the whole text in
	// addition to the built-in "MRN: ..." rule. The whole match is the
	// finding; anchor the pattern with \b to avoid matching inside words.
	// The patterns read the folded text (see Fold), so `MR\d{7}` also
	// matches a number typed with full-width digits or a zero-width space.
	MRNPatterns []string `json:"mrn_patterns,omitempty"`

	// Actions maps each sensitivity level to what the sender must do.
	// Levels missing from the map take the action of DefaultActions.
	Actions map[Level]Action `json:"actions,omitempty"`

	// MaxAttachmentBytes caps the size of an attachment that is scanned;
	// zero means DefaultMaxAttachmentBytes.
	MaxAttachmentBytes int64 `json:"max_attachment_bytes,omitempty"`

	// MaxTextBytes caps the text extracted from one attachment; zero means
	// DefaultMaxTextBytes. Text past the cap makes the attachment
	// unscanned rather than partly scanned.
	MaxTextBytes int `json:"max_text_bytes,omitempty"`

	// The switches below turn off groups of detectors where the managed
	// policy requires it. The zero value keeps every group on.
	DisableIdentifiers bool `json:"disable_identifiers,omitempty"`
	DisableClinical    bool `json:"disable_clinical,omitempty"`
	// DisableSensitive turns off the special categories.
	DisableSensitive bool `json:"disable_sensitive,omitempty"`
	// SkipAttachments scans the subject and body only. Attachments then
	// give no findings at all, not even unscanned ones.
	SkipAttachments bool `json:"skip_attachments,omitempty"`
}

// DefaultActions is the strict map used for levels that Config.Actions
// leaves out: clinical content warns, identifiers need a justification,
// and special categories are blocked until the organisation relaxes it.
func DefaultActions() map[Level]Action {
	return map[Level]Action{
		LevelNone:       ActionAllow,
		LevelLow:        ActionWarn,
		LevelModerate:   ActionJustify,
		LevelHigh:       ActionJustify,
		LevelRestricted: ActionBlock,
	}
}

func (c Config) compile() (compiled, error) {
	out := compiled{
		actions:            DefaultActions(),
		maxAttBytes:        c.MaxAttachmentBytes,
		maxTextBytes:       c.MaxTextBytes,
		disableIdentifiers: c.DisableIdentifiers,
		disableClinical:    c.DisableClinical,
		disableSensitive:   c.DisableSensitive,
		skipAttachments:    c.SkipAttachments,
	}
	if out.maxAttBytes <= 0 {
		out.maxAttBytes = DefaultMaxAttachmentBytes
	}
	if out.maxTextBytes <= 0 {
		out.maxTextBytes = DefaultMaxTextBytes
	}
	for level, action := range c.Actions {
		if level < LevelNone || level > LevelRestricted {
			return compiled{}, fmt.Errorf("phi: invalid level %d in actions: use none through restricted", int(level))
		}
		if action < ActionAllow || action > ActionBlock {
			return compiled{}, fmt.Errorf("phi: invalid action %d for level %s: use allow, warn, justify or block", int(action), level)
		}
		out.actions[level] = action
	}
	for i, pattern := range c.MRNPatterns {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return compiled{}, fmt.Errorf("phi: invalid MRN pattern %d %q: fix its RE2 syntax: %w", i+1, pattern, err)
		}
		if re.MatchString("") {
			return compiled{}, fmt.Errorf("phi: MRN pattern %d %q matches empty text: make it require at least one character", i+1, pattern)
		}
		out.mrn = append(out.mrn, re)
	}
	return out, nil
}

type compiled struct {
	mrn          []*regexp.Regexp
	actions      map[Level]Action
	maxAttBytes  int64
	maxTextBytes int

	disableIdentifiers, disableClinical, disableSensitive, skipAttachments bool
}

// enabled reports whether findings of category c are kept.
func (c *compiled) enabled(cat Category) bool {
	switch {
	case cat == CategoryIdentifier:
		return !c.disableIdentifiers
	case cat == CategoryClinical:
		return !c.disableClinical
	case cat.Special():
		return !c.disableSensitive
	}
	return true
}
