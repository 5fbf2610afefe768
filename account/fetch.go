package account

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"securemail/cache"
)

// maxReconnects bounds how often one folder run dials again after the
// server dropped the connection, so a hostile server cannot loop it.
const maxReconnects = 20

var (
	headerSection = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
	wholeSection  = &imap.FetchItemBodySection{Peek: true}
)

func (r *folderRun) fetchHeaders(uids []uint32) error {
	if len(uids) == 0 {
		return nil
	}
	options := &imap.FetchOptions{
		UID: true, Flags: true, InternalDate: true, RFC822Size: true,
		ModSeq:      r.condStore,
		BodySection: []*imap.FetchItemBodySection{headerSection},
	}
	// Newest first, so the message list fills from the top.
	for end := len(uids); end > 0; end -= headerBatch {
		start := max(0, end-headerBatch)
		err := r.fetchBatch(uids[start:end], options, func(buf *imapclient.FetchMessageBuffer) error {
			return r.storeFetched(buf, headerSection, true)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// fetchBodies fetches every cached message that has only its header,
// skipping those over the size limit.
func (r *folderRun) fetchBodies() error {
	pending, err := r.headerOnly()
	if err != nil {
		return err
	}
	options := &imap.FetchOptions{
		UID: true, Flags: true, InternalDate: true, RFC822Size: true,
		ModSeq:      r.condStore,
		BodySection: []*imap.FetchItemBodySection{wholeSection},
	}
	for len(pending) > 0 {
		n, bytes := 0, int64(0)
		for n < len(pending) && n < bodyBatch && (n == 0 || bytes+r.sizes[pending[n]] <= bodyBatchBytes) {
			bytes += r.sizes[pending[n]]
			n++
		}
		batch := pending[len(pending)-n:]
		pending = pending[:len(pending)-n]
		err := r.fetchBatch(batch, options, func(buf *imapclient.FetchMessageBuffer) error {
			return r.storeFetched(buf, wholeSection, false)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// headerOnly returns the UIDs, ascending, of cached messages without a
// body that are within the size limit.
func (r *folderRun) headerOnly() ([]uint32, error) {
	var uids, unknownSize []uint32
	for uid, st := range r.local {
		if !st.HeaderOnly {
			continue
		}
		uids = append(uids, uid)
		if _, ok := r.sizes[uid]; !ok {
			unknownSize = append(unknownSize, uid)
		}
	}
	slices.Sort(uids)
	if len(unknownSize) > 0 {
		// Header-only messages left by an earlier run: ask for their size.
		slices.Sort(unknownSize)
		options := &imap.FetchOptions{UID: true, RFC822Size: true}
		err := r.fetchBatch(unknownSize, options, func(buf *imapclient.FetchMessageBuffer) error {
			r.sizes[uint32(buf.UID)] = buf.RFC822Size
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	limit := r.s.cfg.MaxBodySize
	return slices.DeleteFunc(uids, func(uid uint32) bool {
		size, ok := r.sizes[uid]
		return !ok || (limit > 0 && size > limit)
	}), nil
}

func (r *folderRun) storeFetched(buf *imapclient.FetchMessageBuffer, section *imap.FetchItemBodySection, headerOnly bool) error {
	raw := buf.FindBodySection(section)
	if raw == nil {
		return fmt.Errorf("server sent no %s for the message", sectionName(headerOnly))
	}

	msg := r.newMessage(buf, raw, headerOnly)
	if p, ok := r.s.store.(preparer); ok {
		// A locked store fails here and again in the store call, which
		// reports it.
		_ = p.Prepare(msg)
	}
	r.pending = append(r.pending, msg)
	if len(r.pending) >= storeBatch {
		r.flushPending()
	}
	return nil
}

// storeBatch is how many fetched messages go into one store transaction.
const storeBatch = 100

func (r *folderRun) newMessage(buf *imapclient.FetchMessageBuffer, raw []byte, headerOnly bool) *cache.Message {
	info := parseHeaderInfo(raw, buf.InternalDate)
	return &cache.Message{
		Account:     r.s.cfg.ID,
		Folder:      r.folder.Name,
		UIDValidity: r.uidValidity,
		UID:         uint32(buf.UID),
		ModSeq:      buf.ModSeq,
		Flags:       flagStrings(buf.Flags),
		Size:        buf.RFC822Size,
		Date:        info.date,
		Encrypted:   info.encrypted,
		Raw:         raw,
		HeaderOnly:  headerOnly,
	}
}

// flushPending hands the fetched messages not yet stored to a goroutine
// that stores them, so the next messages arrive while these are sealed
// and written. Before this, the connection sat idle for most of the
// benchmark's first sync. At most one batch is in flight, so
// flushPending first waits for the previous one.
func (r *folderRun) flushPending() {
	pending := r.pending
	r.pending = nil
	r.awaitStored()
	if len(pending) == 0 {
		return
	}
	done := make(chan []error, 1)
	store := r.s.store
	go func() { done <- storeMessages(store, pending) }()
	r.storing, r.inFlight = done, pending
}

// awaitStored waits for the batch in flight and records its outcome. The
// run's state (local UIDs, report, progress) changes only here, on the
// run's own goroutine.
func (r *folderRun) awaitStored() {
	if r.storing == nil {
		return
	}
	errs := <-r.storing
	for i, msg := range r.inFlight {
		if errs[i] != nil {
			r.messageError(msg.UID, errs[i])
			continue
		}
		r.stored(msg)
	}
	r.storing, r.inFlight = nil, nil
}

// storeMessages stores msgs in one transaction when the store supports
// it, and one by one when that fails, so that one message the store
// rejects costs only itself. It returns an error, or nil, per message.
func storeMessages(store Store, msgs []*cache.Message) []error {
	errs := make([]error, len(msgs))
	if batch, ok := store.(batchStore); ok && len(msgs) > 1 {
		if err := batch.PutMessages(msgs); err == nil {
			return errs
		}
	}
	for i, msg := range msgs {
		if err := store.PutMessage(msg); err != nil {
			errs[i] = fmt.Errorf("failed to store the message: %w", err)
		}
	}
	return errs
}

func (r *folderRun) stored(msg *cache.Message) {
	r.local[msg.UID] = cache.UIDState{UID: msg.UID, ModSeq: msg.ModSeq, Flags: msg.Flags, HeaderOnly: msg.HeaderOnly}
	r.sizes[msg.UID] = msg.Size
	if msg.HeaderOnly {
		r.report.Headers++
	} else {
		r.report.Bodies++
	}
	r.report.Bytes += int64(len(msg.Raw))
	r.tracker.fetched(len(msg.Raw))
}

func sectionName(headerOnly bool) string {
	if headerOnly {
		return "header"
	}
	return "body"
}

// fetchBatch runs one UID FETCH and hands each message to handle. When
// the command fails, or the server sends something the client cannot
// parse (which drops the connection), the messages not yet handled are
// fetched again one at a time, so one bad message costs only itself a
// MessageError. A UID the server does not return was expunged meanwhile
// and is skipped.
func (r *folderRun) fetchBatch(uids []uint32, options *imap.FetchOptions, handle func(*imapclient.FetchMessageBuffer) error) error {
	done, err := r.fetchOnce(uids, options, handle)
	if err == nil {
		return nil
	}
	if r.ctx.Err() != nil {
		return r.ctx.Err()
	}

	// After a failed FETCH the stream position is uncertain, so every
	// retry starts on a fresh connection.
	r.s.dropConn()
	for _, uid := range uids {
		if done[uid] {
			continue
		}
		if err := r.ensureConnected(); err != nil {
			return err
		}
		_, err := r.fetchOnce([]uint32{uid}, options, handle)
		if r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		if err != nil {
			r.messageError(uid, err)
			r.s.dropConn()
		}
	}
	return nil
}

// fetchOnce runs one UID FETCH and stores what arrived intact, also when
// the command then fails.
func (r *folderRun) fetchOnce(uids []uint32, options *imap.FetchOptions, handle func(*imapclient.FetchMessageBuffer) error) (map[uint32]bool, error) {
	defer r.flushPending()
	done := make(map[uint32]bool, len(uids))
	var handleErr error
	cmd := r.client.Fetch(uidSet(uids), options)
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		buf, broken, err := collectMessage(msg)
		if broken {
			r.client.Close()
			return done, err
		}
		uid := uint32(buf.UID)
		if !slices.Contains(uids, uid) || done[uid] {
			continue
		}
		if err := handle(buf); err != nil {
			if len(uids) == 1 {
				handleErr = err
			} else {
				r.messageError(uid, err)
			}
		}
		done[uid] = true
	}
	if err := cmd.Close(); err != nil {
		return done, fmt.Errorf("fetch failed: %w", err)
	}
	return done, handleErr
}

// ensureConnected dials and selects the folder again when the connection
// dropped. A changed UIDVALIDITY stops the run: the next sync resets the
// folder.
func (r *folderRun) ensureConnected() error {
	if !r.s.dropIfClosed() {
		return nil
	}
	if r.reconnects >= maxReconnects {
		return fmt.Errorf("connection dropped %d times: stopped this folder, sync again later", r.reconnects)
	}
	r.reconnects++

	client, err := r.s.conn(r.ctx)
	if err != nil {
		return err
	}
	r.client = client
	r.stops = append(r.stops, context.AfterFunc(r.ctx, func() { client.Close() }))
	selected, err := client.Select(r.folder.Name, &imap.SelectOptions{CondStore: r.condStore}).Wait()
	if err != nil {
		return fmt.Errorf("select after reconnect failed: %w", err)
	}
	if selected.UIDValidity != r.uidValidity {
		return errors.New("UIDVALIDITY changed during sync: sync again")
	}
	return nil
}
