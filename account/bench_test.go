package account

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"securemail/internal/testenv"
)

// The benchmark mailbox: benchFolder of benchUser on the test stack,
// filled once with benchMessages messages of a mixed size.
const (
	benchUser     = "spare8@lab.test"
	benchFolder   = "bench10k"
	benchMessages = 10000
)

// benchMessage returns message i of the benchmark mailbox. Sizes follow
// a mix typical of clinical mail: 75 % short notes (2 to 10 KB), 20 %
// longer letters (10 to 60 KB), 4.5 % with attachments (100 to 300 KB),
// 0.5 % large scans (1 MB). One in ten is OpenPGP/MIME encrypted.
func benchMessage(i int) []byte {
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	var size int
	switch p := rng.IntN(1000); {
	case p < 750:
		size = 2000 + rng.IntN(8000)
	case p < 950:
		size = 10000 + rng.IntN(50000)
	case p < 995:
		size = 100000 + rng.IntN(200000)
	default:
		size = 1 << 20
	}
	filler := make([]byte, size*3/4)
	for j := range filler {
		filler[j] = byte(rng.Uint32())
	}
	body := base64.StdEncoding.EncodeToString(filler)
	var lines []string
	for len(body) > 76 {
		lines = append(lines, body[:76])
		body = body[76:]
	}
	lines = append(lines, body)
	wrapped := strings.Join(lines, "\r\n")

	header := fmt.Sprintf("From: Lab <lab@lab.test>\r\nTo: %s\r\nSubject: Result %d\r\n"+
		"Date: %s\r\nMessage-ID: <bench-%d@lab.test>\r\nMIME-Version: 1.0\r\n",
		benchUser, i, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z), i)
	if i%10 == 0 {
		return []byte(header + "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b\"\r\n\r\n" +
			"--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n" +
			"--b\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\n" +
			wrapped + "\r\n-----END PGP MESSAGE-----\r\n--b--\r\n")
	}
	return []byte(header + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + wrapped + "\r\n")
}

// fillBenchFolder appends the messages the folder still lacks, so the
// mailbox is built once per stack.
func fillBenchFolder(b *testing.B, cfg *Config, cred Credentials) {
	b.Helper()
	ctx := context.Background()
	client, err := DialIMAP(ctx, cfg, cred, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	client.Create(benchFolder, nil).Wait() // fails harmlessly when it exists
	data, err := client.Select(benchFolder, nil).Wait()
	if err != nil {
		b.Fatal(err)
	}
	for i := int(data.NumMessages); i < benchMessages; i++ {
		raw := benchMessage(i)
		cmd := client.Append(benchFolder, int64(len(raw)), &imap.AppendOptions{})
		cmd.Write(raw)
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			b.Fatalf("append message %d: %v", i, err)
		}
	}
}

// BenchmarkFirstSync measures a first full sync of the 10,000-message
// folder from Dovecot over TLS into an empty store: the sealed SQLite
// store (cache) and the in-memory test store (mem), which shows the cost
// of IMAP alone.
func BenchmarkFirstSync(b *testing.B) {
	st := testenv.Stack(b)
	user := st.User(b, benchUser)
	cfg := stackConfig(st, user, ImplicitTLS, ImplicitTLS)
	cred := Password(user.Password)
	fillBenchFolder(b, cfg, cred)

	b.Run("cache", func(b *testing.B) {
		for b.Loop() {
			store := newCacheStore(b, b.TempDir())
			benchSync(b, cfg, cred, store)
			states, err := store.UIDStates(cfg.ID, benchFolder)
			if err != nil || len(states) != benchMessages {
				b.Fatalf("stored %d messages (%v), want %d", len(states), err, benchMessages)
			}
		}
	})
	b.Run("mem", func(b *testing.B) {
		for b.Loop() {
			store := newMemStore()
			benchSync(b, cfg, cred, store)
			if n := len(store.messages(cfg.ID, benchFolder)); n != benchMessages {
				b.Fatalf("stored %d messages, want %d", n, benchMessages)
			}
		}
	})
}

func benchSync(b *testing.B, cfg *Config, cred Credentials, store Store) {
	s := NewSyncer(cfg, cred, store)
	defer s.Close()
	report, err := s.SyncFolder(context.Background(), benchFolder, nil)
	if err != nil || report.Err() != nil {
		b.Fatalf("sync: %v %v", err, report.Err())
	}
	b.ReportMetric(float64(report.Bytes)/1e6, "MB/op")
}
