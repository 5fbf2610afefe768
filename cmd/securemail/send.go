package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"securemail/client"
	"securemail/compose"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func cmdSend(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("send", stderr)
	var p profileFlags
	var from, to, cc, bcc, subject, bodyFile, justification string
	var attach, confirm listFlag
	p.register(fs)
	fs.StringVar(&from, "from", "", "address of the account to send from; needed when the profile has several accounts")
	fs.StringVar(&to, "to", "", "recipients, comma separated")
	fs.StringVar(&cc, "cc", "", "copy recipients, comma separated")
	fs.StringVar(&bcc, "bcc", "", "blind copy recipients, comma separated")
	fs.StringVar(&subject, "subject", "", "subject")
	fs.StringVar(&bodyFile, "body-file", "-", "file with the text body; - reads standard input")
	fs.Var(&attach, "attach", "file to attach; repeat for more")
	fs.Var(&confirm, "confirm", "ID of a review finding to confirm, as printed by a previous run; repeat for more")
	fs.StringVar(&justification, "justification", "", "reason for sending PHI, where the policy requires one")
	rest, st := parseArgs(fs, args)
	if st >= 0 {
		return st
	}
	if !checkArgs(stderr, rest, 0, 0, "securemail send --to A[,B] [flags]; run securemail help") {
		return exitUsage
	}
	draft, err := buildDraft(to, cc, bcc, subject, bodyFile, attach)
	if err != nil {
		fmt.Fprintln(stderr, "securemail:", err)
		return exitUsage
	}
	return withClient(&p, stderr, func(c *client.Client) int {
		return sendDraft(c, from, draft, compose.Answers{Confirmed: confirm, Justification: justification}, stdout, stderr)
	})
}

func buildDraft(to, cc, bcc, subject, bodyFile string, attach []string) (*compose.Draft, error) {
	d := &compose.Draft{Subject: subject}
	var err error
	if d.To, err = parseAddresses(to); err != nil {
		return nil, err
	}
	if d.Cc, err = parseAddresses(cc); err != nil {
		return nil, err
	}
	if d.Bcc, err = parseAddresses(bcc); err != nil {
		return nil, err
	}
	var body []byte
	if bodyFile == "-" {
		body, err = io.ReadAll(os.Stdin)
	} else {
		body, err = os.ReadFile(bodyFile)
	}
	if err != nil {
		return nil, fmt.Errorf("read the body: %w", err)
	}
	d.Body = string(body)
	for _, path := range attach {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read attachment: %w", err)
		}
		name := filepath.Base(path)
		d.Attachments = append(d.Attachments, compose.Attachment{Name: name, ContentType: mime.TypeByExtension(filepath.Ext(name)), Data: data})
	}
	return d, nil
}

func parseAddresses(list string) ([]mail.Address, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	parsed, err := mail.ParseAddressList(list)
	if err != nil {
		return nil, fmt.Errorf("invalid address list %q: %w", list, err)
	}
	out := make([]mail.Address, 0, len(parsed))
	for _, a := range parsed {
		out = append(out, *a)
	}
	return out, nil
}

// sendDraft reviews d, stops with the reasons when the answers do not
// cover the review, and otherwise seals and queues it from the account
// with address from and submits the outbox.
func sendDraft(c *client.Client, from string, d *compose.Draft, answers compose.Answers, stdout, stderr io.Writer) int {
	sender, err := chooseAccount(c, from, "--from")
	if err != nil {
		fmt.Fprintln(stderr, "securemail:", err)
		return exitUsage
	}
	d.From = mail.Address{Address: sender.Address}

	report, err := c.Review(d)
	if err != nil {
		return fail(stderr, err)
	}
	if err := checkConfirmIDs(report, answers.Confirmed); err != nil {
		fmt.Fprintln(stderr, "securemail:", err)
		return exitUsage
	}
	if missing := unanswered(report, answers); len(missing) > 0 || report.Blocked() {
		printReview(stderr, report, answers, missing)
		return exitNeedsConfirmation
	}

	heldBefore, err := heldIDs(c)
	if err != nil {
		return fail(stderr, err)
	}
	sealed, err := c.Send(sender.ID, d, report, answers)
	if err != nil {
		return fail(stderr, err)
	}
	for _, pw := range sealed.Passwords {
		fmt.Fprintf(stdout, "password for the protected copy to %s: %s\n", pw.Recipient, pw.Password)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := c.FlushOutbox(ctx); err != nil {
		return reportSendFailure(c, heldBefore, err, stderr)
	}
	fmt.Fprintln(stdout, "sent", sealed.MessageID)
	return exitOK
}

// chooseAccount returns the account with address from, or the only
// account when from is empty. With several accounts and no from it
// fails and lists them, because choosing one would send from an address
// the user did not pick. flagName is the flag that sets from.
func chooseAccount(c *client.Client, from, flagName string) (client.Account, error) {
	accounts, err := c.Accounts()
	if err != nil {
		return client.Account{}, err
	}
	if len(accounts) == 0 {
		return client.Account{}, errors.New("no account in this profile; run securemail account add first")
	}
	var addresses []string
	for _, a := range accounts {
		if from != "" && strings.EqualFold(a.Address, from) {
			return a, nil
		}
		addresses = append(addresses, a.Address)
	}
	switch {
	case from != "":
		return client.Account{}, fmt.Errorf("no account with the address %q for %s; the accounts are: %s", from, flagName, strings.Join(addresses, ", "))
	case len(accounts) > 1:
		return client.Account{}, fmt.Errorf("the profile has %d accounts; choose one with %s: %s", len(accounts), flagName, strings.Join(addresses, ", "))
	}
	return accounts[0], nil
}

// checkConfirmIDs returns an error naming the first confirmed ID that is
// not the ID of a finding of the review, with the IDs that need a
// confirmation. A mistyped ID would otherwise be ignored, and the user
// would think it confirmed something.
func checkConfirmIDs(r *compose.Report, confirmed []string) error {
	for _, id := range confirmed {
		if slices.ContainsFunc(r.Findings, func(f compose.Finding) bool { return f.ID == id }) {
			continue
		}
		needed := r.Confirmations()
		if len(needed) == 0 {
			return fmt.Errorf("unknown --confirm ID %q: the review of this message asks for no confirmation; remove the flag", id)
		}
		return fmt.Errorf("unknown --confirm ID %q: the review of this message asks for %s", id, strings.Join(needed, ", "))
	}
	return nil
}

// heldIDs returns the IDs of the outbox messages that wait for the user.
func heldIDs(c *client.Client) (map[int64]bool, error) {
	held, err := c.HeldMessages()
	if err != nil {
		return nil, err
	}
	ids := make(map[int64]bool, len(held))
	for _, h := range held {
		ids[h.ID] = true
	}
	return ids, nil
}

// reportSendFailure prints what follows from a failed submission and
// returns the exit status. A message the outbox now holds, for example
// after a 550 rejection, is not retried by sync, so for it only the
// outbox commands are named. heldBefore are the held IDs from before
// this message was queued.
func reportSendFailure(c *client.Client, heldBefore map[int64]bool, flushErr error, stderr io.Writer) int {
	held, err := c.HeldMessages()
	if err != nil {
		fmt.Fprintln(stderr, "securemail: submitting failed:", flushErr)
		return fail(stderr, fmt.Errorf("listing the held outbox messages failed: %w", err))
	}
	ours, others := 0, 0
	for _, h := range held {
		if heldBefore[h.ID] {
			others++
			continue
		}
		ours++
		fmt.Fprintf(stderr, "securemail: the message was not sent and is held as outbox message %d: %s\n", h.ID, h.Reason)
		fmt.Fprintf(stderr, "securemail: fix the cause and run securemail outbox send-again %d, or securemail outbox discard %d\n", h.ID, h.ID)
	}
	if ours == 0 {
		fmt.Fprintf(stderr, "securemail: the message is queued, but submitting it failed: %v; run securemail sync to retry\n", flushErr)
	}
	switch others {
	case 0:
	case 1:
		fmt.Fprintln(stderr, "securemail: 1 other message needs your decision; run securemail outbox")
	default:
		fmt.Fprintf(stderr, "securemail: %d other messages need your decision; run securemail outbox\n", others)
	}
	return exitFailure
}

// unanswered returns the findings that need a confirmation the answers
// lack, plus a justification marker when one is required and missing.
func unanswered(r *compose.Report, a compose.Answers) []string {
	var missing []string
	for _, id := range r.Confirmations() {
		found := false
		for _, c := range a.Confirmed {
			if c == id {
				found = true
			}
		}
		if !found {
			missing = append(missing, id)
		}
	}
	if r.NeedsJustification && strings.TrimSpace(a.Justification) == "" {
		missing = append(missing, "--justification")
	}
	return missing
}

// printReview writes the findings without PHI: the explanations name
// kinds and locations, never the text found. It ends with one line for
// each flag that is missing.
func printReview(w io.Writer, r *compose.Report, a compose.Answers, missing []string) {
	if r.Blocked() {
		fmt.Fprintln(w, "securemail: the message was not sent because a check blocks it:")
	} else {
		fmt.Fprintln(w, "securemail: the message was not sent; confirm these findings with --confirm ID:")
	}
	for _, f := range r.Findings {
		mark := " "
		switch {
		case f.Severity == compose.SeverityBlocking:
			mark = "!"
		case f.Confirm:
			mark = "?"
		}
		fmt.Fprintf(w, "%s [%s] %s (id %s)\n", mark, f.Severity, f.Explanation, f.ID)
	}
	for _, rc := range r.Recipients {
		fmt.Fprintf(w, "  %s %s: %s (%s)\n", rc.Field, rc.Address, rc.Method, rc.Reason)
	}
	if r.Blocked() {
		return
	}
	for _, m := range missing {
		if m == "--justification" {
			fmt.Fprintln(w, "missing: --justification TEXT, because the policy requires a reason for this PHI")
			continue
		}
		if strings.TrimSpace(a.Justification) != "" {
			fmt.Fprintf(w, "missing: --confirm %s (a --justification does not confirm a finding)\n", m)
			continue
		}
		fmt.Fprintf(w, "missing: --confirm %s\n", m)
	}
}
