package audit

import "securemail/policy"

// PolicyEvents returns the entries to record after policy.Load: one
// policy.rejected entry per rejected source or value, then one
// policy.loaded entry with the sources applied.
func PolicyEvents(report policy.Report, fallBack bool) []Event {
	var events []Event
	for _, r := range report.Rejections {
		events = append(events, PolicyRejected(r.Origin, []string{r.Reason}, fallBack && r.Source != policy.SourceUser))
	}
	return append(events, PolicyLoaded(report.Applied))
}
