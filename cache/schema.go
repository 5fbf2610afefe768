package cache

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema steps in order. migrations[i] moves the
// database from user_version i to i+1. Append new steps and never edit a
// released one, because databases in the field have already run it.
var migrations = []string{
	// 1: folders, messages, the blind search index and its prefix
	// dictionary.
	`CREATE TABLE folders (
		id INTEGER PRIMARY KEY,
		account_tag INTEGER NOT NULL,
		name_tag INTEGER NOT NULL,
		account BLOB NOT NULL,
		name BLOB NOT NULL,
		role BLOB NOT NULL,
		uid_validity INTEGER NOT NULL DEFAULT 0,
		uid_next INTEGER NOT NULL DEFAULT 0,
		highest_modseq INTEGER NOT NULL DEFAULT 0,
		UNIQUE (account_tag, name_tag)
	);
	CREATE TABLE messages (
		id INTEGER PRIMARY KEY,
		folder_id INTEGER NOT NULL REFERENCES folders(id),
		uid INTEGER NOT NULL,
		uid_validity INTEGER NOT NULL,
		modseq INTEGER NOT NULL,
		flags TEXT NOT NULL,
		size INTEGER NOT NULL,
		date INTEGER NOT NULL,
		encrypted INTEGER NOT NULL,
		header_only INTEGER NOT NULL,
		message_id_tag INTEGER NOT NULL,
		raw BLOB,
		summary BLOB,
		terms BLOB,
		indexed INTEGER NOT NULL DEFAULT 0,
		UNIQUE (folder_id, uid)
	);
	CREATE INDEX messages_unindexed ON messages (id) WHERE indexed = 0;
	CREATE INDEX messages_date ON messages (date, id);
	CREATE INDEX messages_folder_date ON messages (folder_id, date, id);
	CREATE INDEX messages_message_id ON messages (message_id_tag);
	CREATE TABLE terms (
		tag INTEGER NOT NULL,
		date INTEGER NOT NULL,
		message INTEGER NOT NULL,
		PRIMARY KEY (tag, date, message)
	) WITHOUT ROWID;
	CREATE TABLE prefixes (
		prefix_tag INTEGER NOT NULL,
		word_tag INTEGER NOT NULL,
		PRIMARY KEY (prefix_tag, word_tag)
	) WITHOUT ROWID;`,

	// 2: sealed records and append-only logs for other packages.
	`CREATE TABLE records (
		id INTEGER PRIMARY KEY,
		kind_tag INTEGER NOT NULL,
		key_tag INTEGER NOT NULL,
		key BLOB NOT NULL,
		value BLOB NOT NULL,
		UNIQUE (kind_tag, key_tag)
	);
	CREATE TABLE logs (
		name_tag INTEGER NOT NULL,
		seq INTEGER NOT NULL,
		entry BLOB NOT NULL,
		PRIMARY KEY (name_tag, seq)
	) WITHOUT ROWID;`,

	// 3: the outbox and drafts.
	`CREATE TABLE outbox (
		id INTEGER PRIMARY KEY,
		state INTEGER NOT NULL,
		attempts INTEGER NOT NULL,
		next_attempt INTEGER NOT NULL,
		created INTEGER NOT NULL,
		meta BLOB NOT NULL,
		raw BLOB NOT NULL,
		sent_copy BLOB NOT NULL
	);
	CREATE INDEX outbox_due ON outbox (state, next_attempt);
	CREATE TABLE drafts (
		id INTEGER PRIMARY KEY,
		updated INTEGER NOT NULL,
		raw BLOB NOT NULL
	);`,
	// 4: unread counts per folder without reading every row's flags.
	// The expression must stay the one Folders uses, or SQLite will not
	// pick this partial index.
	`CREATE INDEX messages_unread ON messages (folder_id) WHERE instr(lower(flags), ' \seen ') = 0;`,

	// 5: message and unread counts kept in each folder row by triggers,
	// so listing folders reads no message rows. Counting at each listing
	// took about 30 ms with 100,000 messages, a fifth of the time to a
	// painted main window. The triggers use the unread test of version 4,
	// whose index they replace.
	`ALTER TABLE folders ADD COLUMN total INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE folders ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
	UPDATE folders SET
		total = (SELECT count(*) FROM messages m WHERE m.folder_id = folders.id),
		unread = (SELECT count(*) FROM messages m WHERE m.folder_id = folders.id AND instr(lower(m.flags), ' \seen ') = 0);
	CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
		UPDATE folders SET total = total + 1, unread = unread + (instr(lower(NEW.flags), ' \seen ') = 0)
			WHERE id = NEW.folder_id;
	END;
	CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
		UPDATE folders SET total = total - 1, unread = unread - (instr(lower(OLD.flags), ' \seen ') = 0)
			WHERE id = OLD.folder_id;
	END;
	CREATE TRIGGER messages_count_update AFTER UPDATE OF flags, folder_id ON messages
		WHEN OLD.folder_id != NEW.folder_id
			OR (instr(lower(OLD.flags), ' \seen ') = 0) != (instr(lower(NEW.flags), ' \seen ') = 0)
	BEGIN
		UPDATE folders SET total = total - 1, unread = unread - (instr(lower(OLD.flags), ' \seen ') = 0)
			WHERE id = OLD.folder_id;
		UPDATE folders SET total = total + 1, unread = unread + (instr(lower(NEW.flags), ' \seen ') = 0)
			WHERE id = NEW.folder_id;
	END;
	DROP INDEX messages_unread;`,

	// 6: message bytes in a table of their own. SQLite writes a whole row
	// again when one of its columns changes, so a flag change on a 10 MiB
	// message wrote all of it again (118 ms in BenchmarkSetFlags). The
	// sealed bytes keep their associated data (table "messages", column
	// "raw", the row id), so they move unchanged.
	`CREATE TABLE bodies (
		message INTEGER PRIMARY KEY,
		raw BLOB NOT NULL
	);
	INSERT INTO bodies (message, raw) SELECT id, raw FROM messages WHERE raw IS NOT NULL;
	ALTER TABLE messages DROP COLUMN raw;
	CREATE TRIGGER messages_body_delete AFTER DELETE ON messages BEGIN
		DELETE FROM bodies WHERE message = OLD.id;
	END;`,
}

// schemaVersion is the version a fully migrated database has.
var schemaVersion = len(migrations)

// migrate runs the steps from the database's user_version up to target,
// each in its own transaction, so a crash leaves a whole version.
func migrate(ctx context.Context, db *sql.DB, target int) error {
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("cache: read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("%w: database has version %d, this build knows up to %d; update SecureMail", ErrNewerSchema, current, len(migrations))
	}
	for v := current; v < target; v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("cache: begin migration to version %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("cache: migrate schema to version %d: %w", v+1, mapSQLError(err))
		}
		// PRAGMA takes no bound parameters; v is an int we control.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("cache: record schema version %d: %w", v+1, mapSQLError(err))
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("cache: commit migration to version %d: %w", v+1, mapSQLError(err))
		}
	}
	return nil
}
