package account

import (
	"context"
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"securemail/cache"
)

// Batch limits for FETCH. A batch is cut at whichever limit comes first;
// smaller batches make an interrupted run lose less work.
const (
	headerBatch    = 500
	bodyBatch      = 200
	bodyBatchBytes = 8 << 20
)

// folderRun is the state of syncing one folder on one connection.
type folderRun struct {
	s         *Syncer
	ctx       context.Context
	client    *imapclient.Client
	folder    RemoteFolder
	report    *Report
	tracker   *progressTracker
	condStore bool
	local     map[uint32]cache.UIDState
	sizes     map[uint32]int64

	uidValidity uint32
	reconnects  int
	// pending are fetched messages waiting for one store transaction.
	pending []*cache.Message
	// inFlight is the batch a store goroutine is writing, and storing
	// receives its outcome.
	inFlight []*cache.Message
	storing  chan []error
	stops    []func() bool
}

func (s *Syncer) syncFolder(ctx context.Context, folder RemoteFolder, report *Report, tracker *progressTracker) error {
	client, err := s.conn(ctx)
	if err != nil {
		return err
	}

	run := &folderRun{
		s: s, ctx: ctx, client: client, folder: folder,
		report: report, tracker: tracker,
		condStore: client.Caps().Has(imap.CapCondStore),
		sizes:     map[uint32]int64{},
	}
	run.stops = append(run.stops, context.AfterFunc(ctx, func() { client.Close() }))
	defer func() {
		for _, stop := range run.stops {
			stop()
		}
	}()
	// No store goroutine may outlive the run, even a failed one.
	defer run.awaitStored()
	return run.sync()
}

func (r *folderRun) sync() error {
	account := r.s.cfg.ID
	store := r.s.store

	selected, err := r.client.Select(r.folder.Name, &imap.SelectOptions{CondStore: r.condStore}).Wait()
	if err != nil {
		return fmt.Errorf("select failed: %w", err)
	}
	r.uidValidity = selected.UIDValidity

	prev, known, err := r.cachedFolder()
	if err != nil {
		return err
	}
	if known && prev.UIDValidity != selected.UIDValidity {
		// RFC 3501 section 2.3.1.1: a new UIDVALIDITY means every cached
		// UID of this folder may now name another message.
		if err := store.ResetFolder(account, r.folder.Name, selected.UIDValidity); err != nil {
			return fmt.Errorf("failed to reset the cached folder after a UIDVALIDITY change: %w", err)
		}
		known = false
	}

	// Record the folder before fetching, keeping the old sync marks, so
	// an interrupted run still has the UIDVALIDITY of what it stored.
	folder := cache.Folder{Account: account, Name: r.folder.Name, Role: r.folder.Role, UIDValidity: selected.UIDValidity}
	if known {
		folder.UIDNext = prev.UIDNext
		folder.HighestModSeq = prev.HighestModSeq
	}
	if err := store.PutFolder(folder); err != nil {
		return fmt.Errorf("failed to store the folder: %w", err)
	}

	if err := r.loadLocal(); err != nil {
		return err
	}

	serverUIDs, err := r.serverUIDs(selected.NumMessages)
	if err != nil {
		return err
	}
	if err := r.dropExpunged(serverUIDs); err != nil {
		return err
	}

	// Errors from here on, flag stores included, keep the folder's old
	// marks below, so the next run requests the same changes again.
	errorsBefore := len(r.report.MessageErrors)
	flagsFrom := uint64(0)
	if known && r.condStore && prev.HighestModSeq > 0 {
		flagsFrom = prev.HighestModSeq
	}
	if !(flagsFrom > 0 && flagsFrom == selected.HighestModSeq) {
		if err := r.syncFlags(flagsFrom); err != nil {
			return err
		}
	}

	var fresh []uint32
	for _, uid := range serverUIDs {
		if _, ok := r.local[uid]; !ok {
			fresh = append(fresh, uid)
		}
	}
	r.tracker.p.MessagesTotal += len(fresh)
	if err := r.fetchHeaders(fresh); err != nil {
		return err
	}
	// fetchBodies picks its messages from what the header pass stored.
	r.awaitStored()
	if err := r.fetchBodies(); err != nil {
		return err
	}
	r.awaitStored()

	if len(r.report.MessageErrors) > errorsBefore {
		// Keep the old marks so the next run checks this folder fully.
		return nil
	}
	folder.UIDNext = uint32(selected.UIDNext)
	folder.HighestModSeq = selected.HighestModSeq
	if err := store.PutFolder(folder); err != nil {
		return fmt.Errorf("failed to store the folder state: %w", err)
	}
	return nil
}

func (r *folderRun) cachedFolder() (cache.Folder, bool, error) {
	folders, err := r.s.store.Folders(r.s.cfg.ID)
	if err != nil {
		return cache.Folder{}, false, fmt.Errorf("failed to read cached folders: %w", err)
	}
	for _, f := range folders {
		if f.Name == r.folder.Name && f.UIDValidity != 0 {
			return f, true, nil
		}
	}
	return cache.Folder{}, false, nil
}

func (r *folderRun) loadLocal() error {
	states, err := r.s.store.UIDStates(r.s.cfg.ID, r.folder.Name)
	if err != nil {
		return fmt.Errorf("failed to read cached messages: %w", err)
	}
	r.local = make(map[uint32]cache.UIDState, len(states))
	for _, st := range states {
		r.local[st.UID] = st
	}
	return nil
}

// serverUIDs returns the UIDs in the folder, ascending.
func (r *folderRun) serverUIDs(numMessages uint32) ([]uint32, error) {
	if numMessages == 0 {
		return nil, nil
	}
	var options *imap.SearchOptions
	if r.client.Caps().Has(imap.CapESearch) {
		options = &imap.SearchOptions{ReturnAll: true}
	}
	data, err := r.client.UIDSearch(&imap.SearchCriteria{}, options).Wait()
	if err != nil {
		return nil, fmt.Errorf("UID SEARCH failed: %w", err)
	}
	set, ok := data.All.(imap.UIDSet)
	if data.All == nil {
		return nil, nil
	}
	if !ok {
		return nil, fmt.Errorf("server sent sequence numbers for UID SEARCH: retry later or report the server")
	}
	nums, ok := set.Nums()
	if !ok {
		return nil, fmt.Errorf("server sent an open-ended UID set for UID SEARCH: retry later or report the server")
	}
	uids := make([]uint32, len(nums))
	for i, n := range nums {
		uids[i] = uint32(n)
	}
	slices.Sort(uids)
	return slices.Compact(uids), nil
}

func (r *folderRun) dropExpunged(serverUIDs []uint32) error {
	var gone []uint32
	for uid := range r.local {
		if _, found := slices.BinarySearch(serverUIDs, uid); !found {
			gone = append(gone, uid)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	slices.Sort(gone)
	if err := r.s.store.DeleteMessages(r.s.cfg.ID, r.folder.Name, gone); err != nil {
		return fmt.Errorf("failed to drop %d expunged messages from the cache: %w", len(gone), err)
	}
	for _, uid := range gone {
		delete(r.local, uid)
	}
	r.report.Expunged += len(gone)
	return nil
}

// syncFlags copies server flags onto cached messages. With CONDSTORE and
// a known HIGHESTMODSEQ only changed messages are sent (RFC 7162
// CHANGEDSINCE); otherwise the flags of every cached message are fetched.
func (r *folderRun) syncFlags(changedSince uint64) error {
	if len(r.local) == 0 {
		return nil
	}
	var set imap.UIDSet
	if changedSince > 0 {
		set.AddRange(1, 0)
	} else {
		uids := make([]uint32, 0, len(r.local))
		for uid := range r.local {
			uids = append(uids, uid)
		}
		slices.Sort(uids)
		set = uidSet(uids)
	}
	options := &imap.FetchOptions{UID: true, Flags: true, ModSeq: r.condStore, ChangedSince: changedSince}

	cmd := r.client.Fetch(set, options)
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		buf, err := msg.Collect()
		if err != nil {
			break
		}
		r.applyFlags(buf)
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("fetching flags failed: %w", err)
	}
	return nil
}

func (r *folderRun) applyFlags(buf *imapclient.FetchMessageBuffer) {
	uid := uint32(buf.UID)
	state, ok := r.local[uid]
	if !ok {
		return
	}
	flags := flagStrings(buf.Flags)
	if sameFlags(flags, state.Flags) && buf.ModSeq == state.ModSeq {
		return
	}
	if err := r.s.store.SetFlags(r.s.cfg.ID, r.folder.Name, uid, flags, buf.ModSeq); err != nil {
		r.messageError(uid, fmt.Errorf("failed to store flags: %w", err))
		return
	}
	state.Flags = flags
	state.ModSeq = buf.ModSeq
	r.local[uid] = state
	r.report.FlagChanges++
}

func (r *folderRun) messageError(uid uint32, err error) {
	r.report.MessageErrors = append(r.report.MessageErrors, &MessageError{Folder: r.folder.Name, UID: uid, Err: err})
}
