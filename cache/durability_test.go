package cache

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// smallFSEnv names a directory on a small file system (for example a
// 2 MiB tmpfs mounted by hand) for a disk-full test that fills a real
// disk. Without it the test caps the database with max_page_count, which
// gives SQLite the same SQLITE_FULL result through its own size limit.
const smallFSEnv = "SECUREMAIL_SMALL_FS"

// incompressibleMail returns a message of about size bytes whose body is
// random hex, so no file system can store it smaller.
func incompressibleMail(uid uint32, size int) []byte {
	body := make([]byte, size/2)
	rand.Read(body)
	return buildMail(mailOptions{Subject: fmt.Sprint("filler ", uid), Body: hex.EncodeToString(body), MessageID: fmt.Sprintf("<fill%d@x>", uid)})
}

func TestDiskFullDuringWrite(t *testing.T) {
	root := t.TempDir()
	smallFS := os.Getenv(smallFSEnv)
	if smallFS != "" {
		root = filepath.Join(smallFS, fmt.Sprintf("diskfull-%d", os.Getpid()))
		t.Cleanup(func() { os.RemoveAll(root) })
	}
	kr := newMemKeyring()
	v, err := Create(filepath.Join(root, "profile"), "default", []byte("pw"), ModeDeviceSecret, testOptions(kr))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Lock()
	s := v.Store()
	if smallFS == "" {
		s.db.SetMaxOpenConns(1)
		var pages int
		s.db.QueryRow("PRAGMA page_count").Scan(&pages)
		if _, err := s.db.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages+60)); err != nil {
			t.Fatal(err)
		}
	}

	stored := map[int64][]byte{}
	var failedUID uint32
	for uid := uint32(1); uid < 5000; uid++ {
		raw := incompressibleMail(uid, 20000)
		m := &Message{Account: "a", Folder: "INBOX", UID: uid, Raw: raw}
		if err := s.PutMessage(m); err != nil {
			wantErr(t, err, ErrDiskFull)
			failedUID = uid
			break
		}
		stored[m.ID] = raw
	}
	if failedUID == 0 {
		t.Fatal("the disk never filled up")
	}
	if len(stored) == 0 {
		t.Fatal("not one message fitted before the disk was full")
	}
	t.Logf("disk full after %d messages (small file system: %v)", len(stored), smallFS != "")

	check := func(when string) {
		for id, raw := range stored {
			m, err := s.Message(id)
			if err != nil || !bytes.Equal(m.Raw, raw) {
				t.Fatalf("%s: message %d lost: %v", when, id, err)
			}
		}
		states, err := s.UIDStates("a", "INBOX")
		if err != nil || len(states) != len(stored) {
			t.Fatalf("%s: %d UIDs cached, expected %d: %v", when, len(states), len(stored), err)
		}
	}
	check("after the failed write")

	v.Lock()
	if err := v.Unlock([]byte("pw")); err != nil {
		t.Fatalf("unlock after a full disk: %v", err)
	}
	check("after lock and unlock")
}

// crashChildEnv carries the profile path and data key to the child of
// TestCrashDuringWrites.
const crashChildEnv = "SECUREMAIL_CACHE_CRASH"

// crashMail is the message with the given UID; parent and child build
// it alike so the parent can check what the child committed.
func crashMail(uid uint32) []byte {
	return buildMail(mailOptions{From: "sender@clinic.example", To: "r@lab.example", Subject: fmt.Sprintf("crash test %d", uid),
		Body: strings.Repeat(fmt.Sprintf("line %d of the message body\n", uid), 50), MessageID: fmt.Sprintf("<crash%d@x>", uid)})
}

// TestCrashChild is the writer that TestCrashDuringWrites kills. It only
// runs in the child process.
func TestCrashChild(t *testing.T) {
	spec := os.Getenv(crashChildEnv)
	if spec == "" {
		t.Skip("runs only as the child of TestCrashDuringWrites")
	}
	path, keyHex, _ := strings.Cut(spec, ";")
	key, _ := hex.DecodeString(keyHex)
	ks, err := newKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{}
	if err := s.attach(path, ks); err != nil {
		t.Fatal(err)
	}
	start, _ := strconv.Atoi(os.Getenv(crashChildEnv + "_START"))
	out := bufio.NewWriter(os.Stdout)
	for uid := uint32(start); ; uid++ {
		m := &Message{Account: "a", Folder: "INBOX", UID: uid, Raw: crashMail(uid)}
		if err := s.PutMessage(m); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AppendLog("audit", []byte(fmt.Sprint("stored ", uid))); err != nil {
			t.Fatal(err)
		}
		// Only now is the message committed; report it.
		fmt.Fprintf(out, "committed %d %d\n", uid, m.ID)
		out.Flush()
	}
}

// TestCrashDuringWrites kills a writing child process with SIGKILL at
// random points and checks after each kill that the cache opens and every
// message the child reported as committed is intact.
func TestCrashDuringWrites(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("parent only")
	}
	path := filepath.Join(t.TempDir(), "cache.db")
	key := make([]byte, 32)
	rand.Read(key)
	committed := map[uint32]int64{}
	nextUID := 1
	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 1))

	for round := 0; round < 6; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path+";"+hex.EncodeToString(key), crashChildEnv+"_START="+strconv.Itoa(nextUID))
		stdout, _ := cmd.StdoutPipe()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}

		// Kill after a random number of commits plus a random delay, so
		// the kill lands anywhere inside the next write.
		killAfter := 1 + rng.IntN(40)
		lines := bufio.NewScanner(stdout)
		n := 0
		for n < killAfter && lines.Scan() {
			var (
				uid uint32
				id  int64
			)
			if _, err := fmt.Sscanf(lines.Text(), "committed %d %d", &uid, &id); err == nil {
				committed[uid] = id
				nextUID = int(uid) + 1
				n++
			}
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		cmd.Process.Kill()
		for lines.Scan() { // commits reported before the kill still count
			var (
				uid uint32
				id  int64
			)
			if _, err := fmt.Sscanf(lines.Text(), "committed %d %d", &uid, &id); err == nil {
				committed[uid] = id
				nextUID = int(uid) + 1
			}
		}
		cmd.Wait()
		if n == 0 {
			t.Fatalf("round %d: child committed nothing:\n%s", round, stderr.String())
		}
		// The uncommitted message may or may not be there; the child's
		// next round rewrites its UID either way.
		nextUID++

		ks, _ := newKeySet(bytes.Clone(key))
		s := &Store{}
		if err := s.attach(path, ks); err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		var integrity string
		s.db.QueryRow("PRAGMA integrity_check").Scan(&integrity)
		if integrity != "ok" {
			t.Errorf("round %d: integrity_check = %q", round, integrity)
		}
		for uid, id := range committed {
			m, err := s.Message(id)
			if err != nil || m.UID != uid || !bytes.Equal(m.Raw, crashMail(uid)) {
				t.Fatalf("round %d: committed UID %d (id %d) damaged: %v", round, uid, id, err)
			}
		}
		if res, err := s.Search(Query{Words: []string{"crash"}}); err != nil || len(res) < len(committed) {
			t.Errorf("round %d: index finds %d of %d committed messages: %v", round, len(res), len(committed), err)
		}
		var last int64
		if err := s.ReadLog("audit", 1, func(seq int64, _ []byte) error {
			if seq != last+1 {
				return fmt.Errorf("log sequence jumps from %d to %d", last, seq)
			}
			last = seq
			return nil
		}); err != nil {
			t.Errorf("round %d: %v", round, err)
		}
		s.detach()
	}
	if len(committed) < 6 {
		t.Errorf("only %d commits in all rounds", len(committed))
	}
}
