package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ErrFolderNotFound is wrapped by the errors about a folder that the
// server does not have, for example because another client deleted it.
var ErrFolderNotFound = errors.New("account: folder not found on the server")

// MarkReadIfValid sets \Seen on the messages uids of folder, and then in
// the store, but only while the folder's UIDVALIDITY on the server is
// still uidValidity. It selects the folder once for all uids. Messages
// that the store lacks get their flags at the next sync.
//
// A UID names the same message only under the same UIDVALIDITY (RFC 3501
// section 2.3.1.1). So when the server's value differs, it stores nothing
// and returns false and no error, because the messages the UIDs named are
// gone. When the server has no such folder, the error wraps
// ErrFolderNotFound.
func (s *Syncer) MarkReadIfValid(ctx context.Context, folder string, uidValidity uint32, uids []uint32) (bool, error) {
	client, err := s.conn(ctx)
	if err != nil {
		return false, err
	}
	// SELECT even when the folder is selected already, so the
	// UIDVALIDITY compared is the server's current one.
	data, err := client.Select(folder, nil).Wait()
	if err != nil {
		if s.dropIfClosed() {
			return false, fmt.Errorf("account: failed to select folder %q: %w", folder, err)
		}
		if s.folderMissing(client, folder, err) {
			return false, fmt.Errorf("%w: %q: %w", ErrFolderNotFound, folder, err)
		}
		return false, fmt.Errorf("account: failed to select folder %q: %w", folder, err)
	}
	if data.UIDValidity != uidValidity {
		return false, nil
	}
	if len(uids) == 0 {
		return true, nil
	}
	if err := s.setFlags(ctx, folder, uids, []string{string(imap.FlagSeen)}, true, true); err != nil {
		return false, err
	}
	return true, nil
}

// folderMissing reports whether the failure selectErr of a SELECT of
// folder means that the server has no such folder. For servers that send
// no NONEXISTENT response code (RFC 5530), such as Dovecot 2.3.19, it
// sends a LIST of the folder's name.
func (s *Syncer) folderMissing(client *imapclient.Client, folder string, selectErr error) bool {
	imapErr, ok := errors.AsType[*imap.Error](selectErr)
	if !ok || imapErr.Type != imap.StatusResponseTypeNo {
		return false
	}
	if imapErr.Code == imap.ResponseCodeNonExistent {
		return true
	}
	list, err := client.List("", folder, nil).Collect()
	if err != nil {
		s.dropIfClosed()
		return false
	}
	// The name may hold the LIST wildcards % and *, so only an exact
	// match counts.
	for _, data := range list {
		if data.Mailbox == folder && selectable(data) {
			return false
		}
	}
	return true
}
