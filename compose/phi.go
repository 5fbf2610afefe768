package compose

import (
	"fmt"
	"slices"
	"strings"
)

// reviewPHI scans the draft and turns the scanner's findings into review
// findings: one summary carrying the policy action, one for PHI in the
// subject, and one informational line per kind and location.
func reviewPHI(d *Draft, r *Report, env *Env) error {
	report, err := env.Scanner.Scan(PHIDocument{Subject: d.Subject, Body: d.Body, Attachments: d.Attachments})
	if err != nil {
		return fmt.Errorf("compose: scan the draft for PHI: %w", err)
	}
	r.PHI = report
	r.PHIAction = env.Policy.phiAction(report.Level)
	if len(report.Findings) == 0 && report.Level == SensitivityNone {
		return nil
	}

	type group struct {
		kind       string
		location   PHILocation
		attachment int
	}
	counts := map[group]int{}
	excerpts := map[group]string{}
	var order []group
	var subjectKinds []string
	for _, f := range report.Findings {
		g := group{f.Kind, f.Location, f.Attachment}
		if f.Location != InAttachment {
			g.attachment = 0
		}
		if counts[g] == 0 {
			order = append(order, g)
			excerpts[g] = f.Excerpt
		}
		counts[g]++
		if f.Location == InSubject && !slices.Contains(subjectKinds, f.Kind) {
			subjectKinds = append(subjectKinds, f.Kind)
		}
	}

	summary := Finding{ID: string(KindPHI), Kind: KindPHI}
	summary.Severity, summary.Confirm = actionSeverity(r.PHIAction)
	summary.Explanation = fmt.Sprintf("The message contains PHI of %s sensitivity (%d finding(s)). %s",
		report.Level, len(report.Findings), actionText(r.PHIAction))
	r.NeedsJustification = r.PHIAction == ActionJustify
	r.addFinding(summary)

	if len(subjectKinds) > 0 {
		f := Finding{ID: string(KindPHISubject), Kind: KindPHISubject}
		f.Severity, f.Confirm = actionSeverity(env.Policy.SubjectPHI)
		f.Explanation = fmt.Sprintf("The subject contains PHI (%s). Subjects show in notifications and in "+
			"unencrypted copies; move it into the body. %s", strings.Join(subjectKinds, ", "), actionText(env.Policy.SubjectPHI))
		if env.Policy.SubjectPHI == ActionJustify {
			r.NeedsJustification = true
		}
		r.addFinding(f)
	}

	for _, g := range order {
		where := g.location.String()
		id := fmt.Sprintf("phi:%s:%s", g.kind, where)
		if g.location == InAttachment {
			where = fmt.Sprintf("attachment %q", attachmentName(d, g.attachment))
			id = fmt.Sprintf("phi:%s:attachment-%d", g.kind, g.attachment)
		}
		text := fmt.Sprintf("%d × %s in the %s", counts[g], g.kind, where)
		if excerpts[g] != "" {
			text += fmt.Sprintf(", for example %q", excerpts[g])
		}
		r.addFinding(Finding{ID: id, Kind: KindPHIDetail, Severity: SeverityInfo, Explanation: text + "."})
	}
	return nil
}

func attachmentName(d *Draft, i int) string {
	if i < 0 || i >= len(d.Attachments) {
		return fmt.Sprintf("#%d", i+1)
	}
	return d.Attachments[i].Name
}

// actionSeverity returns the severity of a finding under a policy action
// and whether the sender must confirm it.
func actionSeverity(a PHIAction) (Severity, bool) {
	switch a {
	case ActionAllow:
		return SeverityInfo, false
	case ActionWarn:
		return SeverityWarning, true
	case ActionJustify:
		return SeverityDanger, true
	default:
		return SeverityBlocking, false
	}
}

func actionText(a PHIAction) string {
	switch a {
	case ActionAllow:
		return "Your organisation allows it."
	case ActionWarn:
		return "Confirm that it is needed."
	case ActionJustify:
		return "Your organisation requires a written justification to send it."
	default:
		return "Your organisation does not allow sending it by email."
	}
}
