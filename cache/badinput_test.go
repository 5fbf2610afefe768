package cache

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTamperedValuesFailToOpen(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper string
	}{
		{"bit flip", ""},
		{"truncated", `UPDATE bodies SET raw = substr(raw, 1, 10) WHERE message = (SELECT id FROM messages WHERE uid = 1)`},
		{"empty", `UPDATE bodies SET raw = x'' WHERE message = (SELECT id FROM messages WHERE uid = 1)`},
		{"deleted", `DELETE FROM bodies WHERE message = (SELECT id FROM messages WHERE uid = 1)`},
		{"moved from another row", `UPDATE bodies SET raw = (SELECT b.raw FROM bodies b JOIN messages m ON m.id = b.message WHERE m.uid = 2)
			WHERE message = (SELECT id FROM messages WHERE uid = 1)`},
		{"moved from another column", `UPDATE bodies SET raw = (SELECT summary FROM messages WHERE uid = 1)
			WHERE message = (SELECT id FROM messages WHERE uid = 1)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			id1 := mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: []byte("Subject: one\r\n\r\nfirst")})
			id2 := mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: 2, Raw: []byte("Subject: two\r\n\r\nsecond")})
			tamper := tc.tamper
			if tamper == "" {
				var sealed []byte
				s.db.QueryRow(`SELECT raw FROM bodies WHERE message = ?`, id1).Scan(&sealed)
				sealed[20] ^= 0x01
				tamper = fmt.Sprintf("UPDATE bodies SET raw = x'%x' WHERE message = %d", sealed, id1)
			}
			if _, err := s.db.Exec(tamper); err != nil {
				t.Fatal(err)
			}
			_, err := s.Message(id1)
			var ce *CorruptError
			if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Message of a tampered row: %v", err)
			}
			if ce.Table != "messages" || ce.Column != "raw" {
				t.Errorf("CorruptError names %s.%s", ce.Table, ce.Column)
			}
			if m, err := s.Message(id2); err != nil || string(m.Raw) != "Subject: two\r\n\r\nsecond" {
				t.Errorf("the untouched message: %v", err)
			}
		})
	}
}

func TestTamperedBlobBitFlip(t *testing.T) {
	// Flip every byte position of one sealed value in turn: none may open.
	s := newTestStore(t)
	id := mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: []byte("Subject: x\r\n\r\nbody")})
	var sealed []byte
	s.db.QueryRow(`SELECT raw FROM bodies WHERE message = ?`, id).Scan(&sealed)
	keys := s.keys
	for i := range sealed {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(sealed)
			bad[i] ^= bit
			if _, err := keys.open("messages", "raw", rowKey(id), bad); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("flip of bit %#x at byte %d opened: %v", bit, i, err)
			}
		}
	}
	for n := 0; n < len(sealed); n++ {
		if _, err := keys.open("messages", "raw", rowKey(id), sealed[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("value truncated to %d bytes opened: %v", n, err)
		}
	}
}

func TestTamperedRecordsAndLogs(t *testing.T) {
	s := newTestStore(t)
	s.PutRecord("key", "ann", []byte("ann's key"))
	s.PutRecord("key", "bob", []byte("bob's key"))
	s.AppendLog("audit", []byte("one"))
	s.AppendLog("audit", []byte("two"))

	s.db.Exec(`UPDATE records SET value = (SELECT value FROM records WHERE id = 2) WHERE id = 1`)
	_, err := s.GetRecord("key", "ann")
	wantErr(t, err, ErrCorrupt)

	s.db.Exec(`UPDATE logs SET entry = (SELECT entry FROM logs WHERE seq = 2) WHERE seq = 1`)
	err = s.ReadLog("audit", 1, func(int64, []byte) error { return nil })
	wantErr(t, err, ErrCorrupt)
}

func TestNewerSchemaRejected(t *testing.T) {
	v, kr := newTestVault(t)
	mustPut(t, v.Store(), &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: []byte("Subject: x\r\n\r\ny")})
	if _, err := v.Store().db.Exec(fmt.Sprintf("PRAGMA user_version = %d", schemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	v.Lock()

	v2, err := Open(v.Dir(), "default", testOptions(kr))
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, v2.Unlock([]byte("correct horse")), ErrNewerSchema)
	if !v2.Locked() {
		t.Errorf("vault unlocked over a newer schema")
	}
}

// TestDamagedDatabaseFile unlocks over a database file cut in half and
// one overwritten with other bytes: both must fail with ErrDamaged and
// leave the vault locked.
func TestDamagedDatabaseFile(t *testing.T) {
	damage := map[string]func(path string) error{
		"cut in half": func(path string) error {
			info, err := os.Stat(path)
			if err != nil {
				return err
			}
			return os.Truncate(path, info.Size()/2)
		},
		"not a database": func(path string) error {
			return os.WriteFile(path, bytes.Repeat([]byte("not sqlite "), 1000), 0o600)
		},
	}
	for name, spoil := range damage {
		t.Run(name, func(t *testing.T) {
			v, kr := newTestVault(t)
			for uid := uint32(1); uid <= 40; uid++ {
				mustPut(t, v.Store(), &Message{Account: "a", Folder: "INBOX", UID: uid, Raw: incompressibleMail(uid, 4000)})
			}
			v.Lock()
			path := filepath.Join(v.Dir(), "cache.db")
			for _, suffix := range []string{"-wal", "-shm"} {
				os.Remove(path + suffix)
			}
			if err := spoil(path); err != nil {
				t.Fatal(err)
			}

			v2, err := Open(v.Dir(), "default", testOptions(kr))
			if err != nil {
				t.Fatal(err)
			}
			wantErr(t, v2.Unlock([]byte("correct horse")), ErrDamaged)
			if !v2.Locked() {
				t.Errorf("vault unlocked over a damaged database")
			}
		})
	}
}

func TestMigrationsFromEveryVersion(t *testing.T) {
	ks, _ := newKeySet(bytes.Repeat([]byte{1}, 32))
	freshStore := &Store{}
	if err := freshStore.attach(filepath.Join(t.TempDir(), "fresh.db"), ks); err != nil {
		t.Fatal(err)
	}
	fresh := schemaOf(t, freshStore.db)
	freshStore.detach()

	for from := 0; from < schemaVersion; from++ {
		t.Run(fmt.Sprintf("from version %d", from), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.db")
			db, err := openDB(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := migrate(t.Context(), db, from); err != nil {
				t.Fatal(err)
			}
			key := bytes.Repeat([]byte{7}, 32)
			ks, _ := newKeySet(bytes.Clone(key))
			old := &Store{db: db, keys: ks}
			var id int64
			if from >= 1 {
				// Data written by version 1 must survive every later step.
				id = putAtVersion(t, old, from, &Message{Account: "a", Folder: "INBOX", UID: 9, Raw: []byte("Subject: kept\r\n\r\nbody")})
			}
			db.Close()

			ks2, _ := newKeySet(bytes.Clone(key))
			s := &Store{}
			if err := s.attach(path, ks2); err != nil {
				t.Fatal(err)
			}
			defer s.detach()
			var version int
			s.db.QueryRow("PRAGMA user_version").Scan(&version)
			if version != schemaVersion {
				t.Errorf("version after migration = %d, expected %d", version, schemaVersion)
			}
			if got := schemaOf(t, s.db); got != fresh {
				t.Errorf("schema after migrating from %d differs from a fresh one:\n%s\nexpected\n%s", from, got, fresh)
			}
			if from >= 1 {
				m, err := s.Message(id)
				if err != nil || string(m.Raw) != "Subject: kept\r\n\r\nbody" {
					t.Errorf("message from version %d: %v", from, err)
				}
				if res, _ := s.Search(Query{Words: []string{"kept"}}); len(res) != 1 {
					t.Errorf("index from version %d lost", from)
				}
				folders, err := s.Folders("a")
				if err != nil || len(folders) != 1 || folders[0].Total != 1 || folders[0].Unread != 1 {
					t.Errorf("folders after migrating from %d = %+v, %v; expected INBOX with 1 unread message", from, folders, err)
				}
			}
			if _, err := s.AppendLog("audit", []byte("x")); err != nil {
				t.Errorf("tables of later versions missing: %v", err)
			}
		})
	}
}

// putAtVersion stores m with this build's code in a database of schema
// version, then moves its sealed bytes into messages.raw, where versions
// 1 to 5 kept them.
func putAtVersion(t *testing.T, s *Store, version int, m *Message) int64 {
	t.Helper()
	if version >= 6 {
		return mustPut(t, s, m)
	}
	if _, err := s.db.Exec(`CREATE TABLE bodies (message INTEGER PRIMARY KEY, raw BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	id := mustPut(t, s, m)
	if _, err := s.db.Exec(`UPDATE messages SET raw = (SELECT raw FROM bodies WHERE message = messages.id); DROP TABLE bodies`); err != nil {
		t.Fatal(err)
	}
	return id
}

// schemaOf returns the schema SQL of db, one statement a line, sorted.
func schemaOf(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query(`SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var stmt string
		rows.Scan(&stmt)
		b.WriteString(stmt)
		b.WriteString("\n")
	}
	return b.String()
}
