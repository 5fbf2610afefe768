package client

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strings"
	"time"

	"securemail/account"
	"securemail/audit"
	"securemail/cache"
)

// Account is an account's settings as the profile stores them, sealed.
// The password or token is stored apart from it.
type Account struct {
	ID       string           `json:"id"`
	Address  string           `json:"address"`
	Username string           `json:"username"`
	IMAP     account.Endpoint `json:"imap"`
	SMTP     account.Endpoint `json:"smtp"`
	// MaxBodySize skips downloading bodies over this many bytes; 0 means
	// every body is cached for offline reading.
	MaxBodySize int64 `json:"maxBodySize"`
}

const (
	accountKind       = "account"
	accountSecretKind = "account-secret"
)

// AddAccount stores an account with its password, sealed. The password
// never reaches a configuration file.
func (c *Client) AddAccount(a Account, password string) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	if a.Address == "" || a.IMAP.Host == "" || a.SMTP.Host == "" {
		return errors.New("client: an account needs an address and IMAP and SMTP servers")
	}
	if password == "" {
		return errors.New("client: an account needs a password")
	}
	if a.ID == "" {
		a.ID = strings.ToLower(a.Address)
	}
	if a.Username == "" {
		a.Username = a.Address
	}
	_, existsErr := s.store.GetRecord(accountKind, a.ID)
	raw, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := s.store.PutRecord(accountKind, a.ID, raw); err != nil {
		return err
	}
	if err := s.store.PutRecord(accountSecretKind, a.ID, []byte(password)); err != nil {
		return err
	}
	s.ops.forget(a.ID)
	if existsErr == nil {
		c.record(audit.AccountChanged(a.ID, []string{"settings", "password"}))
	} else {
		c.record(audit.AccountAdded(a.ID))
	}
	return nil
}

// Accounts lists the stored accounts.
func (c *Client) Accounts() ([]Account, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	ids, err := s.store.ListRecords(accountKind)
	if err != nil {
		return nil, err
	}
	var out []Account
	for _, id := range ids {
		a, err := loadAccount(s, id)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func loadAccount(s *session, id string) (Account, error) {
	raw, err := s.store.GetRecord(accountKind, id)
	if err != nil {
		return Account{}, err
	}
	var a Account
	if err := json.Unmarshal(raw, &a); err != nil {
		return Account{}, fmt.Errorf("client: stored account %s is unreadable: %w", id, err)
	}
	return a, nil
}

// accountConfig turns a stored account into the connection settings,
// with the TLS rules of the policy.
func (c *Client) accountConfig(s *session, id string) (*account.Config, account.Credentials, error) {
	a, err := loadAccount(s, id)
	if err != nil {
		return nil, nil, err
	}
	secret, err := s.store.GetRecord(accountSecretKind, id)
	if err != nil {
		return nil, nil, fmt.Errorf("client: no password stored for account %s: %w", id, err)
	}
	return c.connectionConfig(a), account.Password(string(secret)), nil
}

// connectionConfig returns the connection settings of a, with the TLS
// rules of the policy.
func (c *Client) connectionConfig(a Account) *account.Config {
	cfg := &account.Config{
		ID: a.ID, Address: a.Address, Username: a.Username,
		IMAP: a.IMAP, SMTP: a.SMTP, MaxBodySize: a.MaxBodySize,
		TLS: account.TLSOptions{MinVersion: c.minTLS(), RootCAs: c.extraRoots()},
	}
	if c.opts.TLSRoots != nil {
		cfg.TLS.RootCAs = c.opts.TLSRoots
	}
	return cfg
}

// CheckAccount logs in to the IMAP and the SMTP server of a with
// password and logs out again, so that an account with a wrong server or
// password is found before it is saved. It needs no open vault. The
// error names the server that failed.
func (c *Client) CheckAccount(ctx context.Context, a Account, password string) error {
	if a.Username == "" {
		a.Username = a.Address
	}
	cfg := c.connectionConfig(a)
	cred := account.Password(password)

	imapClient, err := account.DialIMAP(ctx, cfg, cred, nil)
	if err != nil {
		return fmt.Errorf("client: checking the IMAP server %s failed: %w", a.IMAP.Address(), err)
	}
	// The login succeeded, so an error from the logout does not mean
	// that the account is wrong.
	imapClient.Logout().Wait()
	imapClient.Close()

	smtpClient, err := account.DialSMTP(ctx, cfg, cred)
	if err != nil {
		return fmt.Errorf("client: checking the SMTP server %s failed: %w", a.SMTP.Address(), err)
	}
	smtpClient.Quit()
	return nil
}

// ErrNoAccount is wrapped by the errors about an account ID that the
// profile does not have.
var ErrNoAccount = errors.New("client: no such account")

// ErrOutboxNotEmpty is wrapped by the error of RemoveAccount when the
// account still has messages in the outbox.
var ErrOutboxNotEmpty = errors.New("client: outbox not empty")

// RemoveAccount deletes the account id and its password from the
// profile. Mail already in the cache stays there. It fails with an error
// wrapping ErrOutboxNotEmpty while the outbox has messages of the
// account, because no flush would send them once the account is gone,
// and adding the address again would send them unseen.
func (c *Client) RemoveAccount(id string) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	if _, err := s.store.GetRecord(accountKind, id); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %q; run securemail account list for the IDs", ErrNoAccount, id)
	} else if err != nil {
		return err
	}
	if err := checkOutboxEmpty(s, id); err != nil {
		return err
	}
	if err := s.store.DeleteRecord(accountSecretKind, id); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("client: deleting the password of account %s: %w", id, err)
	}
	if err := s.store.DeleteRecord(accountKind, id); err != nil {
		return fmt.Errorf("client: deleting account %s: %w", id, err)
	}
	s.ops.forget(id)
	c.record(audit.AccountRemoved(id))
	return nil
}

// checkOutboxEmpty returns an error wrapping ErrOutboxNotEmpty when the
// outbox has messages of account id, with their number and what to do.
func checkOutboxEmpty(s *session, id string) error {
	// OutboxPending lists only the items due by the time given, so the
	// latest time makes messages that wait for a later retry count too.
	pending, err := s.store.OutboxPending(time.Unix(0, math.MaxInt64))
	if err != nil {
		return fmt.Errorf("client: failed to read the outbox before removing account %s: %w", id, err)
	}
	held, err := s.store.OutboxHeld()
	if err != nil {
		return fmt.Errorf("client: failed to read the outbox before removing account %s: %w", id, err)
	}
	queued, waiting := countOf(pending, id), countOf(held, id)
	if queued+waiting == 0 {
		return nil
	}

	var counts, steps []string
	if queued > 0 {
		counts = append(counts, fmt.Sprintf("%d queued", queued))
		steps = append(steps, "send the queued ones with securemail sync or withdraw them with securemail outbox withdraw")
	}
	if waiting > 0 {
		counts = append(counts, fmt.Sprintf("%d held", waiting))
		steps = append(steps, "send again or discard the held ones with securemail outbox or in the Outbox window")
	}
	noun := "messages"
	if queued+waiting == 1 {
		noun = "message"
	}
	return fmt.Errorf("%w: %s has %s %s; %s, then remove the account",
		ErrOutboxNotEmpty, id, strings.Join(counts, " and "), noun, strings.Join(steps, ", and "))
}

// countOf returns the number of items of account id.
func countOf(items []cache.OutboxItem, id string) int {
	n := 0
	for _, it := range items {
		if it.Account == id {
			n++
		}
	}
	return n
}

func (c *Client) minTLS() uint16 {
	if c.policy.Settings().TLS.MinVersion == "1.3" {
		return tls.VersionTLS13
	}
	return tls.VersionTLS12
}

// SyncReport is the outcome of syncing every account.
type SyncReport struct {
	Accounts map[string]*account.Report
	// Errors has the failure of each account whose sync failed or whose
	// read marks made offline could not be sent. The latter wraps a
	// *ReadMarksError with the number of marks still waiting.
	Errors map[string]error
}

// Sync fetches every account's mail into the sealed cache. progress may
// be nil; it is called from this goroutine.
func (c *Client) Sync(ctx context.Context, progress func(accountID string, p account.Progress)) (*SyncReport, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	accounts, err := c.Accounts()
	if err != nil {
		return nil, err
	}
	rep := &SyncReport{Accounts: map[string]*account.Report{}, Errors: map[string]error{}}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	// An error here concerns marks whose account is unknown, so each
	// account's error carries it.
	marks, marksErr := loadPendingSeen(s, ids)
	for _, a := range accounts {
		cfg, cred, err := c.accountConfig(s, a.ID)
		if err != nil {
			rep.Errors[a.ID] = errors.Join(err, marksErr)
			continue
		}
		syncer := account.NewSyncer(cfg, cred, s.store)
		// Read marks made offline go first, before the flag pass could
		// take the server's unread state back into the cache. A mark that
		// fails again waits for the next sync and is reported.
		replayErr := replayPendingSeen(ctx, s, a.ID, marks[a.ID], syncer)
		r, err := syncer.Sync(ctx, func(p account.Progress) {
			if progress != nil {
				progress(a.ID, p)
			}
		})
		syncer.Close()
		rep.Accounts[a.ID] = r
		if err := errors.Join(err, replayErr, marksErr); err != nil {
			rep.Errors[a.ID] = err
		}
	}
	return rep, nil
}

// FlushOutbox submits every queued message and files Sent copies. It
// returns the joined errors of the accounts whose pass failed; failed
// items stay in the outbox with their error.
func (c *Client) FlushOutbox(ctx context.Context) error {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	s, err := c.current()
	if err != nil {
		return err
	}
	accounts, err := c.Accounts()
	if err != nil {
		return err
	}
	held, err := heldIDs(s)
	if err != nil {
		return fmt.Errorf("client: failed to read held outbox messages: %w", err)
	}
	var errs []error
	for _, a := range accounts {
		cfg, cred, err := c.accountConfig(s, a.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		syncer := account.NewSyncer(cfg, cred, s.store)
		ob := account.NewOutbox(cfg, cred, s.store, syncer)
		if err := ob.Flush(ctx); err != nil {
			errs = append(errs, fmt.Errorf("account %s: %w", a.ID, err))
		}
		syncer.Close()
	}
	c.recordNewlyHeld(s, held)
	return errors.Join(errs...)
}
