package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"securemail/client"
)

const listUsage = "securemail list [--account ADDRESS] [--folder NAME] [--limit N]"

// cmdList prints the newest cached messages of a folder, one a line:
// the message ID in the cache, the date, the folder, an asterisk for an
// unread message, the sender and the subject. It lets a script see what a
// sync brought without the GUI. Encrypted messages show "[...]" as their
// subject until opened, because the real one is inside the encryption.
func cmdList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("list", stderr)
	var p profileFlags
	p.register(fs)
	address := fs.String("account", "", "the account's address; needed when the profile has several accounts")
	folder := fs.String("folder", "INBOX", "the folder to list; an empty name lists every folder")
	limit := fs.Int("limit", 50, "how many of the newest messages to list")
	rest, st := parseArgs(fs, args)
	if st >= 0 {
		return st
	}
	if !checkArgs(stderr, rest, 0, 0, listUsage) {
		return exitUsage
	}
	if *limit < 1 {
		fmt.Fprintf(stderr, "securemail: invalid --limit %d: give 1 or more\n", *limit)
		return exitUsage
	}
	return withClient(&p, stderr, func(c *client.Client) int {
		acct, err := chooseAccount(c, *address, "--account")
		if err != nil {
			return fail(stderr, err)
		}
		messages, err := c.List(acct.ID, *folder, 0, *limit)
		if err != nil {
			return fail(stderr, err)
		}
		if len(messages) == 0 {
			fmt.Fprintf(stdout, "no messages in %s of %s\n", folderLabel(*folder), acct.Address)
			return exitOK
		}
		for _, m := range messages {
			unread := " "
			if !slices.ContainsFunc(m.Flags, func(f string) bool { return strings.EqualFold(f, `\Seen`) }) {
				unread = "*"
			}
			fmt.Fprintf(stdout, "%d  %s  %s %s  %s  %s\n", m.ID, m.Date.Local().Format("2006-01-02 15:04"),
				m.Folder, unread, m.From, m.Subject)
		}
		return exitOK
	})
}

// folderLabel returns folder, or "any folder" for the empty name.
func folderLabel(folder string) string {
	if folder == "" {
		return "any folder"
	}
	return folder
}
