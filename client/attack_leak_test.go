package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"securemail/cache"
	"securemail/compose"
	"securemail/internal/testenv"
)

// encodings returns s as it could sit in a file: UTF-8, UTF-16 in both
// byte orders, and base64 at each of the three byte alignments.
func encodings(s string) map[string][]byte {
	out := map[string][]byte{"utf-8": []byte(s)}
	units := utf16.Encode([]rune(s))
	le, be := make([]byte, 2*len(units)), make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(le[2*i:], u)
		binary.BigEndian.PutUint16(be[2*i:], u)
	}
	out["utf-16le"], out["utf-16be"] = le, be
	for shift := 0; shift < 3; shift++ {
		enc := base64.StdEncoding.EncodeToString(append(bytes.Repeat([]byte{0}, shift), s...))
		// Drop the characters that depend on the bytes around s.
		start := (shift*8 + 5) / 6
		stable := enc[start : start+(len(s)*8)/6-2]
		out["base64+"+string(rune('0'+shift))] = []byte(stable)
	}
	return out
}

// scanForSecrets walks roots and returns a line for every file that
// holds any of the secrets in any encoding.
func scanForSecrets(t *testing.T, roots []string, secrets map[string]string) []string {
	t.Helper()
	var found []string
	needles := map[string]map[string][]byte{}
	for name, s := range secrets {
		needles[name] = encodings(s)
	}
	// Go's own caches may sit under HOME; they hold no product data.
	skipped := map[string]bool{}
	for _, v := range []string{"GOPATH", "GOCACHE", "GOMODCACHE"} {
		if dir := os.Getenv(v); dir != "" {
			skipped[dir] = true
		}
	}
	files := 0
	for _, root := range roots {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && skipped[path] {
				return filepath.SkipDir
			}
			if d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Logf("cannot read %s: %v", path, err)
				return nil
			}
			files++
			for name, encs := range needles {
				for enc, n := range encs {
					if bytes.Contains(data, n) {
						found = append(found, name+" ("+enc+") in "+path)
					}
				}
			}
			return nil
		})
	}
	t.Logf("scanned %d files under %v", files, roots)
	if files == 0 {
		t.Error("the scan found no files; the profile folders are not where the test expects")
	}
	return found
}

// TestScanFindsEncodedSecrets checks the scanner itself on planted files.
func TestScanFindsEncodedSecrets(t *testing.T) {
	dir := t.TempDir()
	secret := "PlantedSecret42x"
	for enc, data := range encodings(secret) {
		name := filepath.Join(dir, strings.ReplaceAll(enc, "+", "-"))
		// Surround the encoded secret with other bytes, as in a file.
		if err := os.WriteFile(name, append(append([]byte("xx\x00"), data...), "\x00yy"...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	raw := base64.StdEncoding.EncodeToString([]byte("ab" + secret + "cd"))
	if err := os.WriteFile(filepath.Join(dir, "mime"), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	found := scanForSecrets(t, []string{dir}, map[string]string{"planted": secret})
	if len(found) < 7 {
		t.Errorf("scanner found %d planted copies, want at least 7: %v", len(found), found)
	}
}

func randomWord(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

// TestAttackLeaksToDisk drives whole profiles through the real stack and
// the real keyring, then scans every file under the profiles, TMPDIR and
// HOME for the message text, names and passwords.
func TestAttackLeaksToDisk(t *testing.T) {
	st := testenv.Stack(t)
	testenv.Keyring(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	home, _ := os.UserHomeDir()

	const (
		senderAddr  = "spare1@clinic.test"
		keyedAddr   = "spare2@clinic.test"
		keylessAddr = "spare7@lab.test"
	)
	secrets := map[string]string{
		"subject marker":         randomWord(t, "SubjMk"),
		"body marker":            randomWord(t, "BodyMk"),
		"recipient name marker":  randomWord(t, "NameMk"),
		"attachment name marker": randomWord(t, "FileMk"),
		"attachment data marker": randomWord(t, "DataMk"),
	}
	eff := testPolicy(t)
	run := randomWord(t, "")
	profile := func(name string) *Client {
		pass := randomWord(t, "VaultPass")
		secrets["passphrase of "+name] = pass
		opts := Options{Dir: filepath.Join(tmp, "profiles", name), Name: "leak-" + name + "-" + run, Policy: eff,
			NoDiscovery: true, kdf: &testKDF, TLSRoots: st.RootCAs()}
		c, err := Create(opts, []byte(pass), false)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Destroy() })
		return c
	}
	sender, keyed, keyless := profile("sender"), profile("keyed"), profile("keyless")
	for c, addr := range map[*Client]string{sender: senderAddr, keyed: keyedAddr, keyless: keylessAddr} {
		stackAccount(t, c, st, addr)
		secrets["account password of "+addr] = st.User(t, addr).Password
	}
	senderKey, err := sender.GenerateKey("Sender", senderAddr, false)
	if err != nil {
		t.Fatal(err)
	}
	keyedKey, err := keyed.GenerateKey("Keyed", keyedAddr, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range []struct {
		from, to *Client
		fp       string
	}{{keyed, sender, keyedKey.Fingerprint}, {sender, keyed, senderKey.Fingerprint}} {
		armored, err := pair.from.ExportPublicKey(pair.fp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pair.to.ImportOpenPGP([]byte(armored), nil); err != nil {
			t.Fatal(err)
		}
	}

	draft := &compose.Draft{
		From:    mail.Address{Name: "Sender", Address: senderAddr},
		To:      []mail.Address{{Name: secrets["recipient name marker"], Address: keyedAddr}, {Address: keylessAddr}},
		Subject: "Lab " + secrets["subject marker"],
		Body:    "Patient DOB 03/14/1961, MRN: 4477120. " + secrets["body marker"] + "\n",
		Attachments: []compose.Attachment{{
			Name: secrets["attachment name marker"] + ".txt", ContentType: "text/plain",
			Data: []byte("Attachment " + secrets["attachment data marker"] + "\n"),
		}},
	}
	report, err := sender.Review(draft)
	if err != nil {
		t.Fatal(err)
	}
	if report.Blocked() {
		t.Fatalf("review blocked: %+v", report.Findings)
	}
	sealed, err := sender.Send(senderAddr, draft, report, confirmAll(report))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range sealed.Passwords {
		secrets["PDF password "+string(rune('0'+i))] = p.Password
	}
	if len(sealed.Passwords) == 0 {
		t.Error("no PDF password for the keyless recipient")
	}
	if err := sender.FlushOutbox(context.Background()); err != nil {
		t.Fatal(err)
	}

	for _, r := range []struct {
		c    *Client
		addr string
	}{{keyed, keyedAddr}, {keyless, keylessAddr}} {
		id := waitForMessage(t, r.c, r.addr, "INBOX", messageIDFor(t, sealed, r.addr))
		opened, err := r.c.OpenMessage(id)
		if err != nil {
			t.Fatal(err)
		}
		if r.c == keyed && !bodiesContain(opened, secrets["body marker"]) {
			t.Errorf("the keyed recipient's opened copy lacks the body marker")
		}
	}
	id := waitForMessage(t, sender, senderAddr, "Sent", sealed.MessageID)
	if _, err := sender.OpenMessage(id); err != nil {
		t.Fatal(err)
	}
	// The blind index learned the words; a search must find them.
	hits, err := keyed.Search(cache.Query{Words: []string{strings.ToLower(secrets["body marker"])}})
	if err != nil {
		t.Errorf("search: %v", err)
	}
	t.Logf("search for the body marker: %d hits", len(hits))

	// The client has no draft API yet; drafts go straight to the store
	// that the UI will use.
	secrets["draft marker"] = randomWord(t, "DraftMk")
	s, err := sender.current()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.PutDraft(0, []byte("Subject: "+secrets["draft marker"]+"\r\n\r\ndraft\r\n")); err != nil {
		t.Fatal(err)
	}

	for _, c := range []*Client{sender, keyed, keyless} {
		if err := c.AuditErr(); err != nil {
			t.Errorf("audit append failed: %v", err)
		}
		if err := c.Lock(LockManual); err != nil {
			t.Fatal(err)
		}
	}
	// Give SQLite no chance to hold text only in memory: the files are
	// scanned after every profile is locked and closed.
	time.Sleep(100 * time.Millisecond)
	for _, f := range scanForSecrets(t, []string{tmp, home}, secrets) {
		t.Errorf("found on disk: %s", f)
	}
}
