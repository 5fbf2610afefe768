package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"securemail/client"
)

// accountCheckTimeout bounds the login to both servers of account add.
const accountCheckTimeout = 30 * time.Second

const profileUsage = "securemail profile create [--profile DIR] --passphrase-fd N|--passphrase-env NAME"

// cmdProfile creates a profile's vault, which the GUI does on its first
// run, so that a script can set up a profile without a display.
func cmdProfile(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "securemail: usage:", profileUsage)
		return exitUsage
	}
	fs := newFlagSet("profile create", stderr)
	var p profileFlags
	p.register(fs)
	rest, st := parseArgs(fs, args[1:])
	if st >= 0 {
		return st
	}
	if !checkArgs(stderr, rest, 0, 0, profileUsage) {
		return exitUsage
	}

	pass, err := p.passphrase.read("passphrase")
	if err != nil {
		return fail(stderr, err)
	}
	defer clear(pass)
	if err := client.CheckNewPassphrase(pass); err != nil {
		return fail(stderr, err)
	}

	dir, err := p.resolveDir()
	if err != nil {
		return fail(stderr, err)
	}
	if client.Exists(dir) {
		return fail(stderr, fmt.Errorf("the profile %s already has a vault; use it with --profile %s, or choose another directory", dir, dir))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(stderr, fmt.Errorf("creating the profile directory failed: %w", err))
	}

	// The vault mode is the one the GUI's first run creates: a device
	// secret in the OS keyring together with the passphrase.
	c, err := client.Create(profileOptions(dir), pass, false)
	if err != nil {
		return fail(stderr, err)
	}
	if err := c.Lock("command finished"); err != nil {
		return fail(stderr, fmt.Errorf("the profile was created, but locking its vault failed: %w", err))
	}
	fmt.Fprintln(stdout, "profile created in", dir)
	return reportAuditErr(c, stderr, exitOK)
}

const (
	accountAddUsage = "securemail account add --address A [--username NAME] [--imap HOST:PORT --smtp HOST:PORT] " +
		"--password-fd N|--password-env NAME [--no-check]"
	accountUsage = "securemail account add --address A ... | account list | account remove ID"
)

func cmdAccount(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "securemail: usage:", accountUsage)
		return exitUsage
	}
	switch args[0] {
	case "add":
		return accountAdd(args[1:], stdout, stderr)
	case "list":
		return accountList(args[1:], stdout, stderr)
	case "remove":
		return accountRemove(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "securemail: unknown account command %q; use add, list or remove\n", args[0])
	return exitUsage
}

func accountAdd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("account add", stderr)
	var p profileFlags
	var password secretFlags
	var address, imap, smtp, username string
	var noCheck bool
	p.register(fs)
	password.register(fs, "password", "mail account password")
	fs.StringVar(&address, "address", "", "the account's email address")
	fs.StringVar(&username, "username", "", "login name when it is not the address")
	fs.StringVar(&imap, "imap", "", "IMAP server as host:port (993 implicit TLS, 143 STARTTLS); not needed when the policy has a preset for the domain")
	fs.StringVar(&smtp, "smtp", "", "SMTP server as host:port (465 implicit TLS, 587 STARTTLS); not needed with a preset")
	fs.BoolVar(&noCheck, "no-check", false, "save the account without logging in to its servers first")
	rest, st := parseArgs(fs, args)
	if st >= 0 {
		return st
	}
	if !checkArgs(stderr, rest, 0, 0, accountAddUsage) {
		return exitUsage
	}
	if address == "" {
		fmt.Fprintln(stderr, "securemail: missing --address; usage:", accountAddUsage)
		return exitUsage
	}
	secret, err := password.read("password")
	if err != nil {
		fmt.Fprintln(stderr, "securemail:", err)
		return exitUsage
	}
	defer clear(secret)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return withClient(&p, stderr, func(c *client.Client) int {
		a, preset, err := c.AccountSettings(address, username, imap, smtp)
		if err != nil {
			fmt.Fprintln(stderr, "securemail:", err)
			return exitUsage
		}
		if preset && (imap != "" || smtp != "") {
			fmt.Fprintf(stderr, "securemail: the policy sets the servers for %s, so --imap and --smtp are ignored\n", address)
		}
		existing, err := c.Accounts()
		if err != nil {
			return fail(stderr, err)
		}
		verb := "added"
		if slices.ContainsFunc(existing, func(e client.Account) bool { return strings.EqualFold(e.Address, a.Address) }) {
			verb = "updated"
		}
		if !noCheck {
			checkCtx, cancel := context.WithTimeout(ctx, accountCheckTimeout)
			err := c.CheckAccount(checkCtx, a, string(secret))
			cancel()
			if err != nil {
				return fail(stderr, fmt.Errorf("the account was not saved: %w; fix the server or password, or add --no-check to save it anyway", err))
			}
		}
		if err := c.AddAccount(a, string(secret)); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "account %s %s (IMAP %s, SMTP %s)\n", a.Address, verb, a.IMAP.Address(), a.SMTP.Address())
		return exitOK
	})
}

// accountList prints each account's ID, address, login name and servers.
// The password stays in the vault.
func accountList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("account list", stderr)
	var p profileFlags
	p.register(fs)
	rest, st := parseArgs(fs, args)
	if st >= 0 {
		return st
	}
	if !checkArgs(stderr, rest, 0, 0, "securemail account list") {
		return exitUsage
	}
	return withClient(&p, stderr, func(c *client.Client) int {
		accounts, err := c.Accounts()
		if err != nil {
			return fail(stderr, err)
		}
		if len(accounts) == 0 {
			fmt.Fprintln(stdout, "no accounts; add one with securemail account add")
			return exitOK
		}
		for _, a := range accounts {
			fmt.Fprintf(stdout, "%s  address %s  username %s  IMAP %s (%s)  SMTP %s (%s)\n", a.ID, a.Address, a.Username,
				a.IMAP.Address(), a.IMAP.Security, a.SMTP.Address(), a.SMTP.Security)
		}
		return exitOK
	})
}

func accountRemove(args []string, stdout, stderr io.Writer) int {
	const usage = "securemail account remove ID"
	fs := newFlagSet("account remove", stderr)
	var p profileFlags
	p.register(fs)
	rest, st := parseArgs(fs, args)
	if st >= 0 {
		return st
	}
	if !checkArgs(stderr, rest, 1, 1, usage) {
		return exitUsage
	}
	return withClient(&p, stderr, func(c *client.Client) int {
		if err := c.RemoveAccount(rest[0]); err != nil {
			if errors.Is(err, client.ErrNoAccount) {
				fmt.Fprintln(stderr, "securemail:", err)
				return exitUsage
			}
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "account %s removed\n", rest[0])
		return exitOK
	})
}
