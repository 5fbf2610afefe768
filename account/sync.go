package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"securemail/cache"
)

// Syncer keeps the store in step with one account's IMAP server. It holds
// one connection, dialled on first use and again after it drops. A Syncer
// is not safe for concurrent use.
type Syncer struct {
	cfg    *Config
	cred   Credentials
	store  Store
	client *imapclient.Client
}

// NewSyncer returns a Syncer for the account; it connects on first use.
func NewSyncer(cfg *Config, cred Credentials, store Store) *Syncer {
	return &Syncer{cfg: cfg, cred: cred, store: store}
}

// Close logs out and closes the connection, if any.
func (s *Syncer) Close() error {
	if s.client == nil {
		return nil
	}
	client := s.client
	s.client = nil
	client.Logout().Wait()
	return client.Close()
}

// conn returns the open connection, or dials a new one when there is none
// or the old one has dropped.
func (s *Syncer) conn(ctx context.Context) (*imapclient.Client, error) {
	if s.client != nil {
		select {
		case <-s.client.Closed():
			s.client = nil
		default:
			return s.client, nil
		}
	}
	client, err := DialIMAP(ctx, s.cfg, s.cred, nil)
	if err != nil {
		return nil, err
	}
	s.client = client
	return client, nil
}

// dropConn closes the connection and clears it, so the next call dials.
func (s *Syncer) dropConn() {
	if s.client != nil {
		s.client.Close()
		s.client = nil
	}
}

// dropIfClosed clears a connection that has dropped, so the next call
// dials again. It returns true when there is no open connection.
func (s *Syncer) dropIfClosed() bool {
	if s.client == nil {
		return true
	}
	select {
	case <-s.client.Closed():
		s.client = nil
		return true
	default:
		return false
	}
}

// Sync brings every folder of the account into the store: folder list,
// UIDVALIDITY, new messages (headers of all new messages first, then
// bodies), flags and expunges. Progress, which may be nil, is called on
// this goroutine. Errors for single folders and messages are in the
// report. The returned error is for failures that stop the whole run,
// such as a failed login or a cancelled context.
//
// A run that stops half-way leaves the store consistent, and the next run
// continues from there: messages already stored are not fetched again.
func (s *Syncer) Sync(ctx context.Context, progress func(Progress)) (*Report, error) {
	report := &Report{}
	tracker := &progressTracker{fn: progress}

	client, err := s.conn(ctx)
	if err != nil {
		return report, err
	}
	stop := context.AfterFunc(ctx, func() { client.Close() })
	defer stop()

	remote, err := ListFolders(client)
	if err != nil {
		s.dropIfClosed()
		return report, ctxErr(ctx, err)
	}
	if err := s.dropVanishedFolders(remote); err != nil {
		return report, err
	}

	tracker.p.FoldersTotal = len(remote)
	for _, folder := range remote {
		tracker.p.Folder = folder.Name
		tracker.report()

		err := s.syncFolderRetry(ctx, folder, report, tracker)
		if ctx.Err() != nil {
			return report, ctx.Err()
		}
		if err != nil {
			report.FolderErrors = append(report.FolderErrors, &FolderError{Folder: folder.Name, Err: err})
		}
		report.Folders++
		tracker.p.FoldersDone++
		tracker.report()
	}
	return report, nil
}

// SyncFolder syncs one folder, for example after IDLE reported a change.
func (s *Syncer) SyncFolder(ctx context.Context, name string, progress func(Progress)) (*Report, error) {
	report := &Report{}
	tracker := &progressTracker{fn: progress}
	tracker.p.Folder = name
	tracker.p.FoldersTotal = 1

	role, err := s.folderRole(ctx, name)
	if err != nil {
		return report, err
	}
	if err := s.syncFolderRetry(ctx, RemoteFolder{Name: name, Role: role}, report, tracker); err != nil {
		report.FolderErrors = append(report.FolderErrors, &FolderError{Folder: name, Err: err})
	}
	report.Folders = 1
	tracker.p.FoldersDone = 1
	tracker.report()
	return report, ctx.Err()
}

func (s *Syncer) folderRole(ctx context.Context, name string) (string, error) {
	folders, err := s.store.Folders(s.cfg.ID)
	if err != nil {
		return "", fmt.Errorf("account: failed to read cached folders: %w", err)
	}
	for _, f := range folders {
		if f.Name == name {
			return f.Role, nil
		}
	}
	return "", nil
}

// syncFolderRetry syncs a folder and, when the connection dropped on the
// way, dials once more and continues where the first attempt stopped.
func (s *Syncer) syncFolderRetry(ctx context.Context, folder RemoteFolder, report *Report, tracker *progressTracker) error {
	err := s.syncFolder(ctx, folder, report, tracker)
	if err == nil || ctx.Err() != nil || !s.dropIfClosed() {
		return err
	}
	return s.syncFolder(ctx, folder, report, tracker)
}

func (s *Syncer) dropVanishedFolders(remote []RemoteFolder) error {
	cached, err := s.store.Folders(s.cfg.ID)
	if err != nil {
		return fmt.Errorf("account: failed to read cached folders: %w", err)
	}
	for _, f := range cached {
		if slices.ContainsFunc(remote, func(r RemoteFolder) bool { return r.Name == f.Name }) {
			continue
		}
		if err := s.store.DeleteFolder(s.cfg.ID, f.Name); err != nil {
			return fmt.Errorf("account: failed to drop folder %q from the cache: %w", f.Name, err)
		}
	}
	return nil
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errors.Join(ctx.Err(), err)
	}
	return err
}

type progressTracker struct {
	fn func(Progress)
	p  Progress
}

func (t *progressTracker) report() {
	if t.fn != nil {
		t.fn(t.p)
	}
}

func (t *progressTracker) fetched(bytes int) {
	t.p.Messages++
	t.p.Bytes += int64(bytes)
	t.report()
}

func uidSet(uids []uint32) imap.UIDSet {
	var set imap.UIDSet
	for _, uid := range uids {
		set.AddNum(imap.UID(uid))
	}
	return set
}

// flagStrings converts flags for the store. \Recent is left out: it
// belongs to one session (RFC 3501 section 2.3.2), so storing it would
// make every other session look like a flag change.
func flagStrings(flags []imap.Flag) []string {
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		// The store drops flags that are not printable ASCII, so they
		// are left out here too, or every sync would see them change.
		if strings.EqualFold(string(f), `\Recent`) || !cache.ValidFlag(string(f)) {
			continue
		}
		out = append(out, string(f))
	}
	return out
}

func sameFlags(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a = slices.Sorted(slices.Values(a))
	b = slices.Sorted(slices.Values(b))
	return slices.Equal(a, b)
}

var _ = cache.Folder{}
