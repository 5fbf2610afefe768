package account

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"securemail/cache"
	"securemail/internal/testenv"
)

// The kill tests run part of the work in a child process, which is this
// test binary again with the environment selecting the child's role. They
// kill the child with SIGKILL at a chosen point. The parent then finishes
// the work from the store the child left on disk.
const (
	envChild      = "SECUREMAIL_ACCOUNT_CHILD"
	envChildStore = "SECUREMAIL_ACCOUNT_CHILD_STORE"
	envChildArg   = "SECUREMAIL_ACCOUNT_CHILD_ARG"
)

// TestKillChild is the child's entry point; it does nothing in a normal
// run.
func TestKillChild(t *testing.T) {
	mode := os.Getenv(envChild)
	if mode == "" {
		t.Skip("helper for the kill tests; runs only as their child process")
	}
	st := testenv.Stack(t)
	store, err := openMemStore(os.Getenv(envChildStore))
	if err != nil {
		t.Fatal(err)
	}
	arg := os.Getenv(envChildArg)
	switch mode {
	case "sync":
		user := st.User(t, stackSyncUser)
		cfg := stackConfig(st, user, ImplicitTLS, ImplicitTLS)
		s := NewSyncer(cfg, Password(user.Password), store)
		s.SyncFolder(context.Background(), arg, func(p Progress) {
			fmt.Printf("progress %d\n", p.Messages)
		})
		fmt.Println("finished")
	case "send":
		user := st.User(t, stackSender)
		cfg := stackConfig(st, user, StartTLS, StartTLS)
		s := NewSyncer(cfg, Password(user.Password), store)
		o := NewOutbox(cfg, Password(user.Password), store, s)
		o.hook = func(point string) {
			fmt.Printf("at %s\n", point)
			if point == arg {
				time.Sleep(time.Minute) // wait to be killed
			}
		}
		o.Flush(context.Background())
		fmt.Println("finished")
	}
}

// runChildUntil starts the child and kills it once a line of its output
// satisfies stop. It fails when the child ends first.
func runChildUntil(t *testing.T, mode, storePath, arg string, stop func(line string) bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), envChild+"="+mode, envChildStore+"="+storePath, envChildArg+"="+arg)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		line := lines.Text()
		if line == "finished" {
			cmd.Process.Kill()
			t.Fatal("child finished before the kill point; the test proves nothing")
		}
		if stop(line) {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	cmd.Process.Kill()
	t.Fatalf("child ended without reaching the kill point: %v", lines.Err())
}

func TestStackKilledDuringSync(t *testing.T) {
	f := newSyncFixture(t, ImplicitTLS)
	cfg, cred, folder, other := f.cfg, f.cred, f.folder, f.other
	const n = 60
	f.fill(t, n, "k", func(i int) int { return (i % 6) * 3000 })

	for _, killAt := range []int{n / 2, n + n/3} { // during headers, during bodies
		t.Run(strconv.Itoa(killAt), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store.gob")
			runChildUntil(t, "sync", path, folder, func(line string) bool {
				done, _ := strconv.Atoi(strings.TrimPrefix(line, "progress "))
				return done >= killAt
			})
			store, err := openMemStore(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(store.Data.Messages) == 0 {
				t.Fatal("the child stored nothing before it was killed")
			}
			s := NewSyncer(cfg, cred, store)
			defer s.Close()
			mustSyncFolder(t, s, folder)
			assertConverged(t, other, store, cfg.ID, folder)
			if store.Data.Puts != 2*n {
				t.Errorf("store received %d messages over both processes, want %d", store.Data.Puts, 2*n)
			}
		})
	}
}

func TestStackKilledDuringSend(t *testing.T) {
	st := testenv.Stack(t)
	sender, receiver := st.User(t, stackSender), st.User(t, stackReceiver)
	sendCfg := stackConfig(st, sender, StartTLS, StartTLS)
	recvCfg := stackConfig(st, receiver, ImplicitTLS, ImplicitTLS)
	recvClient, err := DialIMAP(testContext(t), recvCfg, Password(receiver.Password), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer recvClient.Close()

	// At "before-end" the item is marked Submitting but the server has
	// not seen the end of DATA, so nothing arrives and the item waits
	// for the user, who sends it again.
	for _, point := range []string{"before-data", "before-end", "after-data", "after-sent-copy"} {
		t.Run(point, func(t *testing.T) {
			token := "kill-" + uniqueID(t)
			id := "<" + token + "@clinic.test>"
			raw := stackMessage(sender.Address, receiver.Address, token, 1000)
			path := filepath.Join(t.TempDir(), "store.gob")
			store, err := openMemStore(path)
			if err != nil {
				t.Fatal(err)
			}
			it := &cache.OutboxItem{MessageID: id, From: sender.Address, Recipients: []string{receiver.Address}, Raw: raw, SentCopy: raw, Account: sendCfg.ID}
			if err := NewOutbox(sendCfg, Password(sender.Password), store, nil).Enqueue(it); err != nil {
				t.Fatal(err)
			}

			runChildUntil(t, "send", path, point, func(line string) bool { return line == "at "+point })

			store, err = openMemStore(path)
			if err != nil {
				t.Fatal(err)
			}
			s := NewSyncer(sendCfg, Password(sender.Password), store)
			defer s.Close()
			o := NewOutbox(sendCfg, Password(sender.Password), store, s)
			// Postfix and Dovecot do not file submitted mail in Sent, so
			// the check looks on the recipient side, as a clinic's own
			// domain allows.
			o.Delivered = func(ctx context.Context, it *cache.OutboxItem) (bool, error) {
				n, err := waitCount(recvClient, "INBOX", it.MessageID, 3*time.Second)
				return n > 0, err
			}
			err = o.Flush(testContext(t))
			if point == "before-end" {
				if !errors.Is(err, ErrUncertain) {
					t.Fatalf("Flush after a kill before the end of DATA: %v, want ErrUncertain", err)
				}
				if n, err := countMessageID(recvClient, "INBOX", id); err != nil || n != 0 {
					t.Fatalf("receiver has %d copies (%v) of a message whose DATA never ended", n, err)
				}
				if err := o.SendAgain(it.ID); err != nil {
					t.Fatal(err)
				}
				err = o.Flush(testContext(t))
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := store.OutboxGet(it.ID); got.State != cache.OutboxDone {
				t.Fatalf("outbox state %v (%s), want Done", got.State, got.LastError)
			}

			if n, err := waitCount(recvClient, "INBOX", id, 10*time.Second); err != nil || n != 1 {
				t.Errorf("receiver has %d copies (%v), want exactly 1", n, err)
			}
			sentClient, err := DialIMAP(testContext(t), sendCfg, Password(sender.Password), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer sentClient.Close()
			if n, err := countMessageID(sentClient, "Sent", id); err != nil || n != 1 {
				t.Errorf("Sent has %d copies (%v), want exactly 1", n, err)
			}
		})
	}
}

// waitCount polls a folder until a message with the Message-ID is there
// or the wait ends, because delivery through Postfix takes a moment.
func waitCount(client *imapclient.Client, folder, messageID string, wait time.Duration) (int, error) {
	deadline := time.Now().Add(wait)
	for {
		n, err := countMessageID(client, folder, messageID)
		if err != nil || n > 0 || time.Now().After(deadline) {
			// Give a duplicate in flight time to arrive too.
			if n > 0 {
				time.Sleep(500 * time.Millisecond)
				n, err = countMessageID(client, folder, messageID)
			}
			return n, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func countMessageID(client *imapclient.Client, folder, messageID string) (int, error) {
	if _, err := client.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return 0, err
	}
	data, err := client.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: messageID}}}, nil).Wait()
	if err != nil {
		return 0, err
	}
	set, _ := data.All.(imap.UIDSet)
	uids, _ := set.Nums()
	return len(uids), nil
}
