package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"securemail/account"
	"securemail/audit"
	"securemail/cache"
	"securemail/client"
	"securemail/compose"
	"securemail/crypto"
	"securemail/crypto/pgp"
	"securemail/policy"
)

// ClientAdapter makes a *client.Client, or a profile that has none yet,
// serve as the GUI's Client.
type ClientAdapter struct {
	opts client.Options

	mu sync.Mutex
	c  *client.Client // nil until the vault exists
}

// NewClientAdapter opens the profile in opts.Dir when it has a vault;
// otherwise the first-run screen creates one through Create.
func NewClientAdapter(opts client.Options) (*ClientAdapter, error) {
	a := &ClientAdapter{opts: opts}
	if !client.Exists(opts.Dir) {
		return a, nil
	}
	c, err := client.Open(opts)
	if err != nil {
		return nil, err
	}
	a.c = c
	return a, nil
}

// WrapClient adapts an open client.
func WrapClient(c *client.Client) *ClientAdapter {
	return &ClientAdapter{opts: client.Options{Dir: c.Dir()}, c: c}
}

// Client returns the wrapped client, or nil before the vault exists.
func (a *ClientAdapter) Client() *client.Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.c
}

func (a *ClientAdapter) client() (*client.Client, error) {
	if c := a.Client(); c != nil {
		return c, nil
	}
	return nil, client.ErrNoProfile
}

func (a *ClientAdapter) Created() bool { return a.Client() != nil }

func (a *ClientAdapter) Create(passphrase []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.c != nil {
		return errors.New("ui: the profile already has a vault; unlock it instead")
	}
	c, err := client.Create(a.opts, passphrase, false)
	if err != nil {
		return err
	}
	a.c = c
	return nil
}

func (a *ClientAdapter) Locked() bool {
	c := a.Client()
	return c == nil || c.Locked()
}

func (a *ClientAdapter) Unlock(passphrase []byte) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	return c.Unlock(passphrase)
}

// Lock locks the vault. It implements cache.Locker for the idle timer.
func (a *ClientAdapter) Lock(reason string) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	return c.Lock(reason)
}

// defaultAccount returns the first account, which the GUI sends from.
func (a *ClientAdapter) defaultAccount() (client.Account, error) {
	c, err := a.client()
	if err != nil {
		return client.Account{}, err
	}
	accounts, err := c.Accounts()
	if err != nil {
		return client.Account{}, err
	}
	if len(accounts) == 0 {
		return client.Account{}, errors.New("ui: no mail account in this profile; add one in the first-run screen")
	}
	return accounts[0], nil
}

func (a *ClientAdapter) Folders() ([]cache.Folder, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	accounts, err := c.Accounts()
	if err != nil {
		return nil, err
	}
	var all []cache.Folder
	for _, acct := range accounts {
		folders, err := c.Folders(acct.ID)
		if err != nil {
			return nil, err
		}
		all = append(all, folders...)
	}
	return all, nil
}

func (a *ClientAdapter) List(acct, folder string, offset, limit int) ([]cache.Summary, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	return c.List(acct, folder, offset, limit)
}

func (a *ClientAdapter) Search(q cache.Query) ([]cache.Summary, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	return c.Search(q)
}

func (a *ClientAdapter) OpenMessage(id int64) (*crypto.Message, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	opened, err := c.OpenMessage(id)
	if err != nil {
		return nil, err
	}
	return opened.Message, nil
}

func (a *ClientAdapter) SenderWarning(from string) (string, error) {
	c, err := a.client()
	if err != nil {
		return "", err
	}
	return c.SenderWarning(from)
}

func (a *ClientAdapter) MarkRead(id int64) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	return c.MarkRead(id)
}

func (a *ClientAdapter) SaveAttachment(id int64, part *crypto.Part, path string) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	return c.SaveAttachment(id, part.Body, path)
}

func (a *ClientAdapter) Delete(id int64) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	return c.DeleteMessage(id)
}

// Sync syncs every account and returns the number of messages stored,
// whole or header only, which the notification reports. Its error also
// carries the last failed audit append, so that the status bar shows it.
func (a *ClientAdapter) Sync(ctx context.Context, progress func(account.Progress)) (int, error) {
	c, err := a.client()
	if err != nil {
		return 0, err
	}
	report, err := c.Sync(ctx, func(_ string, p account.Progress) { progress(p) })
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, r := range report.Accounts {
		// A message is fetched as a header first and its body later, so
		// one of the two counts covers each new message.
		n += max(r.Headers, r.Bodies)
	}
	for id, e := range report.Errors {
		errs = append(errs, fmt.Errorf("account %s: %w", id, e))
	}
	if err := c.FlushOutbox(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := c.AuditErr(); err != nil {
		errs = append(errs, fmt.Errorf("the audit trail is missing an entry: %w; open the Audit trail window to verify it, and tell IT if it reports a problem", err))
	}
	return n, errors.Join(errs...)
}

func (a *ClientAdapter) Identity() string {
	acct, err := a.defaultAccount()
	if err != nil {
		return ""
	}
	return acct.Address
}

// RecipientKeys derives the key status of address from the key list.
func (a *ClientAdapter) RecipientKeys(address string) (openpgp, smime compose.KeyStatus) {
	c, err := a.client()
	if err != nil {
		return
	}
	keys, err := c.Keys()
	if err != nil {
		return
	}
	now := time.Now()
	for _, k := range keys {
		if !slices.ContainsFunc(k.UserIDs, func(id string) bool { return userIDHasAddress(id, address) }) {
			continue
		}
		st := compose.KeyStatus{State: compose.KeyUsable, Fingerprint: k.Fingerprint, Expires: k.Expires}
		switch {
		case !k.Expires.IsZero() && k.Expires.Before(now):
			st.State = compose.KeyExpired
		case k.Changed:
			st.State = compose.KeyUntrusted
			st.Detail = "the key changed since it was first seen; verify it"
		}
		if k.Scheme == crypto.SchemeSMIME {
			smime = st
		} else {
			openpgp = st
		}
	}
	return openpgp, smime
}

// userIDHasAddress reports whether an OpenPGP user ID ("Name <addr>") or
// a certificate address names address.
func userIDHasAddress(id, address string) bool {
	if i := strings.LastIndexByte(id, '<'); i >= 0 {
		id = strings.TrimSuffix(id[i+1:], ">")
	}
	return strings.EqualFold(strings.TrimSpace(id), address)
}

func (a *ClientAdapter) Review(d *compose.Draft) (*compose.Report, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	return c.Review(d)
}

func (a *ClientAdapter) Send(d *compose.Draft, r *compose.Report, answers compose.Answers) (*compose.Sealed, error) {
	acct, err := a.defaultAccount()
	if err != nil {
		return nil, err
	}
	return a.Client().Send(acct.ID, d, r, answers)
}

func (a *ClientAdapter) SaveDraft(id int64, d *compose.Draft) (int64, error) {
	c, err := a.client()
	if err != nil {
		return 0, err
	}
	return c.SaveDraft(id, d)
}

func (a *ClientAdapter) Keys() ([]KeyEntry, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	keys, err := c.Keys()
	if err != nil {
		return nil, err
	}
	out := make([]KeyEntry, 0, len(keys))
	for _, k := range keys {
		out = append(out, keyEntry(k))
	}
	return out, nil
}

func keyEntry(k client.KeyInfo) KeyEntry {
	return KeyEntry{
		Own: k.Own, Scheme: k.Scheme, Addresses: k.UserIDs, Fingerprint: k.Fingerprint,
		Created: k.Created, Expires: k.Expires, Trust: k.Trust, Changed: k.Changed,
	}
}

func (a *ClientAdapter) GenerateKey(name, email string) (KeyEntry, error) {
	c, err := a.client()
	if err != nil {
		return KeyEntry{}, err
	}
	k, err := c.GenerateKey(name, email, false)
	return keyEntry(k), err
}

func (a *ClientAdapter) ImportOpenPGP(data, passphrase []byte) ([]KeyEntry, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	keys, err := c.ImportOpenPGP(data, passphrase)
	var out []KeyEntry
	for _, k := range keys {
		out = append(out, keyEntry(k))
	}
	return out, err
}

func (a *ClientAdapter) ImportPKCS12(data, password []byte) (KeyEntry, error) {
	c, err := a.client()
	if err != nil {
		return KeyEntry{}, err
	}
	k, err := c.ImportPKCS12(data, string(password))
	return keyEntry(k), err
}

func (a *ClientAdapter) ExportPublicKey(fingerprint string) ([]byte, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	armored, err := c.ExportPublicKey(fingerprint)
	return []byte(armored), err
}

// VerifyFingerprint checks fingerprint against the key of address in
// whichever scheme has a key for it.
func (a *ClientAdapter) VerifyFingerprint(address, fingerprint string) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	keys, err := c.Keys()
	if err != nil {
		return err
	}
	for _, k := range keys {
		if !k.Own && slices.ContainsFunc(k.UserIDs, func(id string) bool { return userIDHasAddress(id, address) }) {
			return c.VerifyFingerprint(k.Scheme, address, fingerprint)
		}
	}
	return fmt.Errorf("ui: no contact key for %s; import the contact's key first", address)
}

// Revoke revokes one of the user's OpenPGP keys. Exporting the public key
// afterwards gives correspondents the key with its revocation.
func (a *ClientAdapter) Revoke(fingerprint string) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	_, err = c.RevokeKey(fingerprint, pgp.RevocationNoReason, "")
	return err
}

func (a *ClientAdapter) Accounts() []string {
	c, err := a.client()
	if err != nil {
		return nil
	}
	accounts, err := c.Accounts()
	if err != nil {
		return nil
	}
	var out []string
	for _, acct := range accounts {
		out = append(out, acct.Address)
	}
	return out
}

func (a *ClientAdapter) policy() *policy.Effective {
	if c := a.Client(); c != nil {
		return c.Policy()
	}
	return a.opts.Policy
}

// Preset returns the managed preset whose domains contain the address's
// domain.
func (a *ClientAdapter) Preset(address string) (policy.AccountPreset, bool) {
	eff := a.policy()
	_, domain, ok := strings.Cut(address, "@")
	if eff == nil || !ok {
		return policy.AccountPreset{}, false
	}
	for _, p := range eff.Settings().AccountPresets {
		for _, d := range p.Domains {
			if strings.EqualFold(d, domain) {
				return p, true
			}
		}
	}
	return policy.AccountPreset{}, false
}

func (a *ClientAdapter) AddAccount(ctx context.Context, req AccountRequest) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	acct, _, err := c.AccountSettings(req.Address, "", req.IMAP, req.SMTP)
	if err != nil {
		return err
	}
	// Log in once before saving, so a wrong server or password is
	// reported on the first-run screen instead of by every later sync.
	if err := c.CheckAccount(ctx, acct, string(req.Password)); err != nil {
		return err
	}
	return c.AddAccount(acct, string(req.Password))
}

func (a *ClientAdapter) RemoveAccount(address string) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	accounts, err := c.Accounts()
	if err != nil {
		return err
	}
	for _, acct := range accounts {
		if strings.EqualFold(acct.Address, address) {
			return c.RemoveAccount(acct.ID)
		}
	}
	return fmt.Errorf("ui: no account %s; it may have been removed already", address)
}

func (a *ClientAdapter) Settings() []policy.Setting {
	if eff := a.policy(); eff != nil {
		return eff.All()
	}
	return nil
}

// SetSetting changes one of the user's settings. With an open profile
// the change is saved to the user's settings file and audited; before
// the vault exists it lasts for this session.
func (a *ClientAdapter) SetSetting(path string, value any) error {
	if c := a.Client(); c != nil {
		return c.SetUserSetting(path, value)
	}
	eff := a.policy()
	if eff == nil {
		return client.ErrNoProfile
	}
	return eff.Set(path, value, policy.SourceUser)
}

func (a *ClientAdapter) AuditRecords(from, to time.Time) ([]audit.Record, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	return c.AuditRecords(from, to)
}

func (a *ClientAdapter) VerifyAudit() (audit.Report, error) {
	c, err := a.client()
	if err != nil {
		return audit.Report{}, err
	}
	return c.VerifyAudit()
}

func (a *ClientAdapter) Consents() ([]compose.Consent, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	return c.Consents()
}

func (a *ClientAdapter) RecordConsent(address string, expires time.Time) error {
	acct, err := a.defaultAccount()
	if err != nil {
		return err
	}
	return a.Client().RecordConsent(acct.ID, address, acct.Address, expires)
}

func (a *ClientAdapter) HeldMessages() ([]HeldMessage, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	held, err := c.HeldMessages()
	if err != nil {
		return nil, err
	}
	out := make([]HeldMessage, 0, len(held))
	for _, h := range held {
		out = append(out, HeldMessage{
			ID:         h.ID,
			Account:    h.Account,
			Recipients: h.Recipients,
			Created:    h.Created,
			Uncertain:  h.State == client.HeldUncertain,
			Reason:     h.Reason,
		})
	}
	return out, nil
}

func (a *ClientAdapter) QueuedMessages() ([]HeldMessage, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	queued, err := c.QueuedMessages()
	if err != nil {
		return nil, err
	}
	out := make([]HeldMessage, 0, len(queued))
	for _, q := range queued {
		out = append(out, HeldMessage{
			ID:         q.ID,
			Account:    q.Account,
			Recipients: q.Recipients,
			Created:    q.Created,
			Queued:     true,
			Reason:     q.Reason,
		})
	}
	return out, nil
}

func (a *ClientAdapter) Withdraw(id int64) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	return c.Withdraw(id)
}

func (a *ClientAdapter) SendAgain(id int64) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	return c.SendAgain(id)
}

func (a *ClientAdapter) DiscardHeld(id int64) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	return c.DiscardHeld(id)
}

var _ Client = (*ClientAdapter)(nil)
