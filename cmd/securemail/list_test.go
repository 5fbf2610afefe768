package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"securemail/internal/testenv"
)

// TestListAfterSync appends a plain message on the real stack, syncs and
// lists the INBOX: the new message must be listed as unread with its
// sender and subject.
func TestListAfterSync(t *testing.T) {
	st := testenv.Stack(t)
	const address = "client2@clinic.test"
	dir := stackProfile(t, st, address)
	profile := []string{"--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE"}

	subject := fmt.Sprintf("List check %d", time.Now().UnixNano())
	user := st.User(t, address)
	c, err := imapclient.DialTLS(st.Addr(st.Ports.IMAPS), &imapclient.Options{TLSConfig: st.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user.Address, user.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: Lab Desk <desk@lab.test>\r\nTo: " + address + "\r\nSubject: " + subject +
		"\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", "-") +
		"@lab.test>\r\n\r\nThe lab is closed on Monday.\r\n")
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}

	if code, _, stderr := runCmd(append([]string{"sync"}, profile...)...); code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCmd(append([]string{"list", "--limit", "500"}, profile...)...)
	if code != exitOK {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	var line string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasSuffix(l, subject) {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("list does not show the new message %q:\n%s", subject, stdout)
	}
	if !strings.Contains(line, " INBOX * ") || !strings.Contains(line, "desk@lab.test") {
		t.Errorf("line of the new message %q lacks the folder, the unread mark or the sender", line)
	}

	if code, _, _ := runCmd(append([]string{"list", "--limit", "0"}, profile...)...); code != exitUsage {
		t.Errorf("list --limit 0: exit %d, want %d", code, exitUsage)
	}
	if code, _, stderr := runCmd(append([]string{"list", "--account", "nobody@clinic.test"}, profile...)...); code == exitOK || !strings.Contains(stderr, address) {
		t.Errorf("list for an address that is no account: exit %d, stderr %q; want a failure naming the accounts", code, stderr)
	}
}
