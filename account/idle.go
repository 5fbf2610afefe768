package account

import (
	"context"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// idleRestart is how long one IDLE command lasts. RFC 2177 section 3
// lets servers drop clients idle for 30 minutes, so the command is sent
// again before that.
const idleRestart = 25 * time.Minute

// pollInterval is the NOOP interval for servers without IDLE.
const pollInterval = 2 * time.Minute

// Watch opens a connection of its own, selects folder and waits for the
// server to report changes there: with IDLE (RFC 2177) when offered,
// otherwise by NOOP every two minutes. After each change it calls changed
// on this goroutine, typically to run SyncFolder. It returns when ctx ends
// or the connection fails; the caller decides when to watch again.
func (s *Syncer) Watch(ctx context.Context, folder string, changed func()) error {
	updates := make(chan struct{}, 1)
	notify := func() {
		select {
		case updates <- struct{}{}:
		default:
		}
	}
	handler := &imapclient.UnilateralDataHandler{
		Expunge: func(uint32) { notify() },
		Mailbox: func(data *imapclient.UnilateralDataMailbox) {
			if data.NumMessages != nil {
				notify()
			}
		},
		Fetch: func(*imapclient.FetchMessageData) { notify() },
	}

	client, timed, err := dialIMAP(ctx, s.cfg, s.cred, handler)
	if err != nil {
		return err
	}
	defer client.Close()
	stop := context.AfterFunc(ctx, func() { client.Close() })
	defer stop()

	if _, err := client.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return ctxErr(ctx, fmt.Errorf("account: failed to select folder %q to watch it: %w", folder, err))
	}
	useIdle := client.Caps().Has(imap.CapIdle) || client.Caps().Has(imap.CapIMAP4rev2)

	for {
		if err := s.waitOnce(ctx, client, timed, useIdle, updates); err != nil {
			return ctxErr(ctx, err)
		}
		select {
		case <-updates:
			changed()
		default:
		}
	}
}

// waitOnce waits for one IDLE period (or one poll interval), returning
// early when an update arrives.
func (s *Syncer) waitOnce(ctx context.Context, client *imapclient.Client, timed *deadlineConn, useIdle bool, updates chan struct{}) error {
	period := idleRestart
	if !useIdle {
		period = pollInterval
	}
	timer := time.NewTimer(period)
	defer timer.Stop()

	if !useIdle {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		if err := client.Noop().Wait(); err != nil {
			return fmt.Errorf("account: NOOP while watching failed: %w", err)
		}
		return nil
	}

	timed.enabled.Store(false)
	idle, err := client.Idle()
	if err != nil {
		timed.enabled.Store(true)
		return fmt.Errorf("account: IDLE failed: %w", err)
	}
	select {
	case <-ctx.Done():
	case <-timer.C:
	case <-client.Closed():
	case <-updates:
		// Put it back for Watch to see after IDLE ends.
		select {
		case updates <- struct{}{}:
		default:
		}
	}
	timed.enabled.Store(true)
	if err := idle.Close(); err != nil {
		return ctxErr(ctx, fmt.Errorf("account: ending IDLE failed: %w", err))
	}
	if err := idle.Wait(); err != nil {
		return ctxErr(ctx, fmt.Errorf("account: IDLE ended with an error: %w", err))
	}
	return ctx.Err()
}
