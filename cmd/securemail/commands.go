package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"securemail/account"
	"securemail/audit"
	"securemail/client"
	"securemail/compose"
	"securemail/phi"
	"securemail/policy"
	"securemail/ui"
)

// Exit statuses of the headless commands.
const (
	exitOK      = 0
	exitFailure = 1 // the operation failed, or a check found problems
	exitUsage   = 2 // invalid flags or arguments
	// exitNeedsConfirmation means send stopped because the review found
	// something the flags did not confirm, or something that blocks.
	exitNeedsConfirmation = 3
)

type command func(args []string, stdout, stderr io.Writer) int

var commands map[string]command

func init() {
	commands = map[string]command{
		"help":    cmdHelp,
		"account": cmdAccount,
		"sync":    cmdSync,
		"send":    cmdSend,
		"scan":    cmdScan,
		"policy":  cmdPolicy,
		"audit":   cmdAudit,
		"keys":    cmdKeys,
		"outbox":  cmdOutbox,
	}
}

const helpText = `Usage: securemail COMMAND [flags]

Commands that open the profile read the vault passphrase from a file
descriptor (--passphrase-fd 3 3<file) or from an environment variable
named by --passphrase-env; never from a flag value.

  account add --address A [--imap HOST:PORT --smtp HOST:PORT] --password-fd N|--password-env NAME
  sync                     fetch new mail and submit the outbox
  send --to A[,B] [--cc A] [--subject S] [--body-file F] [--attach F]...
       [--confirm ID]... [--justification TEXT]
                           review and send; exits 3 listing the findings
                           when one needs a --confirm not given, or blocks
  scan FILE... [--json]    find PHI in files or .eml messages; exits 1 when found
  policy validate FILE     check a managed policy file; exits 1 when invalid
  policy show [--format text|json]
  audit verify             verify the audit trail; exits 1 when it fails
  audit export [--format jsonl|csv] [--from DATE] [--to DATE]
  keys list | keys export FINGERPRINT | keys import FILE [--key-passphrase-env NAME]
  outbox                   list the messages that wait for your decision: failed
                           ones, and uncertain ones that may have arrived already
  outbox send-again ID [--confirm uncertain]
                           queue a held message again and submit it; exits 3
                           for an uncertain one without --confirm uncertain
  outbox discard ID        delete a held message without sending it

Profile flags of every command that opens the profile:
  --profile DIR            the profile directory (default: the user's)
`

func cmdHelp(_ []string, stdout, _ io.Writer) int {
	fmt.Fprint(stdout, helpText)
	return exitOK
}

// profileFlags are the flags that open the profile.
type profileFlags struct {
	dir        string
	passphrase secretFlags
}

func (p *profileFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.dir, "profile", "", "profile directory (default: the user's default profile)")
	p.passphrase.register(fs, "passphrase", "vault passphrase")
}

// profileOptions returns the client options for a profile directory.
// Tests replace it to use an in-memory keyring and a cheap KDF.
var profileOptions = func(dir string) client.Options { return client.Options{Dir: dir} }

// open opens and unlocks the profile.
func (p *profileFlags) open() (*client.Client, error) {
	pass, err := p.passphrase.read("passphrase")
	if err != nil {
		return nil, err
	}
	defer clear(pass)
	c, err := client.Open(profileOptions(p.dir))
	if err != nil {
		return nil, err
	}
	if err := c.Unlock(pass); err != nil {
		return nil, err
	}
	return c, nil
}

// newFlagSet returns a flag set that reports errors to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("securemail "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args and returns the exit status to use when parsing
// failed, or -1 to continue.
func parse(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	return -1
}

// fail prints err and returns the failure status; a locked or wrong
// passphrase is a failure like any other.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "securemail:", err)
	return exitFailure
}

// withClient opens the profile, runs fn and locks the profile again.
func withClient(p *profileFlags, stderr io.Writer, fn func(*client.Client) int) int {
	c, err := p.open()
	if err != nil {
		return fail(stderr, err)
	}
	defer func() {
		if err := c.Lock("command finished"); err != nil {
			fmt.Fprintln(stderr, "securemail: locking the vault failed:", err)
		}
	}()
	return fn(c)
}

func cmdAccount(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "securemail: usage: securemail account add --address A ...")
		return exitUsage
	}
	fs := newFlagSet("account add", stderr)
	var p profileFlags
	var password secretFlags
	var address, imap, smtp, username string
	p.register(fs)
	password.register(fs, "password", "mail account password")
	fs.StringVar(&address, "address", "", "the account's email address")
	fs.StringVar(&username, "username", "", "login name when it is not the address")
	fs.StringVar(&imap, "imap", "", "IMAP server as host:port (993 implicit TLS, 143 STARTTLS); not needed when the policy has a preset for the domain")
	fs.StringVar(&smtp, "smtp", "", "SMTP server as host:port (465 implicit TLS, 587 STARTTLS); not needed with a preset")
	if st := parse(fs, args[1:]); st >= 0 {
		return st
	}
	if address == "" {
		fmt.Fprintln(stderr, "securemail: missing --address")
		return exitUsage
	}
	secret, err := password.read("password")
	if err != nil {
		fmt.Fprintln(stderr, "securemail:", err)
		return exitUsage
	}
	defer clear(secret)
	return withClient(&p, stderr, func(c *client.Client) int {
		adapter := ui.WrapClient(c)
		req := ui.AccountRequest{Address: address, Password: secret, IMAP: imap, SMTP: smtp}
		if err := adapter.AddAccount(context.Background(), req); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintln(stdout, "account added")
		return exitOK
	})
}

func cmdSync(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sync", stderr)
	var p profileFlags
	p.register(fs)
	if st := parse(fs, args); st >= 0 {
		return st
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return withClient(&p, stderr, func(c *client.Client) int {
		report, err := c.Sync(ctx, func(id string, pr account.Progress) {})
		if err != nil {
			return fail(stderr, err)
		}
		status := exitOK
		for id, r := range report.Accounts {
			fmt.Fprintf(stdout, "%s: %d folders, %d messages fetched, %d removed\n", id, r.Folders, r.Bodies, r.Expunged)
		}
		for id, e := range report.Errors {
			fmt.Fprintf(stderr, "securemail: sync of %s failed: %v\n", id, e)
			status = exitFailure
		}
		if err := c.FlushOutbox(ctx); err != nil {
			fmt.Fprintln(stderr, "securemail: submitting the outbox failed:", err)
			status = exitFailure
		}
		reportHeld(c, stderr)
		return status
	})
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func cmdSend(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("send", stderr)
	var p profileFlags
	var to, cc, bcc, subject, bodyFile, justification string
	var attach, confirm listFlag
	p.register(fs)
	fs.StringVar(&to, "to", "", "recipients, comma separated")
	fs.StringVar(&cc, "cc", "", "copy recipients, comma separated")
	fs.StringVar(&bcc, "bcc", "", "blind copy recipients, comma separated")
	fs.StringVar(&subject, "subject", "", "subject")
	fs.StringVar(&bodyFile, "body-file", "-", "file with the text body; - reads standard input")
	fs.Var(&attach, "attach", "file to attach; repeat for more")
	fs.Var(&confirm, "confirm", "ID of a review finding to confirm, as printed by a previous run; repeat for more")
	fs.StringVar(&justification, "justification", "", "reason for sending PHI, where the policy requires one")
	if st := parse(fs, args); st >= 0 {
		return st
	}
	draft, err := buildDraft(to, cc, bcc, subject, bodyFile, attach)
	if err != nil {
		fmt.Fprintln(stderr, "securemail:", err)
		return exitUsage
	}
	return withClient(&p, stderr, func(c *client.Client) int {
		return sendDraft(c, draft, compose.Answers{Confirmed: confirm, Justification: justification}, stdout, stderr)
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
// cover the review, and otherwise seals and queues it and submits the
// outbox.
func sendDraft(c *client.Client, d *compose.Draft, answers compose.Answers, stdout, stderr io.Writer) int {
	accounts, err := c.Accounts()
	if err != nil {
		return fail(stderr, err)
	}
	if len(accounts) == 0 {
		return fail(stderr, errors.New("no account in this profile; run securemail account add first"))
	}
	d.From = mail.Address{Address: accounts[0].Address}
	report, err := c.Review(d)
	if err != nil {
		return fail(stderr, err)
	}
	if missing := unanswered(report, answers); len(missing) > 0 || report.Blocked() {
		printReview(stderr, report, missing)
		return exitNeedsConfirmation
	}
	sealed, err := c.Send(accounts[0].ID, d, report, answers)
	if err != nil {
		return fail(stderr, err)
	}
	for _, pw := range sealed.Passwords {
		fmt.Fprintf(stdout, "password for the protected copy to %s: %s\n", pw.Recipient, pw.Password)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := c.FlushOutbox(ctx); err != nil {
		fmt.Fprintln(stderr, "securemail: the message is queued, but submitting it failed:", err, "; run securemail sync to retry")
		reportHeld(c, stderr)
		return exitFailure
	}
	fmt.Fprintln(stdout, "sent", sealed.MessageID)
	return exitOK
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
// kinds and locations, never the text found.
func printReview(w io.Writer, r *compose.Report, missing []string) {
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
	for _, m := range missing {
		if m == "--justification" {
			fmt.Fprintln(w, "the policy requires a reason for this PHI: add --justification TEXT")
		}
	}
}

func cmdScan(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("scan", stderr)
	asJSON := fs.Bool("json", false, "write the findings as JSON")
	if st := parse(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "securemail: usage: securemail scan FILE... [--json]")
		return exitUsage
	}
	eff, _ := policy.Load(policy.DefaultLocations())
	// The same detectors and actions as the send review.
	scanner, err := phi.NewScanner(client.ScanConfig(eff.Settings()))
	if err != nil {
		return fail(stderr, err)
	}
	found, err := scanner.WriteScan(stdout, fs.Args(), *asJSON)
	if err != nil {
		return fail(stderr, err)
	}
	if found {
		return exitFailure
	}
	return exitOK
}

func cmdPolicy(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "securemail: usage: securemail policy validate FILE | policy show [--format text|json]")
		return exitUsage
	}
	switch args[0] {
	case "validate":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "securemail: usage: securemail policy validate FILE")
			return exitUsage
		}
		err := policy.RunValidate(stdout, args[1])
		if err != nil {
			fmt.Fprintln(stderr, "securemail:", err)
		}
		return policy.ExitCode(err)
	case "show":
		fs := newFlagSet("policy show", stderr)
		format := fs.String("format", string(policy.ShowText), "output format: text or json")
		if st := parse(fs, args[1:]); st >= 0 {
			return st
		}
		err := policy.RunShow(stdout, policy.DefaultLocations(), policy.ShowFormat(*format))
		if err != nil {
			fmt.Fprintln(stderr, "securemail:", err)
		}
		return policy.ExitCode(err)
	}
	fmt.Fprintf(stderr, "securemail: unknown policy command %q; use validate or show\n", args[0])
	return exitUsage
}

func cmdAudit(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "export") {
		fmt.Fprintln(stderr, "securemail: usage: securemail audit verify | audit export [--format jsonl|csv] [--from DATE] [--to DATE]")
		return exitUsage
	}
	fs := newFlagSet("audit "+args[0], stderr)
	var p profileFlags
	p.register(fs)
	format := fs.String("format", string(audit.FormatJSONLines), "export format: jsonl or csv")
	fromText := fs.String("from", "", "first day to export, as YYYY-MM-DD (default: the start)")
	toText := fs.String("to", "", "day after the last to export, as YYYY-MM-DD (default: now)")
	if st := parse(fs, args[1:]); st >= 0 {
		return st
	}
	from, err := parseDay(*fromText)
	if err != nil {
		fmt.Fprintln(stderr, "securemail:", err)
		return exitUsage
	}
	to, err := parseDay(*toText)
	if err != nil {
		fmt.Fprintln(stderr, "securemail:", err)
		return exitUsage
	}
	return withClient(&p, stderr, func(c *client.Client) int {
		if args[0] == "verify" {
			report, err := c.VerifyAudit()
			if err != nil {
				return fail(stderr, err)
			}
			fmt.Fprintf(stdout, "%d entries, %d problems\n", report.Entries, len(report.Problems))
			for _, pr := range report.Problems {
				fmt.Fprintf(stdout, "%+v\n", pr)
			}
			if !report.OK() {
				return exitFailure
			}
			return exitOK
		}
		if _, err := c.ExportAudit(stdout, audit.Format(*format), from, to); err != nil {
			fmt.Fprintln(stderr, "securemail:", err)
			return audit.ExitCode(err)
		}
		return exitOK
	})
}

func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q: use YYYY-MM-DD", s)
	}
	return t, nil
}

func cmdKeys(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "securemail: usage: securemail keys list | export FINGERPRINT | import FILE")
		return exitUsage
	}
	fs := newFlagSet("keys "+args[0], stderr)
	var p profileFlags
	var keyPass secretFlags
	p.register(fs)
	keyPass.register(fs, "key-passphrase", "passphrase of the imported key, if it has one")
	if st := parse(fs, args[1:]); st >= 0 {
		return st
	}
	switch args[0] {
	case "list":
		return withClient(&p, stderr, func(c *client.Client) int {
			keys, err := c.Keys()
			if err != nil {
				return fail(stderr, err)
			}
			for _, k := range keys {
				fmt.Fprintln(stdout, ui.KeySummary(ui.KeyEntry{Own: k.Own, Scheme: k.Scheme, Addresses: k.UserIDs,
					Fingerprint: k.Fingerprint, Expires: k.Expires, Trust: k.Trust, Changed: k.Changed}))
			}
			return exitOK
		})
	case "export":
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "securemail: usage: securemail keys export FINGERPRINT")
			return exitUsage
		}
		return withClient(&p, stderr, func(c *client.Client) int {
			armored, err := c.ExportPublicKey(fs.Arg(0))
			if err != nil {
				return fail(stderr, err)
			}
			fmt.Fprint(stdout, armored)
			return exitOK
		})
	case "import":
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "securemail: usage: securemail keys import FILE")
			return exitUsage
		}
		data, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return fail(stderr, err)
		}
		var pass []byte
		if keyPass.fd >= 0 || keyPass.env != "" {
			if pass, err = keyPass.read("key-passphrase"); err != nil {
				fmt.Fprintln(stderr, "securemail:", err)
				return exitUsage
			}
			defer clear(pass)
		}
		return withClient(&p, stderr, func(c *client.Client) int {
			keys, err := c.ImportOpenPGP(data, pass)
			if err != nil {
				return fail(stderr, err)
			}
			fmt.Fprintf(stdout, "%d keys imported\n", len(keys))
			return exitOK
		})
	}
	fmt.Fprintf(stderr, "securemail: unknown keys command %q; use list, export or import\n", args[0])
	return exitUsage
}
