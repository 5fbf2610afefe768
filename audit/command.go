package audit

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// RunVerify implements "securemail audit verify": it verifies the trail in
// store and writes a summary and one line per problem to w. It returns an
// error wrapping ErrTampered when there are problems (exit status 1) and
// another error when the store cannot be read (exit status 2).
func RunVerify(w io.Writer, store Store) error {
	report, err := Verify(store)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "entries: %d (sequence %d to %d)\n", report.Entries, report.First, report.Last)
	if report.Pruned > 0 {
		fmt.Fprintf(w, "pruned: entries 1 to %d, checkpoint verified\n", report.Pruned)
	}
	if report.Interrupted > 0 {
		fmt.Fprintf(w, "interrupted append: %d authentic entry after the head record\n", report.Interrupted)
	}
	for _, p := range report.Problems {
		fmt.Fprintln(w, p)
	}
	if !report.OK() {
		fmt.Fprintf(w, "FAILED: %d problem(s)\n", len(report.Problems))
		return fmt.Errorf("%w: %d problem(s)", ErrTampered, len(report.Problems))
	}
	fmt.Fprintln(w, "OK: every entry verified")
	return nil
}

// RunExport implements "securemail audit export": it writes the entries
// from from (inclusive) to to (exclusive) to w in the given format, jsonl
// or csv, and returns an error when the store cannot be read or w fails.
// Zero times leave that end open.
func RunExport(w io.Writer, store Store, format Format, from, to time.Time) (ExportResult, error) {
	return Export(store, w, ExportOptions{Format: format, From: from, To: to})
}

// ExitCode maps an error from RunVerify or RunExport to an exit status:
// 0 for nil, 1 for a trail that fails verification, 2 for any other
// failure.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrTampered):
		return 1
	}
	return 2
}
