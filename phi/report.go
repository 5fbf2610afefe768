package phi

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// ScanFile scans one file as if it were attached to a message, so that IT
// can test its rules on the same path that outgoing mail takes. A file
// named *.eml is read as a whole message instead, with its subject, body
// and attachments. A file over the size limit or unreadable as text gives
// a report with a KindUnscanned finding. A file that cannot be opened, a
// named pipe, socket or device other than standard input (see
// openScanFile), or an .eml file whose MIME structure is invalid, is an
// error.
func (s *Scanner) ScanFile(path string) (*Report, error) {
	r, closeFile, err := openScanFile(path)
	if err != nil {
		return nil, err
	}
	defer closeFile()
	// Read one byte past the cap, so that extraction rejects the file as
	// too large without reading all of it into memory.
	data, err := io.ReadAll(io.LimitReader(r, s.cfg.maxAttBytes+1))
	if err != nil {
		return nil, fmt.Errorf("phi: cannot read %s: %w", path, err)
	}
	if strings.EqualFold(filepath.Ext(path), ".eml") && int64(len(data)) <= s.cfg.maxAttBytes {
		doc, err := DocumentFromMessage(data)
		if err != nil {
			return nil, fmt.Errorf("phi: cannot read %s as a message: %w", path, err)
		}
		return s.Scan(doc), nil
	}
	doc := Document{Attachments: []Attachment{{Name: filepath.Base(path), Data: data}}}
	return s.Scan(doc), nil
}

// FileResult is one file's entry in the JSON output of WriteScan.
type FileResult struct {
	Path   string  `json:"path"`
	Error  string  `json:"error,omitempty"`
	Report *Report `json:"report,omitempty"`
}

// WriteScan scans each path and writes the findings to w, as text or, when
// asJSON is set, as a JSON array of FileResult. It returns whether any
// file had findings or could not be scanned, for the command's exit
// status. Files that cannot be opened are reported in the output and
// make the returned error non-nil after all files are written.
func (s *Scanner) WriteScan(w io.Writer, paths []string, asJSON bool) (found bool, err error) {
	results := make([]FileResult, 0, len(paths))
	failed := 0
	for _, path := range paths {
		res := FileResult{Path: path}
		report, scanErr := s.ScanFile(path)
		if scanErr != nil {
			res.Error = scanErr.Error()
			failed++
			found = true
		} else {
			res.Report = report
			found = found || len(report.Findings) > 0
		}
		results = append(results, res)
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(results)
	} else {
		err = writeText(w, results)
	}
	if err != nil {
		return found, fmt.Errorf("phi: cannot write the scan report: %w", err)
	}
	if failed > 0 {
		return found, fmt.Errorf("phi: %d of %d files could not be opened: see the report", failed, len(paths))
	}
	return found, nil
}

func writeText(w io.Writer, results []FileResult) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, res := range results {
		if res.Error != "" {
			fmt.Fprintf(tw, "%s: error: %s\n", res.Path, res.Error)
			continue
		}
		r := res.Report
		fmt.Fprintf(tw, "%s: level %s, action %s, %d findings\n", res.Path, r.Level, r.Action, len(r.Findings))
		for _, f := range r.Findings {
			fmt.Fprintf(tw, "  %s\t%d-%d\t%s\t%s\t%s\n", f.Field, f.Start, f.End, f.Kind, f.Excerpt, f.Explanation)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return tw.Flush()
}
