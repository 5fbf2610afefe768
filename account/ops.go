package account

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ErrNoFolder reports that the account has no folder with a role that an
// operation needs, such as Archive or Sent.
var ErrNoFolder = errors.New("account: no folder with that role")

// FolderByRole returns the name of the server folder with the role.
func (s *Syncer) FolderByRole(ctx context.Context, role string) (string, error) {
	client, err := s.conn(ctx)
	if err != nil {
		return "", err
	}
	folders, err := ListFolders(client)
	if err != nil {
		s.dropIfClosed()
		return "", err
	}
	for _, f := range folders {
		if f.Role == role {
			return f.Name, nil
		}
	}
	return "", fmt.Errorf("%w %q: create one on the server or set it in the account", ErrNoFolder, role)
}

// selectFolder selects the folder unless it is already selected.
func (s *Syncer) selectFolder(ctx context.Context, folder string) (*imapclient.Client, error) {
	client, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	if mbox := client.Mailbox(); mbox != nil && mbox.Name == folder {
		return client, nil
	}
	if _, err := client.Select(folder, nil).Wait(); err != nil {
		s.dropIfClosed()
		return nil, fmt.Errorf("account: failed to select folder %q: %w", folder, err)
	}
	return client, nil
}

// SetFlags adds (add true) or removes flags on messages on the server and
// then in the store, with the flags the server returns.
func (s *Syncer) SetFlags(ctx context.Context, folder string, uids []uint32, flags []string, add bool) error {
	return s.setFlags(ctx, folder, uids, flags, add, false)
}

// setFlags is SetFlags. With skipUncached, a message the server changed
// but the store lacks is left for the next sync instead of failing.
func (s *Syncer) setFlags(ctx context.Context, folder string, uids []uint32, flags []string, add, skipUncached bool) error {
	client, err := s.selectFolder(ctx, folder)
	if err != nil {
		return err
	}
	op := imap.StoreFlagsDel
	if add {
		op = imap.StoreFlagsAdd
	}
	imapFlags := make([]imap.Flag, len(flags))
	for i, f := range flags {
		imapFlags[i] = imap.Flag(f)
	}

	updated, err := client.Store(uidSet(uids), &imap.StoreFlags{Op: op, Flags: imapFlags}, nil).Collect()
	if err != nil {
		s.dropIfClosed()
		return fmt.Errorf("account: failed to change flags in folder %q: %w", folder, err)
	}
	for _, buf := range updated {
		if buf.UID == 0 {
			continue
		}
		err := s.store.SetFlags(s.cfg.ID, folder, uint32(buf.UID), flagStrings(buf.Flags), buf.ModSeq)
		if skipUncached && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("account: flags changed on the server but not in the cache: %w: sync again", err)
		}
	}
	return nil
}

// MarkRead sets or clears \Seen.
func (s *Syncer) MarkRead(ctx context.Context, folder string, uids []uint32, read bool) error {
	return s.SetFlags(ctx, folder, uids, []string{string(imap.FlagSeen)}, read)
}

// Copy copies messages to another folder; the copies reach the store on
// the next sync of that folder.
func (s *Syncer) Copy(ctx context.Context, folder string, uids []uint32, dest string) error {
	client, err := s.selectFolder(ctx, folder)
	if err != nil {
		return err
	}
	if _, err := client.Copy(uidSet(uids), dest).Wait(); err != nil {
		s.dropIfClosed()
		return fmt.Errorf("account: failed to copy messages from %q to %q: %w", folder, dest, err)
	}
	return nil
}

// Move moves messages to another folder with MOVE (RFC 6851), or with
// COPY, STORE \Deleted and UID EXPUNGE (RFC 4315) where MOVE is missing.
// Without either extension it fails rather than expunge messages that
// another client marked deleted.
func (s *Syncer) Move(ctx context.Context, folder string, uids []uint32, dest string) error {
	client, err := s.selectFolder(ctx, folder)
	if err != nil {
		return err
	}
	caps := client.Caps()
	set := uidSet(uids)
	switch {
	case caps.Has(imap.CapMove) || caps.Has(imap.CapIMAP4rev2):
		_, err = client.Move(set, dest).Wait()
	case caps.Has(imap.CapUIDPlus):
		err = s.copyAndExpunge(client, set, dest)
	default:
		return fmt.Errorf("account: server offers neither MOVE nor UIDPLUS, so messages cannot be moved safely: copy and delete them by hand")
	}
	if err != nil {
		s.dropIfClosed()
		return fmt.Errorf("account: failed to move messages from %q to %q: %w", folder, dest, err)
	}
	if err := s.store.DeleteMessages(s.cfg.ID, folder, uids); err != nil {
		return fmt.Errorf("account: messages moved on the server but not in the cache: %w: sync again", err)
	}
	return nil
}

func (s *Syncer) copyAndExpunge(client *imapclient.Client, set imap.UIDSet, dest string) error {
	if _, err := client.Copy(set, dest).Wait(); err != nil {
		return err
	}
	deleted := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}
	if err := client.Store(set, deleted, nil).Close(); err != nil {
		return err
	}
	return client.UIDExpunge(set).Close()
}

// Delete moves messages to Trash, or expunges them when they are in
// Trash already or the account has no Trash.
func (s *Syncer) Delete(ctx context.Context, folder string, uids []uint32) error {
	trash, err := s.FolderByRole(ctx, RoleTrash)
	if err != nil && !errors.Is(err, ErrNoFolder) {
		return err
	}
	if trash != "" && trash != folder {
		return s.Move(ctx, folder, uids, trash)
	}

	client, err := s.selectFolder(ctx, folder)
	if err != nil {
		return err
	}
	if !client.Caps().Has(imap.CapUIDPlus) && !client.Caps().Has(imap.CapIMAP4rev2) {
		return fmt.Errorf("account: server lacks UIDPLUS, so only these messages cannot be expunged safely: delete them in another client")
	}
	set := uidSet(uids)
	deleted := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}
	if err := client.Store(set, deleted, nil).Close(); err != nil {
		s.dropIfClosed()
		return fmt.Errorf("account: failed to mark messages deleted in %q: %w", folder, err)
	}
	if err := client.UIDExpunge(set).Close(); err != nil {
		s.dropIfClosed()
		return fmt.Errorf("account: failed to expunge messages in %q: %w", folder, err)
	}
	if err := s.store.DeleteMessages(s.cfg.ID, folder, uids); err != nil {
		return fmt.Errorf("account: messages expunged on the server but not in the cache: %w: sync again", err)
	}
	return nil
}

// Archive moves messages to the folder with the archive role.
func (s *Syncer) Archive(ctx context.Context, folder string, uids []uint32) error {
	archive, err := s.FolderByRole(ctx, RoleArchive)
	if err != nil {
		return err
	}
	return s.Move(ctx, folder, uids, archive)
}

// AppendTo appends a message to the folder with the role (RoleSent or
// RoleDrafts) and returns its UID when the server reports it (UIDPLUS),
// or 0.
func (s *Syncer) AppendTo(ctx context.Context, role string, raw []byte, flags []string) (uint32, error) {
	folder, err := s.FolderByRole(ctx, role)
	if err != nil {
		return 0, err
	}
	client, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	imapFlags := make([]imap.Flag, len(flags))
	for i, f := range flags {
		imapFlags[i] = imap.Flag(f)
	}

	cmd := client.Append(folder, int64(len(raw)), &imap.AppendOptions{Flags: imapFlags, Time: time.Now()})
	if _, err := io.Copy(cmd, bytes.NewReader(raw)); err != nil {
		cmd.Close()
		s.dropIfClosed()
		return 0, fmt.Errorf("account: failed to append to %q: %w", folder, err)
	}
	if err := cmd.Close(); err != nil {
		s.dropIfClosed()
		return 0, fmt.Errorf("account: failed to append to %q: %w", folder, err)
	}
	data, err := cmd.Wait()
	if err != nil {
		s.dropIfClosed()
		return 0, fmt.Errorf("account: server rejected the message appended to %q: %w", folder, err)
	}
	return uint32(data.UID), nil
}

// HasMessageID searches the folder with the role on the server for a
// Message-ID header field (RFC 3501 SEARCH HEADER). It returns false when
// the account has no such folder.
func (s *Syncer) HasMessageID(ctx context.Context, role, messageID string) (bool, error) {
	folder, err := s.FolderByRole(ctx, role)
	if errors.Is(err, ErrNoFolder) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.folderHasMessageID(ctx, folder, messageID)
}

func (s *Syncer) folderHasMessageID(ctx context.Context, folder, messageID string) (bool, error) {
	client, err := s.conn(ctx)
	if err != nil {
		return false, err
	}
	// EXAMINE, so the search cannot change \Recent or other state.
	if _, err := client.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		s.dropIfClosed()
		return false, fmt.Errorf("account: failed to open folder %q: %w", folder, err)
	}
	criteria := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: messageID}}}
	data, err := client.UIDSearch(criteria, nil).Wait()
	if unselectErr := client.Unselect().Wait(); unselectErr != nil {
		// A read-only selection must not stay behind for later STOREs.
		s.Close()
	}
	if err != nil {
		s.dropIfClosed()
		return false, fmt.Errorf("account: failed to search folder %q: %w", folder, err)
	}
	if data.All == nil {
		return false, nil
	}
	set, ok := data.All.(imap.UIDSet)
	if !ok {
		return false, fmt.Errorf("account: server sent sequence numbers for UID SEARCH in %q", folder)
	}
	uids, _ := set.Nums()
	return len(uids) > 0, nil
}
