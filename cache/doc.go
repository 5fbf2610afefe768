// Package cache owns the vault (device secret in the OS keyring, Argon2id
// passphrase, wrapped data key), the encrypted SQLite store and its search
// index, and the idle lock. Message content, keys and tokens are sealed with
// AES-256-GCM before they reach disk.
//
// # Keys
//
// Create makes a random 32-byte data key and, in ModeDeviceSecret, a
// random 32-byte device secret kept in the OS keyring under one entry per
// vault. Argon2id over the passphrase, with the parameters and salt
// stored in the vault header (vault.json), and HKDF-SHA256 over that
// output and the device secret give the key-encryption key, which wraps
// the data key with AES-256-GCM. Neither the keyring entry alone nor a
// copy of the profile folder alone opens the vault. HKDF derives from the
// data key one AES-256-GCM key per table and column and one HMAC-SHA256
// key for the search index. Lock zeroes all of them.
//
// # What is sealed
//
// Every value that holds message content or metadata is sealed with the
// key of its column, with table, column and row id as associated data, so
// a sealed value copied to another row or column fails to open
// (CorruptError). That covers raw messages, the summary (addresses,
// subject, Message-ID), folder and account names, drafts, the outbox,
// records and log entries, and the protected subjects kept for messages
// stored again. In the clear are what sync and ordering need:
// row ids, UIDs, UIDVALIDITY, MODSEQ, flags, sizes, dates, whether a
// message arrived encrypted, outbox states and attempt times, and keyed
// hashes (tags) used for lookups.
//
// # What an attacker with the files learns
//
// Someone who copies the profile folder without the passphrase and the
// device secret cannot read any sealed value, but can see:
//   - the number of folders, messages, drafts, outbox items, records and
//     log entries, and which messages share a folder and an account;
//   - each message's size, date, flags, UID and encrypted-or-not, and the
//     length of every sealed value (AES-GCM does not hide lengths);
//   - the blind index: for each word, sender or recipient, a tag that is
//     the same in every message containing it. The attacker can therefore
//     count how often each (unknown) term occurs, see which messages share terms, when
//     a term first and last appeared, and how many distinct words each
//     message has. Word frequencies can be matched against a language's
//     known frequencies to guess common words;
//   - the prefix dictionary: which word tags share a prefix tag, that is
//     the prefix structure of the vocabulary. Its rows outlive the
//     messages whose words created them;
//   - which messages share a Message-ID, from its tag;
//   - for which account and Message-ID tags the user opened a message
//     with a protected subject, from the protected_subjects rows, which
//     outlive the messages until the next unlock.
//
// Tags are HMAC-SHA256 under a key derived from the data key, truncated
// to 64 bits, so no term can be tested without the key.
//
// # Known limits
//
// A sealed value can be replaced by an older value of the same row and
// column (a rollback), because the associated data names the row, not
// its version. SQLite's synchronous=NORMAL in WAL mode survives a killed
// process with every commit intact; a power loss can drop the last
// commits but leaves the file consistent.
package cache
