package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"time"
)

// ProblemKind classifies a verification failure.
type ProblemKind string

const (
	// ProblemEdited is an entry whose MAC does not match its content.
	ProblemEdited ProblemKind = "edited"
	// ProblemRemoved is a sequence number with no entry, before the
	// newest one.
	ProblemRemoved ProblemKind = "removed"
	// ProblemReordered is an authentic entry stored at another position
	// than its own sequence number.
	ProblemReordered ProblemKind = "reordered"
	// ProblemTruncated is an entry missing after the newest stored one,
	// counted by the head record.
	ProblemTruncated ProblemKind = "truncated"
	// ProblemDuplicated is an authentic entry stored twice.
	ProblemDuplicated ProblemKind = "duplicated"
	// ProblemBrokenLink is an entry whose previous-MAC field does not
	// match the entry before it.
	ProblemBrokenLink ProblemKind = "broken-link"
	// ProblemState is a head, checkpoint or key record that is missing
	// or does not verify.
	ProblemState ProblemKind = "state"
)

// Problem is one verification failure. Seq is the sequence number it
// concerns: the stored position for edited and reordered entries, the
// missing number for removed and truncated ones, and 0 for state records.
type Problem struct {
	Seq    int64       `json:"seq"`
	Kind   ProblemKind `json:"kind"`
	Detail string      `json:"detail"`
}

func (p Problem) String() string {
	if p.Seq == 0 {
		return fmt.Sprintf("%s: %s", p.Kind, p.Detail)
	}
	return fmt.Sprintf("entry %d %s: %s", p.Seq, p.Kind, p.Detail)
}

// Report is the result of Verify.
type Report struct {
	// Entries counts the entries read from the log.
	Entries int `json:"entries"`
	// First and Last are the first and last sequence numbers expected,
	// from the checkpoint and the head record.
	First int64 `json:"first"`
	Last  int64 `json:"last"`
	// Pruned is the last pruned sequence number, 0 without pruning.
	Pruned int64 `json:"pruned"`
	// Interrupted counts authentic entries after the head record, left
	// by an append that stopped before updating the head. They are not a
	// problem.
	Interrupted int       `json:"interrupted"`
	Problems    []Problem `json:"problems"`
}

// OK reports that the trail verified without problems.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// checkpoint is the signed record of the last pruned entry, from which
// the remaining chain continues.
type checkpoint struct {
	Seq      int64     `json:"seq"`
	MAC      string    `json:"mac"`
	Time     time.Time `json:"time"` // time of the last pruned entry
	PrunedAt time.Time `json:"prunedAt"`
	Sig      string    `json:"sig"` // HMAC-SHA256 under the chain key
}

func (c checkpoint) signature(key []byte) string {
	h := hmac.New(sha256.New, key)
	fmt.Fprintf(h, "securemail audit checkpoint v1\x00%d\x00%s\x00%s\x00%s",
		c.Seq, c.MAC, c.Time.UTC().Format(time.RFC3339Nano), c.PrunedAt.UTC().Format(time.RFC3339Nano))
	return hex.EncodeToString(h.Sum(nil))
}

// readCheckpoint returns the checkpoint, nil when there is none, or an
// error wrapping ErrTampered when its signature does not verify.
func readCheckpoint(store Store, key []byte) (*checkpoint, error) {
	data, err := store.GetRecord(recordKind, checkpointRecord)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read the audit checkpoint: %w", err)
	}
	var cp checkpoint
	if err := json.Unmarshal(data, &cp); err != nil {
		return nil, fmt.Errorf("%w: checkpoint does not parse", ErrTampered)
	}
	if !hmac.Equal([]byte(cp.signature(key)), []byte(cp.Sig)) {
		return nil, fmt.Errorf("%w: checkpoint signature does not match", ErrTampered)
	}
	return &cp, nil
}

// Verify checks every entry of the trail in store: each MAC, each link to
// the previous entry, that sequence numbers run without gaps from the
// checkpoint to the head record, and that each entry sits at its own
// position. It returns an error only when the store cannot be read.
func Verify(store Store) (Report, error) {
	var report Report
	key, err := store.GetRecord(recordKind, chainKeyRecord)
	if errors.Is(err, fs.ErrNotExist) {
		return verifyWithoutKey(store)
	}
	if err != nil {
		return report, fmt.Errorf("failed to read the audit chain key: %w", err)
	}
	t := &Trail{store: store, key: key}

	start := link{}
	cp, err := readCheckpoint(store, key)
	if errors.Is(err, ErrTampered) {
		report.Problems = append(report.Problems, Problem{Kind: ProblemState, Detail: err.Error()})
	} else if err != nil {
		return report, err
	}
	if cp != nil {
		start = link{Seq: cp.Seq, MAC: cp.MAC}
		report.Pruned = cp.Seq
	}
	head, err := t.readHead()
	if errors.Is(err, ErrTampered) {
		report.Problems = append(report.Problems, Problem{Kind: ProblemState, Detail: err.Error()})
	} else if err != nil {
		return report, err
	}

	v := verifier{trail: t, report: &report, seen: map[int64]bool{}, macs: map[int64]string{}}
	if err := v.readAll(store); err != nil {
		return report, err
	}
	v.finish(start, head)
	return report, nil
}

// maxUnreadableInARow bounds how many positions readAll skips, without
// reading any entry, before it decides that the store itself fails.
const maxUnreadableInARow = 64

// readAll visits every entry. When the store cannot open one (the vault
// rejects a sealed entry that was altered or moved), it records the
// position after the last one read as edited and resumes behind it.
func (v *verifier) readAll(store Store) error {
	from, inARow := int64(1), 0
	for {
		lastPos := from - 1
		err := store.ReadLog(logName, from, func(pos int64, raw []byte) error {
			lastPos = pos
			inARow = 0
			return v.visit(pos, raw)
		})
		if err == nil {
			return nil
		}
		inARow++
		if inARow > maxUnreadableInARow {
			return fmt.Errorf("failed to read the audit log after entry %d: %w", lastPos, err)
		}
		pos := lastPos + 1
		// NOTE: the store does not say which position failed. When rows
		// before it were also deleted, the removed entries are reported
		// as edited, one per position, up to the failing one.
		v.markBad(pos)
		v.problem(pos, ProblemEdited, "the vault cannot open the entry after %d: %v", lastPos, err)
		from = pos + 1
	}
}

func (v *verifier) markBad(pos int64) {
	if v.bad == nil {
		v.prevs, v.bad = map[int64]string{}, map[int64]bool{}
	}
	v.bad[pos] = true
	v.maxPos = max(v.maxPos, pos)
}

func verifyWithoutKey(store Store) (Report, error) {
	var report Report
	err := store.ReadLog(logName, 1, func(int64, []byte) error {
		report.Entries++
		return nil
	})
	if err != nil {
		return report, fmt.Errorf("failed to read the audit log: %w", err)
	}
	if report.Entries > 0 {
		report.Problems = append(report.Problems, Problem{Kind: ProblemState,
			Detail: "the chain key record is missing, so no entry can be verified"})
	}
	return report, nil
}

// verifier collects what the log contains and then compares it with the
// expected sequence.
type verifier struct {
	trail  *Trail
	report *Report
	seen   map[int64]bool   // authentic entries by their own seq
	macs   map[int64]string // MAC of each authentic entry by its own seq
	prevs  map[int64]string // Prev field of each authentic entry
	bad    map[int64]bool   // stored positions holding edited entries
	maxPos int64
}

func (v *verifier) problem(seq int64, kind ProblemKind, format string, args ...any) {
	v.report.Problems = append(v.report.Problems, Problem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

func (v *verifier) visit(pos int64, raw []byte) error {
	v.report.Entries++
	v.maxPos = max(v.maxPos, pos)
	if v.prevs == nil {
		v.prevs, v.bad = map[int64]string{}, map[int64]bool{}
	}
	entry, mac, err := v.trail.open(raw)
	if err != nil {
		v.markBad(pos)
		v.problem(pos, ProblemEdited, "%v", err)
		return nil
	}
	if entry.Seq != pos {
		v.problem(pos, ProblemReordered, "position %d holds entry %d", pos, entry.Seq)
	}
	if v.seen[entry.Seq] {
		v.problem(entry.Seq, ProblemDuplicated, "entry %d is stored more than once", entry.Seq)
		return nil
	}
	v.seen[entry.Seq] = true
	v.macs[entry.Seq] = mac
	v.prevs[entry.Seq] = entry.Prev
	return nil
}

// finish reports gaps, broken links and truncation once every stored
// entry is known.
func (v *verifier) finish(start, head link) {
	last := max(head.Seq, v.maxPos)
	for seq := range v.seen {
		last = max(last, seq)
	}
	v.report.First, v.report.Last = start.Seq+1, last
	if head.Seq < last {
		v.report.Interrupted = int(last - head.Seq)
	}

	var missing []int64
	for seq := start.Seq + 1; seq <= last; seq++ {
		if !v.seen[seq] && !v.bad[seq] {
			missing = append(missing, seq)
		}
	}
	for _, seq := range missing {
		if seq > v.maxPos && seq <= head.Seq {
			v.problem(seq, ProblemTruncated, "entry %d is missing from the end of the log (the head record counts %d)", seq, head.Seq)
		} else {
			v.problem(seq, ProblemRemoved, "entry %d is missing", seq)
		}
	}

	for seq := start.Seq + 1; seq <= last; seq++ {
		if !v.seen[seq] {
			continue
		}
		want, known := start.MAC, seq == start.Seq+1
		if !known {
			want, known = v.macs[seq-1]
		}
		if known && v.prevs[seq] != want {
			v.problem(seq, ProblemBrokenLink, "entry %d does not chain to entry %d", seq, seq-1)
		}
	}
	if start.Seq > 0 && v.seen[start.Seq] && v.macs[start.Seq] != start.MAC {
		v.problem(start.Seq, ProblemBrokenLink, "entry %d does not match the pruning checkpoint", start.Seq)
	}
	if head.Seq > 0 && v.seen[head.Seq] && v.macs[head.Seq] != head.MAC {
		v.problem(head.Seq, ProblemBrokenLink, "entry %d does not match the head record", head.Seq)
	}
	if v.report.Interrupted > 1 {
		// Append writes the head after each entry, so a crash leaves at
		// most one entry after it.
		v.problem(0, ProblemState, "the head record is %d entries behind the log, which an interrupted append cannot cause", v.report.Interrupted)
	}
	sort.SliceStable(v.report.Problems, func(i, j int) bool { return v.report.Problems[i].Seq < v.report.Problems[j].Seq })
	// Entries after the head count as interrupted only when they are
	// authentic and chained; otherwise the problems above name them.
	if !v.report.OK() {
		v.report.Interrupted = 0
	}
}

// VerifyAnchored runs Verify and also checks the trail against the
// newest sequence number an Anchor kept outside the store. A trail
// shorter than its anchor is reported as truncated, and every rollback
// that Open found and recorded is reported too, so that appending past
// the old length does not hide a removal.
func VerifyAnchored(store Store, anchor Anchor) (Report, error) {
	report, err := Verify(store)
	if err != nil || anchor == nil {
		return report, err
	}
	anchored, err := anchor.LoadSeq()
	if err != nil {
		return report, fmt.Errorf("failed to read the audit anchor: %w", err)
	}
	if anchored > report.Last {
		report.Problems = append(report.Problems, Problem{
			Seq:  report.Last + 1,
			Kind: ProblemTruncated,
			Detail: fmt.Sprintf("entries %d to %d are missing from the end of the log: the anchor outside the database counts %d, "+
				"so the head record was rolled back with them", report.Last+1, anchored, anchored),
		})
	}
	rollbacks, err := recordedRollbacks(store)
	if err != nil {
		return report, err
	}
	report.Problems = append(report.Problems, rollbacks...)
	return report, nil
}

// recordedRollbacks returns a truncation problem for every rollback entry
// in the trail whose MAC verifies.
func recordedRollbacks(store Store) ([]Problem, error) {
	key, err := store.GetRecord(recordKind, chainKeyRecord)
	if err != nil {
		// Verify has already reported a missing chain key.
		return nil, nil
	}
	t := &Trail{store: store, key: key}
	var out []Problem
	err = store.ReadLog(logName, 1, func(seq int64, raw []byte) error {
		e, _, err := t.open(raw)
		if err != nil || e.Event.Kind != KindAuditRollback {
			return nil
		}
		out = append(out, Problem{
			Seq:  seq,
			Kind: ProblemTruncated,
			Detail: fmt.Sprintf("when the trail was opened it ended before entry %d, which its anchor outside the database had recorded; "+
				"the newest entries had been removed", e.Event.Count),
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to read the audit log: %w", err)
	}
	return out, nil
}
