package account

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"time"

	"github.com/emersion/go-smtp"

	"securemail/cache"
)

// RequireTLS selects the REQUIRETLS (RFC 8689) option on submission.
type RequireTLS int

const (
	// RequireTLSOff never requests REQUIRETLS.
	RequireTLSOff RequireTLS = iota
	// RequireTLSIfOffered requests it when the server offers it.
	RequireTLSIfOffered
	// RequireTLSAlways fails the message when the server does not offer
	// it, rather than send it without the guarantee.
	RequireTLSAlways
)

// SentMailbox is the IMAP side the outbox needs: appending the Sent copy
// and finding a message by Message-ID. *Syncer implements it.
type SentMailbox interface {
	AppendTo(ctx context.Context, role string, raw []byte, flags []string) (uint32, error)
	HasMessageID(ctx context.Context, role, messageID string) (bool, error)
}

// DeliveryCheck reports whether a message whose submission was cut off
// reached the server. The default checks the store and the server's Sent
// and INBOX folders by Message-ID, which finds it on servers that file
// submitted mail in Sent (Microsoft 365, Google) and when the sender is
// among the recipients.
type DeliveryCheck func(ctx context.Context, it *cache.OutboxItem) (bool, error)

// Outbox submits queued messages through SMTP and files their Sent copies.
type Outbox struct {
	cfg     *Config
	cred    Credentials
	store   OutboxStore
	mailbox SentMailbox

	// RequireTLS is the REQUIRETLS setting; the default is off.
	RequireTLS RequireTLS
	// Delivered replaces the default delivery check.
	Delivered DeliveryCheck
	// Backoff returns the wait before the next attempt after n failed
	// attempts; nil means one minute doubling up to one hour.
	Backoff func(attempts int) time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// hook, when set by tests, runs at the named points of a submission:
	// "before-data", "before-end", "after-data" and "after-sent-copy".
	hook func(point string)
}

// NewOutbox returns an outbox for the account. mailbox may be nil, in
// which case no Sent copy is appended and only the store is checked for
// interrupted submissions.
func NewOutbox(cfg *Config, cred Credentials, store OutboxStore, mailbox SentMailbox) *Outbox {
	return &Outbox{cfg: cfg, cred: cred, store: store, mailbox: mailbox}
}

// Enqueue stores a message in the outbox; nothing is sent until Flush or
// Run. The item needs a Message-ID, which recovery after a crash relies on.
func (o *Outbox) Enqueue(it *cache.OutboxItem) error {
	if it.MessageID == "" {
		return errors.New("account: outbox item has no Message-ID: set it before queueing")
	}
	if len(it.Recipients) == 0 {
		return errors.New("account: outbox item has no recipients")
	}
	if len(it.SentCopy) > 0 && !bytes.Contains(it.SentCopy, []byte(it.MessageID)) {
		// Sent is searched by Message-ID to avoid filing a copy twice.
		return fmt.Errorf("account: Sent copy lacks Message-ID %s: rebuild the message", it.MessageID)
	}
	it.Account = o.cfg.ID
	it.State = cache.OutboxQueued
	if it.Created.IsZero() {
		it.Created = o.now()
	}
	if err := o.store.OutboxAdd(it); err != nil {
		return fmt.Errorf("account: failed to store the message in the outbox: %w", err)
	}
	return nil
}

// SendAgain queues an item that waits for the user, in state Uncertain or
// Failed, for a new submission on the next Flush. The user asks for it
// after checking that an uncertain message did not arrive, or after the
// cause of a failure was fixed.
func (o *Outbox) SendAgain(id int64) error {
	it, err := o.store.OutboxGet(id)
	if err != nil {
		return fmt.Errorf("account: failed to read outbox item %d: %w", id, err)
	}
	if it.State != cache.OutboxUncertain && it.State != cache.OutboxFailed {
		return fmt.Errorf("account: outbox item %d is not held for a decision (state %d), so there is nothing to send again", id, it.State)
	}
	it.State = cache.OutboxQueued
	it.NextAttempt = o.now()
	it.LastError = ""
	return o.update(it)
}

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Outbox) backoff(attempts int) time.Duration {
	if o.Backoff != nil {
		return o.Backoff(attempts)
	}
	wait := time.Minute
	for i := 1; i < attempts && wait < time.Hour; i++ {
		wait *= 2
	}
	return min(wait, time.Hour)
}

// Run calls Flush every interval until ctx is done. It returns ctx's
// error; failures of single messages are in their items.
func (o *Outbox) Run(ctx context.Context, interval time.Duration) error {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		o.Flush(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

// Flush works through every due item of this account once: it resolves
// submissions cut off by a crash, submits queued messages and files Sent
// copies. Items of other accounts in the same store wait for their own
// account's Outbox, whose servers and login they need. Each item's
// outcome is recorded in it; the returned error joins the errors of this
// pass. Flush claims no item, so two passes over one store at the same
// time can both send it: callers run one at a time.
func (o *Outbox) Flush(ctx context.Context) error {
	items, err := o.store.OutboxPending(o.now())
	if err != nil {
		return fmt.Errorf("account: failed to read the outbox: %w", err)
	}
	var errs []error
	for i := range items {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if items[i].Account != o.cfg.ID {
			continue
		}
		if err := o.process(ctx, &items[i]); err != nil {
			errs = append(errs, fmt.Errorf("outbox item %d: %w", items[i].ID, err))
		}
	}
	return errors.Join(errs...)
}

func (o *Outbox) process(ctx context.Context, it *cache.OutboxItem) error {
	if it.State == cache.OutboxSubmitting {
		delivered, err := o.delivered(ctx, it)
		if err != nil {
			// Unsure: resending could duplicate, so wait and ask again.
			return o.retryLater(it, fmt.Errorf("failed to check whether an interrupted submission arrived: %w", err))
		}
		if !delivered {
			// The server may have accepted the message without filing
			// it where the check looks, so sending it again could
			// deliver it twice: the user decides.
			return o.hold(it)
		}
		it.State = cache.OutboxSubmitted
		if err := o.update(it); err != nil {
			return err
		}
	}

	if it.State == cache.OutboxQueued {
		if err := o.submit(ctx, it); err != nil {
			return err
		}
	}

	if it.State == cache.OutboxSubmitted {
		return o.fileSentCopy(ctx, it)
	}
	return nil
}

func (o *Outbox) update(it *cache.OutboxItem) error {
	if err := o.store.OutboxUpdate(it); err != nil {
		return fmt.Errorf("failed to update the outbox: %w", err)
	}
	return nil
}

func (o *Outbox) retryLater(it *cache.OutboxItem, cause error) error {
	it.LastError = cause.Error()
	it.NextAttempt = o.now().Add(o.backoff(it.Attempts))
	if err := o.update(it); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// ErrUncertain marks an outbox item held because its submission was cut
// off after the end of DATA and the message was not found afterwards.
var ErrUncertain = errors.New("the submission was cut off after the server received the whole message, and the message was not found in Sent or INBOX, so it may have been delivered: ask a recipient, then send it again or discard it")

// hold moves an interrupted submission that the delivery check did not
// find to Uncertain, where it waits for the user.
func (o *Outbox) hold(it *cache.OutboxItem) error {
	it.State = cache.OutboxUncertain
	it.LastError = ErrUncertain.Error()
	if err := o.update(it); err != nil {
		return errors.Join(ErrUncertain, err)
	}
	return fmt.Errorf("message %s: %w", it.MessageID, ErrUncertain)
}

func (o *Outbox) fail(it *cache.OutboxItem, cause error) error {
	it.State = cache.OutboxFailed
	it.LastError = cause.Error()
	if err := o.update(it); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// submit sends a queued item. The item is marked Submitting just before
// the end of DATA, because from there on the server can accept the
// message. It is marked Submitted right after the server does, so the
// next Flush checks an item left in between by a crash. A crash before
// the end of DATA leaves the item Queued, to be sent again unchecked.
func (o *Outbox) submit(ctx context.Context, it *cache.OutboxItem) error {
	it.Attempts++
	if err := o.update(it); err != nil {
		return err
	}
	o.at("before-data")

	err := o.transact(ctx, it, func() error {
		it.State = cache.OutboxSubmitting
		if err := o.update(it); err != nil {
			return err
		}
		o.at("before-end")
		return nil
	})
	var unsure *unsureError
	if errors.As(err, &unsure) {
		// Keep Submitting, so the next pass checks for the message
		// before sending it again.
		return o.retryLater(it, err)
	}
	if err != nil {
		// The server rejected the transaction, or it broke off before
		// the end of DATA, so the message was not sent.
		it.State = cache.OutboxQueued
		if isPermanent(err) {
			return o.fail(it, err)
		}
		return o.retryLater(it, err)
	}

	o.at("after-data")
	it.State = cache.OutboxSubmitted
	it.LastError = ""
	return o.update(it)
}

func (o *Outbox) at(point string) {
	if o.hook != nil {
		o.hook(point)
	}
}

// transact runs one SMTP transaction and calls beforeEnd after the message
// text is written and before the end of DATA. An error from beforeEnd
// aborts without ending DATA. An *unsureError means the connection broke
// after the end of DATA, so the server may have accepted the message.
func (o *Outbox) transact(ctx context.Context, it *cache.OutboxItem, beforeEnd func() error) error {
	client, err := DialSMTP(ctx, o.cfg, o.cred)
	if err != nil {
		return err
	}
	defer client.Close()
	stop := context.AfterFunc(ctx, func() { client.Close() })
	defer stop()

	options := &smtp.MailOptions{Size: int64(len(it.Raw))}
	if has, _ := client.Extension("REQUIRETLS"); has && o.RequireTLS != RequireTLSOff {
		options.RequireTLS = true
	} else if o.RequireTLS == RequireTLSAlways {
		return &permanentError{fmt.Errorf("SMTP server %s does not offer REQUIRETLS, which policy demands: ask IT", o.cfg.SMTP.Address())}
	}
	if err := client.Mail(it.From, options); err != nil {
		return fmt.Errorf("MAIL FROM rejected: %w", err)
	}
	for _, rcpt := range it.Recipients {
		if err := client.Rcpt(rcpt, nil); err != nil {
			return fmt.Errorf("recipient %q rejected: %w", rcpt, err)
		}
	}
	data, err := client.Data()
	if err != nil {
		return fmt.Errorf("DATA rejected: %w", err)
	}
	if _, err := data.Write(it.Raw); err != nil {
		return fmt.Errorf("failed to send the message: %w", err)
	}
	if err := beforeEnd(); err != nil {
		// A server takes a message only at the end of DATA, so closing
		// the connection here drops it.
		return fmt.Errorf("failed to record the submission, so it was stopped: %w", err)
	}
	if err := data.Close(); err != nil {
		var smtpErr *smtp.SMTPError
		if errors.As(err, &smtpErr) {
			return fmt.Errorf("server did not accept the message: %w", err)
		}
		return &unsureError{fmt.Errorf("no reply after the end of DATA: %w", err)}
	}
	client.Quit()
	return nil
}

type unsureError struct{ err error }

func (e *unsureError) Error() string { return e.err.Error() }
func (e *unsureError) Unwrap() error { return e.err }

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// isPermanent reports a 5xx SMTP reply (RFC 5321 section 4.2.1) or a
// policy failure. Network, TLS and 4xx failures are temporary.
func isPermanent(err error) bool {
	var perm *permanentError
	if errors.As(err, &perm) {
		return true
	}
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) {
		return smtpErr.Code >= 500 && smtpErr.Code < 600
	}
	var protoErr *textproto.Error
	if errors.As(err, &protoErr) {
		return protoErr.Code >= 500 && protoErr.Code < 600
	}
	return false
}

func (o *Outbox) delivered(ctx context.Context, it *cache.OutboxItem) (bool, error) {
	if o.Delivered != nil {
		return o.Delivered(ctx, it)
	}
	found, err := o.store.HasMessageID(it.Account, it.MessageID)
	if err != nil || found || o.mailbox == nil {
		return found, err
	}
	for _, role := range []string{RoleSent, RoleInbox} {
		found, err := o.mailbox.HasMessageID(ctx, role, it.MessageID)
		if err != nil || found {
			return found, err
		}
	}
	return false, nil
}

// fileSentCopy appends the Sent copy unless Sent already has a message
// with this Message-ID (from an earlier run cut off after APPEND, or
// from a server that files submitted mail itself).
func (o *Outbox) fileSentCopy(ctx context.Context, it *cache.OutboxItem) error {
	if o.mailbox != nil && len(it.SentCopy) > 0 {
		found, err := o.mailbox.HasMessageID(ctx, RoleSent, it.MessageID)
		if err != nil {
			return o.retryLater(it, fmt.Errorf("failed to check Sent before filing the copy: %w", err))
		}
		if !found {
			if _, err := o.mailbox.AppendTo(ctx, RoleSent, it.SentCopy, []string{`\Seen`}); err != nil {
				return o.retryLater(it, fmt.Errorf("message sent, but filing the Sent copy failed: %w", err))
			}
			o.at("after-sent-copy")
		}
	}
	it.State = cache.OutboxDone
	it.LastError = ""
	return o.update(it)
}
