package cache

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// encodings returns the byte patterns a leaked marker could take on disk:
// UTF-8, UTF-16 in both byte orders, and base64 at each of the three
// alignments a substring can have inside a longer encoded text.
func encodings(marker string) map[string][]byte {
	out := map[string][]byte{"utf-8": []byte(marker)}
	units := utf16.Encode([]rune(marker))
	le := make([]byte, 0, 2*len(units))
	be := make([]byte, 0, 2*len(units))
	for _, u := range units {
		le = append(le, byte(u), byte(u>>8))
		be = append(be, byte(u>>8), byte(u))
	}
	out["utf-16le"], out["utf-16be"] = le, be
	for pad := 0; pad < 3; pad++ {
		enc := base64.StdEncoding.EncodeToString(append(bytes.Repeat([]byte{0}, pad), marker...))
		// Drop the characters that mix in the padding or the bytes
		// after the marker; the middle is the same wherever it sits.
		start := (pad*8 + 5) / 6
		end := len(strings.TrimRight(enc, "=")) - 2
		out["base64/"+string(rune('0'+pad))] = []byte(enc[start:end])
	}
	return out
}

// scanForMarkers fails for each file under dirs that contains a marker
// in any encoding, in any letter case the index might produce.
func scanForMarkers(t *testing.T, markers []string, dirs ...string) {
	t.Helper()
	files := 0
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("read %s: %v", p, err)
				return nil
			}
			files++
			for _, m := range markers {
				for _, variant := range []string{m, strings.ToLower(m)} {
					for name, pattern := range encodings(variant) {
						if bytes.Contains(data, pattern) {
							t.Errorf("marker %q found as %s in %s", variant, name, p)
						}
					}
				}
			}
			return nil
		})
	}
	if files == 0 {
		t.Fatalf("no files scanned under %v", dirs)
	}
}

func TestLeakNoPlaintextOnDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	suffix := make([]byte, 4)
	rand.Read(suffix)
	tag := strings.ToUpper(hex.EncodeToString(suffix))
	mk := func(field string) string { return "Mk" + field + tag }
	markers := []string{mk("Subject"), mk("Body"), mk("FromName"), mk("fromaddr"), mk("toaddr"), mk("AttName"), mk("AttBody"),
		mk("Folder"), mk("Account"), mk("Decrypted"), mk("Draft"), mk("Outbox"), mk("Recipient"), mk("RecordKey"), mk("RecordValue"), mk("LogEntry"), mk("ErrorText")}

	kr := newMemKeyring()
	v, err := Create(filepath.Join(tmp, "profile"), "default", []byte("pw"), ModeDeviceSecret, testOptions(kr))
	if err != nil {
		t.Fatal(err)
	}
	s := v.Store()
	raw := buildMail(mailOptions{
		From:           mk("FromName") + " <" + mk("fromaddr") + "@clinic.example>",
		To:             mk("toaddr") + "@lab.example",
		Subject:        "Results " + mk("Subject"),
		Body:           "Patient note " + mk("Body") + " follows.",
		AttachmentName: mk("AttName") + ".txt",
		Attachment:     "Attached " + mk("AttBody") + " text",
	})
	for uid := uint32(1); uid <= 20; uid++ {
		mustPut(t, s, &Message{Account: mk("Account"), Folder: mk("Folder"), UID: uid, Raw: raw, Flags: []string{`\Seen`}})
	}
	id := mustPut(t, s, &Message{Account: mk("Account"), Folder: "INBOX", UID: 1, Encrypted: true, Raw: []byte("Subject: x\r\n\r\n-----BEGIN PGP MESSAGE-----")})
	if err := s.IndexText(id, "decrypted "+mk("Decrypted")); err != nil {
		t.Fatal(err)
	}

	for _, q := range []Query{
		{Words: []string{mk("Body")}}, {Prefixes: []string{mk("Subject")[:6]}}, {From: mk("fromaddr") + "@clinic.example"},
		{To: mk("toaddr")}, {Subject: mk("Subject")}, {Words: []string{mk("Decrypted")}}, {Account: mk("Account"), Folder: mk("Folder")},
	} {
		if res, err := s.Search(q); err != nil || len(res) == 0 {
			t.Fatalf("Search(%+v) = %d hits, %v", q, len(res), err)
		}
	}
	if _, err := s.PutDraft(0, []byte("To: "+mk("Recipient")+"\r\n\r\n"+mk("Draft"))); err != nil {
		t.Fatal(err)
	}
	out := &OutboxItem{Account: mk("Account"), From: mk("fromaddr"), Recipients: []string{mk("Recipient")}, Raw: []byte(mk("Outbox")), SentCopy: []byte(mk("Outbox")), LastError: mk("ErrorText")}
	if err := s.OutboxAdd(out); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRecord("contact", mk("RecordKey"), []byte(mk("RecordValue"))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendLog("audit", []byte(mk("LogEntry"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(v.TempDir(), "open-attachment.txt"), []byte(mk("AttBody")), 0o600); err != nil {
		t.Fatal(err)
	}

	// While unlocked, the database and its WAL hold only sealed values.
	scanForMarkers(t, markers, filepath.Join(v.Dir(), "cache.db"), filepath.Join(v.Dir(), "cache.db-wal"), filepath.Join(v.Dir(), headerFile))

	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	scanForMarkers(t, markers, tmp)
}

func TestLeakScannerFindsMarkers(t *testing.T) {
	marker := "MkProbe1234"
	units := utf16.Encode([]rune("text " + marker))
	le := make([]byte, 0, 2*len(units))
	for _, u := range units {
		le = append(le, byte(u), byte(u>>8))
	}
	texts := map[string][]byte{"utf-16le": le}
	for pad := 0; pad < 3; pad++ {
		name := "base64 after " + strings.Repeat("x", pad+5)
		texts[name] = []byte(base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", pad+5) + marker + " tail")))
	}
	for name, text := range texts {
		found := false
		for _, pattern := range encodings(marker) {
			if bytes.Contains(text, pattern) {
				found = true
			}
		}
		if !found {
			t.Errorf("marker not detected in %s", name)
		}
	}
}
