package ui

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"securemail/account"
	"securemail/cache"
	"securemail/client"
	"securemail/policy"
)

// benchMessages is the cache size the GUI must stay smooth with.
const benchMessages = 100_000

// benchPassphrase unlocks the benchmark profile. scripts/bench-gui types
// it into the real client's unlock screen.
const benchPassphrase = "benchmark passphrase"

// benchAccount is the one account of the benchmark profile. Its servers
// are port 9 on 127.0.0.1, where nothing listens on the benchmark
// machine, so a sync started by the real client fails at once and sends
// nothing beyond loopback.
var benchAccount = client.Account{
	Address: "bench@clinic.example",
	IMAP:    account.Endpoint{Host: "127.0.0.1", Port: 9, Security: account.ImplicitTLS},
	SMTP:    account.Endpoint{Host: "127.0.0.1", Port: 9, Security: account.ImplicitTLS},
}

// bigProfile creates a profile whose INBOX holds n cached messages and
// returns the client unlocked. Filling the cache takes a minute or more,
// which is why this lives in a benchmark and not in a test. When the
// environment variable SECUREMAIL_BENCH_DIR names a folder, the profile
// is kept in its subfolder gui-profile-N and reused by later runs, and
// scripts/bench-gui opens it with the real client. It holds invented
// messages only, and it uses the passphrase-only mode so that no keyring
// entry outlives the run. The profile has the default profile name so
// that `securemail --profile DIR` opens it.
func bigProfile(b *testing.B, n int) *client.Client {
	b.Helper()
	eff, _ := policy.Load(policy.Locations{})
	if err := eff.Set("vault.passphraseOnlyAllowed", true, policy.SourceUser); err != nil {
		b.Fatal(err)
	}
	dir := os.Getenv("SECUREMAIL_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else {
		dir = filepath.Join(dir, fmt.Sprintf("gui-profile-%d", n))
	}
	opts := client.WithKDF(client.Options{Dir: dir, Policy: eff, NoDiscovery: true}, e2eKDF)
	pass := []byte(benchPassphrase)
	if client.Exists(dir) {
		return openBig(b, opts, pass)
	}

	c, err := client.Create(opts, pass, true)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.AddAccount(benchAccount, "unused password"); err != nil {
		b.Fatal(err)
	}
	if err := c.Lock("filling the cache"); err != nil {
		b.Fatal(err)
	}

	v, err := cache.Open(dir, client.DefaultProfileName, cache.Options{AllowPassphraseOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := v.Unlock(pass); err != nil {
		b.Fatal(err)
	}
	store := v.Store()
	acct := benchAccount.Address
	if err := store.PutFolder(cache.Folder{Account: acct, Name: "INBOX", Role: "inbox", UIDValidity: 1}); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch []*cache.Message
	for i := range n {
		date := start.Add(time.Duration(i) * time.Minute)
		raw := fmt.Sprintf("From: Lab %d <lab%d@lab.example>\r\nTo: %s\r\nSubject: Result %d\r\n"+
			"Date: %s\r\nMessage-ID: <m%d@lab.example>\r\n\r\nResult text %d.\r\n",
			i%97, i%97, acct, i, date.Format(time.RFC1123Z), i, i)
		batch = append(batch, &cache.Message{Account: acct, Folder: "INBOX", UIDValidity: 1, UID: uint32(i + 1),
			Date: date, Size: int64(len(raw)), Raw: []byte(raw)})
		if len(batch) == 1000 || i == n-1 {
			if err := store.PutMessages(batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := v.Lock(); err != nil {
		b.Fatal(err)
	}

	return openBig(b, opts, pass)
}

func openBig(b *testing.B, opts client.Options, pass []byte) *client.Client {
	c, err := client.Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Unlock(pass); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Lock("benchmark over") })
	return c
}

// BenchmarkMainWindowFirstPaint measures the time from building the
// shell over an unlocked profile with 100,000 cached messages to its
// first painted frame, on the Fyne software renderer. As in the running
// client, the folders load in the background, so the first frame shows
// the window with empty lists. Compare with
// BenchmarkMinimalWindowFirstPaint.
func BenchmarkMainWindowFirstPaint(b *testing.B) {
	c := bigProfile(b, benchMessages)
	adapter := WrapClient(c)
	a := test.NewTempApp(b)

	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		// The test driver runs fyne.Do on the calling goroutine, so the
		// background loads are queued and run after the first frame
		// instead of on a goroutine that would race with the painting.
		var queued []func()
		s := NewShell(a, adapter, Options{})
		s.background = func(f func()) { queued = append(queued, f) }
		s.win.Resize(fyne.NewSize(1200, 760))
		s.Start()
		s.win.Canvas().Capture()

		b.StopTimer()
		for len(queued) > 0 {
			f := queued[0]
			queued = queued[1:]
			f()
		}
		s.win.Close()
		b.StartTimer()
	}
	b.StopTimer()
	reportCPU(b, cpu)
	b.ReportMetric(residentMB(b), "MB-rss")
}

// BenchmarkMainWindowInboxPaint measures the time from building the
// shell to a painted frame that lists the INBOX's newest messages, with
// 100,000 messages in the cache.
func BenchmarkMainWindowInboxPaint(b *testing.B) {
	c := bigProfile(b, benchMessages)
	adapter := WrapClient(c)
	a := test.NewTempApp(b)

	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		s := NewShell(a, adapter, Options{})
		s.background = func(f func()) { f() }
		s.win.Resize(fyne.NewSize(1200, 760))
		s.Start()
		if s.mail == nil || s.mail.rowCount != benchMessages {
			b.Fatalf("main window lists %d messages, want %d", s.mail.rowCount, benchMessages)
		}
		s.win.Canvas().Capture()
		s.win.Close()
	}
	b.StopTimer()
	reportCPU(b, cpu)
	b.ReportMetric(residentMB(b), "MB-rss")
}

// BenchmarkMinimalWindowFirstPaint is the yardstick: a window with one
// label, built and painted the same way.
func BenchmarkMinimalWindowFirstPaint(b *testing.B) {
	a := test.NewTempApp(b)
	cpu := processCPU()
	for b.Loop() {
		w := a.NewWindow("Minimal")
		w.SetContent(widget.NewLabel("Hello"))
		w.Resize(fyne.NewSize(1200, 760))
		w.Canvas().Capture()
		w.Close()
	}
	b.StopTimer()
	reportCPU(b, cpu)
	b.ReportMetric(residentMB(b), "MB-rss")
}

// reportCPU reports the process's CPU time per window since start, in
// milliseconds. In the first-frame benchmark it includes the untimed
// background loads.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// residentMB returns the process's resident set size in MB from
// /proc/self/status (Linux only; 0 elsewhere).
func residentMB(b *testing.B) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				b.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	return 0
}
