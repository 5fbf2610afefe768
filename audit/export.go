package audit

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// Record is an entry in the form that leaves the vault, in exports and
// forwarded streams. The event's fields appear at the top level.
type Record struct {
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	Event
	// Justified reports that the user typed a justification, when the
	// text itself was left out.
	Justified bool   `json:"justified,omitempty"`
	MAC       string `json:"mac"`
	// Verified reports that the entry's MAC matched and that it sits at
	// its own position in the log. The chain as a whole is checked by
	// Verify.
	Verified bool `json:"verified"`
}

// Format is an export format.
type Format string

const (
	FormatJSONLines Format = "jsonl"
	FormatCSV       Format = "csv"
)

// ExportOptions select what Export writes. Zero From or To leaves that
// end of the range open; the range includes From and excludes To.
type ExportOptions struct {
	Format Format
	From   time.Time
	To     time.Time
	// PseudonymKey, when set, replaces addresses and Message-IDs by their
	// pseudonyms and leaves out justification text, for a recipient
	// outside the organisation's privacy boundary.
	PseudonymKey []byte
}

// ExportResult counts what Export did.
type ExportResult struct {
	Written int
	// Unverified counts written records whose MAC or position failed.
	Unverified int
	// Unreadable counts entries that did not parse, so their time is
	// unknown and they were not written. Verify names them.
	Unreadable int
}

// Export writes the entries of the trail in store whose time is in the
// range, oldest first, as JSON Lines or CSV.
func Export(store Store, w io.Writer, opts ExportOptions) (ExportResult, error) {
	var result ExportResult
	key, err := store.GetRecord(recordKind, chainKeyRecord)
	if errors.Is(err, fs.ErrNotExist) {
		return result, fmt.Errorf("%w: the chain key record is missing, so entries cannot be verified; run verify", ErrTampered)
	}
	if err != nil {
		return result, fmt.Errorf("failed to read the audit chain key: %w", err)
	}
	t := &Trail{store: store, key: key}

	var write func(Record) error
	var flush func() error
	switch opts.Format {
	case FormatJSONLines, "":
		enc := json.NewEncoder(w)
		write = func(r Record) error { return enc.Encode(r) }
		flush = func() error { return nil }
	case FormatCSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(csvHeader); err != nil {
			return result, fmt.Errorf("failed to write the export: %w", err)
		}
		write = func(r Record) error { return cw.Write(csvRow(r)) }
		flush = func() error { cw.Flush(); return cw.Error() }
	default:
		return result, fmt.Errorf("unknown export format %q, use jsonl or csv", opts.Format)
	}

	err = store.ReadLog(logName, 1, func(pos int64, raw []byte) error {
		record, ok := t.record(pos, raw)
		if !ok {
			result.Unreadable++
			return nil
		}
		if (!opts.From.IsZero() && record.Time.Before(opts.From)) || (!opts.To.IsZero() && !record.Time.Before(opts.To)) {
			return nil
		}
		if opts.PseudonymKey != nil {
			record.Event, record.Justified = Pseudonymise(record.Event, opts.PseudonymKey)
		}
		if !record.Verified {
			result.Unverified++
		}
		result.Written++
		return write(record)
	})
	if err != nil {
		return result, fmt.Errorf("failed to export the audit log: %w", err)
	}
	if err := flush(); err != nil {
		return result, fmt.Errorf("failed to write the export: %w", err)
	}
	return result, nil
}

// record decodes a stored entry even when its MAC fails, so that an export
// still shows an edited entry, marked unverified.
func (t *Trail) record(pos int64, raw []byte) (Record, bool) {
	entry, mac, err := t.open(raw)
	if err == nil {
		return Record{Seq: entry.Seq, Time: entry.Time, Event: entry.Event, MAC: mac, Verified: entry.Seq == pos}, true
	}
	var stored storedEntry
	if json.Unmarshal(raw, &stored) != nil || json.Unmarshal(stored.Body, &entry) != nil {
		return Record{}, false
	}
	return Record{Seq: entry.Seq, Time: entry.Time, Event: entry.Event, MAC: stored.MAC}, true
}

var csvHeader = []string{
	"seq", "time", "kind", "account", "message_id", "recipients", "findings",
	"confirmations", "justification", "justified", "overrides", "key_fingerprint",
	"key_address", "key_type", "key_trust", "scheme", "attachment_extension",
	"attachment_size", "attachment_encrypted", "consent_address", "consent_scope",
	"reason", "settings", "origins", "problems", "count", "mac", "verified",
}

func csvRow(r Record) []string {
	e := r.Event
	var recipients, findings []string
	for _, rc := range e.Recipients {
		recipients = append(recipients, rc.Address+"="+rc.Method)
	}
	for _, f := range e.Findings {
		findings = append(findings, f.Kind+"="+strconv.Itoa(f.Count))
	}
	var key KeyInfo
	if e.Key != nil {
		key = *e.Key
	}
	var attachment [3]string
	if e.Attachment != nil {
		attachment = [3]string{e.Attachment.Extension, strconv.FormatInt(e.Attachment.Size, 10), strconv.FormatBool(e.Attachment.Encrypted)}
	}
	var consent ConsentInfo
	if e.Consent != nil {
		consent = *e.Consent
	}
	row := []string{
		strconv.FormatInt(r.Seq, 10), r.Time.UTC().Format(time.RFC3339Nano), string(e.Kind),
		e.Account, e.MessageID, strings.Join(recipients, ";"), strings.Join(findings, ";"),
		strings.Join(e.Confirmations, ";"), e.Justification, strconv.FormatBool(r.Justified || e.Justification != ""),
		strings.Join(e.Overrides, ";"), key.Fingerprint, key.Address, key.Type, key.Trust, e.Scheme,
		attachment[0], attachment[1], attachment[2], consent.Address, consent.Scope,
		e.Reason, strings.Join(e.Settings, ";"), strings.Join(e.Origins, ";"), strings.Join(e.Problems, ";"),
		strconv.FormatInt(e.Count, 10), r.MAC, strconv.FormatBool(r.Verified),
	}
	for i, cell := range row {
		row[i] = neutraliseFormula(cell)
	}
	return row
}

// neutraliseFormula prefixes a cell that a spreadsheet would run as a
// formula with an apostrophe. Justifications are user text.
func neutraliseFormula(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
