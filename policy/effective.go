package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// ErrLocked is wrapped by every error that rejects a change to a setting
// the organisation has locked.
var ErrLocked = errors.New("setting is managed by your organisation")

// LockedError rejects a change to a locked setting. It wraps ErrLocked.
type LockedError struct {
	Path     string
	LockedBy string // origin of the source that locks it
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("cannot change %s: it is managed by your organisation (%s); ask IT to change the policy", e.Path, e.LockedBy)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// Setting is the effective state of one leaf setting.
type Setting struct {
	Path   string          `json:"path"`
	Value  json.RawMessage `json:"value"`
	Source Source          `json:"source"`
	// Origin is the file path or registry key of the source, empty for
	// defaults and flags.
	Origin string `json:"origin,omitempty"`
	Locked bool   `json:"locked"`
	// LockedBy is the origin of the highest source that locks the
	// setting.
	LockedBy string `json:"lockedBy,omitempty"`
}

// Effective is the result of layering every source. Its methods are not
// safe for concurrent use.
type Effective struct {
	settings map[string]*Setting
	// FallBack reports that a managed source was invalid or unreadable,
	// so every setting is at its built-in default and locked.
	FallBack bool
}

// Rejection is a source, or one value in it, that was not applied, with
// the reason.
type Rejection struct {
	Source Source `json:"source"`
	Origin string `json:"origin"`
	Err    error  `json:"-"`
	// Reason is Err as text, for JSON output and the audit trail.
	Reason string `json:"reason"`
}

// Report lists what Load rejected. A rejected managed source makes the
// whole result fall back to the built-in defaults, locked. A rejected user
// file, or a user value that breaks a lock or a rule, is only skipped.
type Report struct {
	Rejections []Rejection
	// Applied lists the origins of the sources that were read, highest
	// first.
	Applied []string
}

// Load reads every source in loc and layers them: built-in defaults, then
// the user file, the machine file and the OS managed channel, each higher
// source overriding the lower ones. A setting locked by either managed
// source keeps the managed value (or the default when no managed source
// sets it) whatever lower sources set.
//
// A managed source that cannot be read (other than not existing) or is
// invalid never yields weaker settings: Load then returns the built-in
// defaults with every setting locked, FallBack set, and the reasons in the
// report for the user and the audit trail.
func Load(loc Locations) (*Effective, Report) {
	var report Report
	var layers []layer

	if loc.Managed != nil {
		report.read(loc.Managed, SourceManaged, &layers)
	}
	if loc.MachineFile != "" {
		report.read(FileReader{Path: loc.MachineFile}, SourceMachine, &layers)
	}
	if len(report.Rejections) > 0 {
		return fallBack(), report
	}

	eff := newEffective()
	for i := len(layers) - 1; i >= 0; i-- {
		eff.applyManaged(layers[i])
	}
	if issues := crossCheck(eff.Settings()); len(issues) > 0 {
		// Each document was consistent alone but not together.
		report.reject(SourceManaged, "combined managed sources", &ValidationError{Origin: "combined managed sources", Issues: issues})
		return fallBack(), report
	}
	if loc.UserFile != "" {
		report.applyUser(eff, loc.UserFile)
	}
	return eff, report
}

type layer struct {
	source Source
	origin string
	doc    *Document
}

func (r *Report) reject(source Source, origin string, err error) {
	r.Rejections = append(r.Rejections, Rejection{Source: source, Origin: origin, Err: err, Reason: err.Error()})
}

// read appends the document of one managed source to layers, or records
// why it was rejected. A source that does not exist is skipped.
func (r *Report) read(reader DocumentReader, source Source, layers *[]layer) {
	data, origin, err := reader.ReadDocument()
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		r.reject(source, origin, err)
		return
	}
	doc, issues := ParseDocument(data)
	if len(issues) > 0 {
		r.reject(source, origin, &ValidationError{Origin: origin, Issues: issues})
		return
	}
	*layers = append(*layers, layer{source: source, origin: origin, doc: doc})
	r.Applied = append(r.Applied, origin)
}

func (r *Report) applyUser(eff *Effective, path string) {
	data, _, err := FileReader{Path: path}.ReadDocument()
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		r.reject(SourceUser, path, err)
		return
	}
	doc, issues := ParseDocument(data)
	if len(issues) > 0 {
		r.reject(SourceUser, path, &ValidationError{Origin: path, Issues: issues})
		return
	}
	if len(doc.Locked) > 0 {
		r.reject(SourceUser, path, fmt.Errorf("%w: %s: locked is honoured only in managed sources, ignoring it", ErrInvalid, path))
	}
	r.Applied = append(r.Applied, path)
	for _, p := range leafPaths() {
		raw, ok := doc.Values[p]
		if !ok {
			continue
		}
		if err := eff.set(p, raw, SourceUser, path); err != nil {
			r.reject(SourceUser, path, err)
		}
	}
}

func newEffective() *Effective {
	eff := &Effective{settings: map[string]*Setting{}}
	for path, raw := range defaultValues() {
		eff.settings[path] = &Setting{Path: path, Value: raw, Source: SourceDefault}
	}
	return eff
}

func fallBack() *Effective {
	eff := newEffective()
	eff.FallBack = true
	for _, s := range eff.settings {
		s.Locked = true
		s.LockedBy = "built-in defaults, because the managed policy is invalid"
	}
	return eff
}

// applyManaged lays a managed document over eff. Layers are applied lowest
// first, so a higher source overrides both the value and the lock origin.
func (eff *Effective) applyManaged(l layer) {
	for path, raw := range l.doc.Values {
		s := eff.settings[path]
		s.Value, s.Source, s.Origin = raw, l.source, l.origin
	}
	for _, locked := range l.doc.Locked {
		for path, s := range eff.settings {
			if path == locked || strings.HasPrefix(path, locked+".") {
				s.Locked, s.LockedBy = true, l.origin
			}
		}
	}
}

// Settings returns the effective settings.
func (eff *Effective) Settings() Settings {
	values := make(map[string]json.RawMessage, len(eff.settings))
	for path, s := range eff.settings {
		values[path] = s.Value
	}
	s, err := settingsFromValues(values)
	if err != nil {
		// Every stored value passed validation, so this is a bug.
		panic("policy: effective settings do not assemble: " + err.Error())
	}
	return s
}

// Get returns the state of the leaf setting at path.
func (eff *Effective) Get(path string) (Setting, bool) {
	s, ok := eff.settings[path]
	if !ok {
		return Setting{}, false
	}
	return *s, true
}

// All returns every leaf setting in schema order.
func (eff *Effective) All() []Setting {
	paths := leafPaths()
	out := make([]Setting, len(paths))
	for i, p := range paths {
		out[i] = *eff.settings[p]
	}
	return out
}

// Set changes the leaf setting at path on behalf of the user (the UI or
// the user's file) or a flag. It returns a *LockedError when the setting
// is locked and a *ValidationError when the value has the wrong type, is
// out of range or breaks a rule that spans settings.
func (eff *Effective) Set(path string, value any, source Source) error {
	raw, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("%w: %s: value does not encode as JSON: %v", ErrInvalid, path, err)
	}
	return eff.set(path, raw, source, "")
}

// SetFlag parses text by the type of the setting at path and sets it with
// SourceFlag: "true" or "false" for a boolean, a decimal integer, a string
// as is, and a comma-separated list for a list of strings.
func (eff *Effective) SetFlag(path, text string) error {
	n := leafIndex()[path]
	if n == nil {
		return unknownSetting(path)
	}
	var value any
	switch n.kind {
	case kindBool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return &ValidationError{Issues: []Issue{{Path: path, Kind: IssueWrongType, Message: fmt.Sprintf("expected true or false, got %q", text)}}}
		}
		value = b
	case kindInt:
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return &ValidationError{Issues: []Issue{{Path: path, Kind: IssueWrongType, Message: fmt.Sprintf("expected an integer, got %q", text)}}}
		}
		value = i
	case kindStringList:
		list := []string{}
		for _, item := range strings.Split(text, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		value = list
	case kindObjectList:
		value = json.RawMessage(text)
	default:
		value = text
	}
	return eff.Set(path, value, SourceFlag)
}

func (eff *Effective) set(path string, raw json.RawMessage, source Source, origin string) error {
	if source != SourceUser && source != SourceFlag {
		return fmt.Errorf("%w: %s: only user and flag changes go through Set, managed values come from Load", ErrInvalid, path)
	}
	n := leafIndex()[path]
	if n == nil {
		return unknownSetting(path)
	}
	current := eff.settings[path]
	if current.Locked {
		return &LockedError{Path: path, LockedBy: current.LockedBy}
	}

	var value any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&value); err != nil {
		return &ValidationError{Issues: []Issue{{Path: path, Kind: IssueSyntax, Message: "not valid JSON: " + err.Error()}}}
	}
	if issues := checkNode(n, value, path, nil); len(issues) > 0 {
		return &ValidationError{Origin: origin, Issues: issues}
	}
	canonical, _ := json.Marshal(value)

	before := len(crossCheck(eff.Settings()))
	previous := *current
	current.Value, current.Source, current.Origin = canonical, source, origin
	if issues := crossCheck(eff.Settings()); len(issues) > before {
		*current = previous
		return &ValidationError{Origin: origin, Issues: issues}
	}
	return nil
}

func unknownSetting(path string) error {
	return &ValidationError{Issues: []Issue{unknownKey(path, path, leafPaths())}}
}

// UserDocument returns the JSON settings document of every value that the
// user set, for saving as the user file. Flag values are not included.
func (eff *Effective) UserDocument() ([]byte, error) {
	settings := map[string]any{}
	for _, p := range leafPaths() {
		s := eff.settings[p]
		if s.Source == SourceUser {
			setPath(settings, p, s.Value)
		}
	}
	return json.MarshalIndent(map[string]any{"schemaVersion": SchemaVersion, "settings": settings}, "", "  ")
}
