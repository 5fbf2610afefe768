package client

import (
	"bytes"
	"encoding/json"
	"io"
	"time"

	"securemail/audit"
)

// VerifyAudit checks the whole audit chain, and its length against the
// anchor in the OS keyring, and returns what is wrong with it by sequence
// number.
func (c *Client) VerifyAudit() (audit.Report, error) {
	s, err := c.current()
	if err != nil {
		return audit.Report{}, err
	}
	if a := c.auditAnchor(); a != nil {
		return audit.VerifyAnchored(s.store, a)
	}
	return audit.Verify(s.store)
}

// ExportAudit writes the audit entries between from and to (zero means
// unbounded) as JSON Lines or CSV.
func (c *Client) ExportAudit(w io.Writer, format audit.Format, from, to time.Time) (audit.ExportResult, error) {
	s, err := c.current()
	if err != nil {
		return audit.ExportResult{}, err
	}
	return audit.Export(s.store, w, audit.ExportOptions{Format: format, From: from, To: to})
}

// AuditRecords returns the audit entries between from and to, oldest
// first, each with whether its MAC and position verified.
func (c *Client) AuditRecords(from, to time.Time) ([]audit.Record, error) {
	var buf bytes.Buffer
	if _, err := c.ExportAudit(&buf, audit.FormatJSONLines, from, to); err != nil {
		return nil, err
	}
	var out []audit.Record
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var r audit.Record
		if err := dec.Decode(&r); err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}
