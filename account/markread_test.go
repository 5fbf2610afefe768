package account

import (
	"errors"
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// checkMarkReadIfValid runs MarkReadIfValid against folder, in which UID
// 1 is an unread message, and checks the three outcomes: a stale
// UIDVALIDITY stores nothing, the current one sets \Seen, and a folder
// the server lacks is ErrFolderNotFound. other is a second connection of
// the same user, used to read the server's state.
func checkMarkReadIfValid(t *testing.T, s *Syncer, other *imapclient.Client, folder string) {
	t.Helper()
	ctx := testContext(t)
	selected, err := other.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	validity := selected.UIDValidity

	sent, err := s.MarkReadIfValid(ctx, folder, validity+1, []uint32{1})
	if err != nil {
		t.Errorf("MarkReadIfValid with a stale UIDVALIDITY: %v, expected no error", err)
	}
	if sent {
		t.Error("MarkReadIfValid with a stale UIDVALIDITY returned true")
	}
	if seen(t, other, folder, 1) {
		t.Fatal("MarkReadIfValid with a stale UIDVALIDITY set \\Seen on the server")
	}

	sent, err = s.MarkReadIfValid(ctx, folder, validity, []uint32{1})
	if err != nil {
		t.Fatalf("MarkReadIfValid with the current UIDVALIDITY: %v", err)
	}
	if !sent {
		t.Error("MarkReadIfValid with the current UIDVALIDITY returned false")
	}
	if !seen(t, other, folder, 1) {
		t.Error("MarkReadIfValid with the current UIDVALIDITY did not set \\Seen on the server")
	}

	_, err = s.MarkReadIfValid(ctx, folder+"-missing", validity, []uint32{1})
	if !errors.Is(err, ErrFolderNotFound) {
		t.Errorf("MarkReadIfValid on a missing folder: %v, expected ErrFolderNotFound", err)
	}

	// The connection must still work after the failed SELECT.
	if _, err := s.MarkReadIfValid(ctx, folder, validity, []uint32{1}); err != nil {
		t.Errorf("MarkReadIfValid after a missing folder: %v", err)
	}
}

// seen reports whether the message uid of folder has \Seen on the
// server.
func seen(t *testing.T, client *imapclient.Client, folder string, uid imap.UID) bool {
	t.Helper()
	if _, err := client.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := client.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("fetched %d messages for UID %d of %s, expected 1", len(msgs), uid, folder)
	}
	return slices.Contains(msgs[0].Flags, imap.FlagSeen)
}

// TestMarkReadIfValidMemServer runs against go-imap's in-memory server,
// which sends the NONEXISTENT response code for a missing folder.
func TestMarkReadIfValidMemServer(t *testing.T) {
	ca := newTestCA(t)
	srv := startMemIMAP(t, ca, ImplicitTLS)
	srv.appendMessage(t, "INBOX", testMessage(1, 100))
	cfg := testConfig(ca, srv.addr, ImplicitTLS)
	cred := Password(testPassword)

	other, err := DialIMAP(testContext(t), cfg, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	s := NewSyncer(cfg, cred, newMemStore())
	defer s.Close()
	checkMarkReadIfValid(t, s, other, "INBOX")
}

// TestStackMarkReadIfValid runs against Dovecot, whose SELECT of a
// missing folder carries no response code, so the folder is looked up
// with LIST.
func TestStackMarkReadIfValid(t *testing.T) {
	f := newSyncFixture(t, ImplicitTLS)
	f.fill(t, 1, "r", func(int) int { return 100 })
	s := NewSyncer(f.cfg, f.cred, newMemStore())
	defer s.Close()
	checkMarkReadIfValid(t, s, f.other, f.folder)
}
