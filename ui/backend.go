package ui

import (
	"context"
	"time"

	"securemail/account"
	"securemail/audit"
	"securemail/cache"
	"securemail/compose"
	"securemail/crypto"
	"securemail/policy"
)

// The interfaces below are what the screens need from package client.
// Each screen takes the smallest one it uses, so that its tests can pass a
// fake and package client can satisfy all of them with one value.
// Methods may block on disk or the network: the screens call them off the
// UI goroutine unless a comment says otherwise.

// Vault creates, unlocks and locks the profile.
type Vault interface {
	// Created reports whether the profile has a vault yet; without one the
	// first-run screen creates it.
	Created() bool
	Create(passphrase []byte) error
	Locked() bool
	// Unlock opens the vault. A wrong passphrase returns an error wrapping
	// cache.ErrWrongPassphrase.
	Unlock(passphrase []byte) error
	// Lock wipes the keys from memory; reason goes to the audit trail.
	Lock(reason string) error
}

// Mailbox lists, searches and opens cached mail.
type Mailbox interface {
	Folders() ([]cache.Folder, error)
	// List returns one page of a folder, newest first.
	List(account, folder string, offset, limit int) ([]cache.Summary, error)
	Search(q cache.Query) ([]cache.Summary, error)
	// OpenMessage decrypts and verifies a cached message. The result is
	// plaintext: keep it only while it is on screen.
	OpenMessage(id int64) (*crypto.Message, error)
	// SenderWarning returns a sentence for the banner when the domain of
	// the From field from imitates an internal, contact or recent
	// recipient domain, and "" otherwise.
	SenderWarning(from string) (string, error)
	// MarkRead sets \Seen on message id in the cache and on the server.
	// An error may come after the cache changed, so after an error the
	// caller reloads the counts from the cache.
	MarkRead(id int64) error
	// SaveAttachment writes one decrypted attachment of message id to
	// path and records the save in the audit trail.
	SaveAttachment(id int64, part *crypto.Part, path string) error
	// Delete moves a message to the trash.
	Delete(id int64) error
}

// Syncer fetches new mail for every account.
type Syncer interface {
	Sync(ctx context.Context, progress func(account.Progress)) (newMessages int, err error)
}

// Sender reviews, seals and queues outgoing mail, and keeps drafts.
type Sender interface {
	// Identity returns the sender address of the default account.
	Identity() string
	// RecipientKeys returns the OpenPGP and S/MIME status of one address,
	// from the key store only; it never goes to the network, so compose
	// can call it as the user types.
	RecipientKeys(address string) (openpgp, smime compose.KeyStatus)
	Review(d *compose.Draft) (*compose.Report, error)
	// Send seals d for the answers given and queues it in the outbox.
	Send(d *compose.Draft, r *compose.Report, a compose.Answers) (*compose.Sealed, error)
	// SaveDraft stores d sealed; id 0 creates a draft and the new id is
	// returned.
	SaveDraft(id int64, d *compose.Draft) (int64, error)
}

// KeyEntry is one key or certificate in the key manager.
type KeyEntry struct {
	Own         bool
	Scheme      crypto.Scheme
	Addresses   []string
	Fingerprint string // upper-case hex, no spaces
	Created     time.Time
	Expires     time.Time // zero means no expiry
	Revoked     bool
	Trust       crypto.TrustLevel
	// Changed reports that the contact's key differs from the one first
	// seen for the address and is not accepted yet.
	Changed bool
}

// KeyManager lists, creates, imports and exports keys and certificates.
type KeyManager interface {
	Keys() ([]KeyEntry, error)
	GenerateKey(name, email string) (KeyEntry, error)
	ImportOpenPGP(data, passphrase []byte) ([]KeyEntry, error)
	ImportPKCS12(data, password []byte) (KeyEntry, error)
	ExportPublicKey(fingerprint string) ([]byte, error)
	// VerifyFingerprint marks the key of address verified when fingerprint
	// matches it, and returns crypto.ErrFingerprintMismatch otherwise.
	VerifyFingerprint(address, fingerprint string) error
	Revoke(fingerprint string) error
}

// AccountSetup adds mail accounts on first run and in the Accounts
// window, and removes them there.
type AccountSetup interface {
	// Accounts returns the configured account addresses.
	Accounts() []string
	// Preset returns the managed server settings for an address, or
	// false when the policy has none and the user must enter servers.
	Preset(address string) (policy.AccountPreset, bool)
	AddAccount(ctx context.Context, req AccountRequest) error
	// RemoveAccount deletes the account of address and its password. It
	// fails while the account has messages in the outbox.
	RemoveAccount(address string) error
}

// AccountRequest is what the first-run screen collects for a new account.
// Password is wiped by the caller after AddAccount returns.
type AccountRequest struct {
	Address  string
	Password []byte
	// IMAP and SMTP are empty when a preset supplies them.
	IMAP, SMTP string
}

// Settings shows and changes the effective settings.
type Settings interface {
	Settings() []policy.Setting
	// SetSetting changes a user setting; a locked one returns an error
	// wrapping policy.ErrLocked.
	SetSetting(path string, value any) error
}

// AuditTrail lists and verifies the audit trail.
type AuditTrail interface {
	AuditRecords(from, to time.Time) ([]audit.Record, error)
	VerifyAudit() (audit.Report, error)
}

// Consents records and lists patients' consents to unencrypted mail.
type Consents interface {
	Consents() ([]compose.Consent, error)
	RecordConsent(address string, expires time.Time) error
}

// Client is everything the GUI uses. Package client implements it.
type Client interface {
	Vault
	Mailbox
	Syncer
	Sender
	KeyManager
	AccountSetup
	Settings
	AuditTrail
	Consents
	Outbox
}
