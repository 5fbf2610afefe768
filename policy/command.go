package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// RunValidate implements "securemail policy validate FILE". It reads a
// JSON policy document, or a plist when the name ends in .plist, and
// writes every issue to w, one a line. It returns a *ValidationError when
// there are issues (exit status 1) and another error when the file cannot
// be read (exit status 2). A valid file prints "valid" and returns nil.
func RunValidate(w io.Writer, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("failed to read policy file %s: %w", path, err)
	}
	if strings.EqualFold(filepath.Ext(path), ".plist") {
		data, err = plistToJSON(data)
		if err != nil {
			fmt.Fprintf(w, "%s: %v\n", path, err)
			return &ValidationError{Origin: path, Issues: []Issue{{Path: "$", Kind: IssueSyntax, Message: err.Error()}}}
		}
	}
	issues := Validate(data)
	for _, issue := range issues {
		fmt.Fprintf(w, "%s: %s\n", path, issue)
	}
	if len(issues) > 0 {
		fmt.Fprintf(w, "%s: %d issue(s)\n", path, len(issues))
		return &ValidationError{Origin: path, Issues: issues}
	}
	fmt.Fprintf(w, "%s: valid\n", path)
	return nil
}

// ExitCode maps an error from RunValidate or RunShow to an exit status:
// 0 for nil, 1 for an invalid policy, 2 for any other failure.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrInvalid):
		return 1
	}
	return 2
}

// ShowFormat selects the output of RunShow.
type ShowFormat string

const (
	ShowText ShowFormat = "text"
	ShowJSON ShowFormat = "json"
)

// RunShow implements "securemail policy show": it loads the policy from
// loc and writes the effective value, source and lock of every setting,
// followed by what was rejected and why. It returns an error wrapping
// ErrInvalid when a managed source was rejected, so that scripts notice
// the fallback to the built-in defaults.
func RunShow(w io.Writer, loc Locations, format ShowFormat) error {
	eff, report := Load(loc)
	var err error
	switch format {
	case ShowJSON:
		err = writeShowJSON(w, eff, report)
	case ShowText, "":
		err = writeShowText(w, eff, report)
	default:
		return fmt.Errorf("unknown format %q, use text or json", format)
	}
	if err != nil {
		return fmt.Errorf("failed to write the effective policy: %w", err)
	}
	if eff.FallBack {
		return fmt.Errorf("%w: a managed source was rejected, the built-in defaults apply", ErrInvalid)
	}
	return nil
}

func writeShowText(w io.Writer, eff *Effective, report Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tVALUE\tSOURCE\tLOCKED")
	for _, s := range eff.All() {
		source := s.Source.String()
		if s.Origin != "" {
			source += " (" + s.Origin + ")"
		}
		locked := "no"
		if s.Locked {
			locked = "managed by your organisation: " + s.LockedBy
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Path, showValue(s.Value), source, locked)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if eff.FallBack {
		fmt.Fprintln(w, "\nA managed policy source is invalid, so every setting is at its built-in default and locked.")
	}
	for _, r := range report.Rejections {
		fmt.Fprintf(w, "rejected %s source %s: %s\n", r.Source, r.Origin, r.Reason)
	}
	return nil
}

// showValue shortens long values, such as PEM certificates, to one line.
func showValue(raw json.RawMessage) string {
	s := string(raw)
	s = strings.ReplaceAll(s, `\n`, " ")
	const maxWidth = 60
	if len(s) > maxWidth {
		s = s[:maxWidth-3] + "..."
	}
	return s
}

func writeShowJSON(w io.Writer, eff *Effective, report Report) error {
	rejections := report.Rejections
	if rejections == nil {
		rejections = []Rejection{}
	}
	out := struct {
		FallBack   bool        `json:"fallBack"`
		Settings   []Setting   `json:"settings"`
		Rejections []Rejection `json:"rejections"`
	}{eff.FallBack, eff.All(), rejections}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
