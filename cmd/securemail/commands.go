package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"syscall"
	"time"

	"securemail/account"
	"securemail/audit"
	"securemail/client"
	"securemail/phi"
	"securemail/policy"
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
		"profile": cmdProfile,
		"account": cmdAccount,
		"sync":    cmdSync,
		"send":    cmdSend,
		"scan":    cmdScan,
		"policy":  cmdPolicy,
		"audit":   cmdAudit,
		"keys":    cmdKeys,
		"outbox":  cmdOutbox,
		"list":    cmdList,
	}
}

const helpText = `Usage: securemail COMMAND [flags]

Commands that open the profile read the vault passphrase from a file
descriptor (--passphrase-fd 3 3<file) or from an environment variable
named by --passphrase-env; never from a flag value. Flags may come
before or after the other arguments.

  profile create           create the profile's vault, protected by the passphrase
                           (at least 12 characters) and a device secret in the
                           OS keyring, as the first start of the GUI does
  account add --address A [--username NAME] [--imap HOST:PORT --smtp HOST:PORT]
       --password-fd N|--password-env NAME [--no-check]
                           log in to both servers, then save the account;
                           --no-check saves it without logging in
  account list             list the accounts: ID, address, username, servers
  account remove ID        delete an account and its password from the profile
  sync                     fetch new mail and submit the outbox
  send --to A[,B] [--from A] [--cc A] [--subject S] [--body-file F] [--attach F]...
       [--confirm ID]... [--justification TEXT]
                           review and send; exits 3 listing the findings
                           when one needs a --confirm not given, or blocks.
                           --from is needed when the profile has several accounts
  scan FILE... [--json]    find PHI in files or .eml messages; exits 1 when found.
                           Levels low, moderate and high take the policy's
                           phi.actions; restricted (the special categories,
                           which the send review calls special category) takes
                           the high action, and at least justify
  policy validate FILE     check a managed policy file; exits 1 when invalid
  policy show [--format text|json]
  audit verify             verify the audit trail; exits 1 when it fails
  audit export [--format jsonl|csv] [--from DATE] [--to DATE]
                           entries from the start of --from up to the start of
                           --to: --to is the day after the last day exported
  keys list | keys export FINGERPRINT | keys import FILE [--key-passphrase-env NAME]
  keys generate [--address A] [--name NAME] [--rsa]
                           make the user's OpenPGP key (Curve25519, or RSA-4096
                           with --rsa); --address is needed with several accounts
  outbox                   list the messages that wait for your decision: failed
                           ones, and uncertain ones that may have arrived already;
                           then the ones queued for submission
  outbox send-again ID [--confirm uncertain]
                           queue a held message again and submit it; exits 3
                           for an uncertain one without --confirm uncertain
  outbox discard ID        delete a held message without sending it
  outbox withdraw ID       delete a queued message before it is submitted
  list [--account A] [--folder NAME] [--limit N]
                           list the newest cached messages: ID, date, folder,
                           * for unread, sender and subject ("[...]" for an
                           encrypted message not yet opened)

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

// resolveDir returns the profile directory: --profile, or the user's
// default profile.
func (p *profileFlags) resolveDir() (string, error) {
	if p.dir != "" {
		return p.dir, nil
	}
	return client.DefaultProfileDir()
}

// open opens and unlocks the profile.
func (p *profileFlags) open() (*client.Client, error) {
	pass, err := p.passphrase.read("passphrase")
	if err != nil {
		return nil, err
	}
	defer clear(pass)
	dir, err := p.resolveDir()
	if err != nil {
		return nil, err
	}
	if !client.Exists(dir) {
		return nil, fmt.Errorf("no vault in the profile %s; create one with securemail profile create --profile %s", dir, dir)
	}
	c, err := client.Open(profileOptions(dir))
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

// parseArgs parses args, in which flags may come before, between or
// after the positional arguments, as the help text shows them, and
// returns the positional arguments in order. "--" ends the flags.
// status is the exit status to use when parsing failed, or -1 to
// continue.
func parseArgs(fs *flag.FlagSet, args []string) (positional []string, status int) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK
			}
			return nil, exitUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, -1
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), -1
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// checkArgs reports whether args has between minArgs and maxArgs
// positional arguments, and otherwise prints what is wrong with usage.
func checkArgs(stderr io.Writer, args []string, minArgs, maxArgs int, usage string) bool {
	switch {
	case len(args) > maxArgs:
		fmt.Fprintf(stderr, "securemail: unexpected argument %q; usage: %s\n", args[maxArgs], usage)
		return false
	case len(args) < minArgs:
		fmt.Fprintln(stderr, "securemail: missing argument; usage:", usage)
		return false
	}
	return true
}

// fail prints err and returns the failure status; a locked or wrong
// passphrase is a failure like any other.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "securemail:", err)
	return exitFailure
}

// withClient opens the profile, runs fn and locks the profile again. A
// failed audit append, the lock's own included, is reported and turns a
// successful exit status into a failure.
func withClient(p *profileFlags, stderr io.Writer, fn func(*client.Client) int) (status int) {
	c, err := p.open()
	if err != nil {
		return fail(stderr, err)
	}
	warnRejected(stderr, c.PolicyRejections())
	defer func() {
		if err := c.Lock("command finished"); err != nil {
			fmt.Fprintln(stderr, "securemail: locking the vault failed:", err)
		}
		status = reportAuditErr(c, stderr, status)
	}()
	return fn(c)
}

func cmdSync(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sync", stderr)
	var p profileFlags
	p.register(fs)
	rest, st := parseArgs(fs, args)
	if st >= 0 {
		return st
	}
	if !checkArgs(stderr, rest, 0, 0, "securemail sync") {
		return exitUsage
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
			fmt.Fprintf(stdout, "%s: %s, %s fetched, %d removed\n", id,
				countNoun(r.Folders, "folder", "folders"), countNoun(r.Bodies, "message", "messages"), r.Expunged)
		}
		for id, e := range report.Errors {
			if readMarksOnly(e) {
				fmt.Fprintf(stderr, "securemail: %s synced, but %v\n", id, e)
			} else {
				fmt.Fprintf(stderr, "securemail: sync of %s failed: %v\n", id, e)
			}
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

// warnRejected prints a warning for each policy source or value that the
// policy load skipped, which otherwise only the audit trail records.
func warnRejected(stderr io.Writer, rejections []policy.Rejection) {
	for _, r := range rejections {
		fmt.Fprintf(stderr, "securemail: warning: settings from %s (%s) were not used: %s\n", r.Origin, r.Source, r.Reason)
	}
}

// readMarksOnly reports whether err, an account's error in a sync
// report, contains only the read marks made offline that are not on the
// server yet, so the sync itself worked.
func readMarksOnly(err error) bool {
	var marks *client.ReadMarksError
	if errors.As(err, &marks) && err == error(marks) {
		return true
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return false
	}
	errs := joined.Unwrap()
	return len(errs) == 1 && errors.As(errs[0], &marks) && errs[0] == error(marks)
}

func cmdScan(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("scan", stderr)
	asJSON := fs.Bool("json", false, "write the findings as JSON")
	files, st := parseArgs(fs, args)
	if st >= 0 {
		return st
	}
	if !checkArgs(stderr, files, 1, math.MaxInt, "securemail scan FILE... [--json]") {
		return exitUsage
	}
	eff, report := policy.Load(policy.DefaultLocations())
	warnRejected(stderr, report.Rejections)
	// The same detectors and actions as the send review.
	scanner, err := phi.NewScanner(client.ScanConfig(eff.Settings()))
	if err != nil {
		return fail(stderr, err)
	}
	found, err := scanner.WriteScan(stdout, files, *asJSON)
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
		fs := newFlagSet("policy validate", stderr)
		files, st := parseArgs(fs, args[1:])
		if st >= 0 {
			return st
		}
		if !checkArgs(stderr, files, 1, 1, "securemail policy validate FILE") {
			return exitUsage
		}
		err := policy.RunValidate(stdout, files[0])
		// RunValidate has listed the issues of an invalid file on
		// stdout, one a line; only other failures go to stderr.
		if err != nil && !errors.Is(err, policy.ErrInvalid) {
			fmt.Fprintln(stderr, "securemail:", err)
		}
		return policy.ExitCode(err)
	case "show":
		fs := newFlagSet("policy show", stderr)
		format := fs.String("format", string(policy.ShowText), "output format: text or json")
		rest, st := parseArgs(fs, args[1:])
		if st >= 0 {
			return st
		}
		if !checkArgs(stderr, rest, 0, 0, "securemail policy show [--format text|json]") {
			return exitUsage
		}
		_, report := policy.Load(policy.DefaultLocations())
		warnRejected(stderr, report.Rejections)
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
	toText := fs.String("to", "", "day after the last to export, as YYYY-MM-DD; entries of that day are left out (default: now)")
	rest, st := parseArgs(fs, args[1:])
	if st >= 0 {
		return st
	}
	if !checkArgs(stderr, rest, 0, 0, "securemail audit "+args[0]) {
		return exitUsage
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
			fmt.Fprintf(stdout, "%s, %s\n", countNoun(report.Entries, "entry", "entries"),
				countNoun(len(report.Problems), "problem", "problems"))
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
