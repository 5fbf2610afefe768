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
	benchFolder   = "bench10k-mix"
	benchMessages = 10000
)

// benchMessage returns message i of the benchmark mailbox. The size mix
// is an estimate for a clinic, not a measured one. 75 % are short notes
// (2 to 10 KB of text) and 20 % longer letters (10 to 60 KB). 4.5 % carry
// a PDF attachment (100 to 300 KB) and 0.5 % a 1 MB scan. One in ten is
// OpenPGP/MIME encrypted.
// Text is drawn from a small vocabulary, attachments are random bytes.
func benchMessage(i int) []byte {
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	textSize, attachSize := 0, 0
	switch p := rng.IntN(1000); {
	case p < 750:
		textSize = 2000 + rng.IntN(8000)
	case p < 950:
		textSize = 10000 + rng.IntN(50000)
	case p < 995:
		textSize, attachSize = 1500, 100000+rng.IntN(200000)
	default:
		textSize, attachSize = 800, 1<<20
	}

	header := fmt.Sprintf("From: Lab <lab@lab.test>\r\nTo: %s\r\nSubject: Result %d\r\n"+
		"Date: %s\r\nMessage-ID: <bench-%d@lab.test>\r\nMIME-Version: 1.0\r\n",
		benchUser, i, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z), i)
	if i%10 == 0 {
		return []byte(header + "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b\"\r\n\r\n" +
			"--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n" +
			"--b\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\n" +
			randomBase64(rng, (textSize+attachSize)*3/4) + "\r\n-----END PGP MESSAGE-----\r\n--b--\r\n")
	}
	text := benchText(rng, textSize)
	if attachSize == 0 {
		return []byte(header + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text)
	}
	return []byte(header + "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n" +
		"--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text +
		"--m\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + randomBase64(rng, attachSize*3/4) + "\r\n--m--\r\n")
}

var benchWords = strings.Fields(`patient result sample blood count normal range follow
	up clinic appointment referral letter discharge summary medication dose daily
	review plan history examination report laboratory glucose sodium potassium
	creatinine urine culture negative positive pending signed doctor nurse ward
	please call regards thanks week morning afternoon today tomorrow scan image`)

// benchText returns lines of vocabulary words, about size bytes long.
func benchText(rng *rand.Rand, size int) string {
	var b strings.Builder
	for b.Len() < size {
		line := 0
		for line < 70 {
			w := benchWords[rng.IntN(len(benchWords))]
			b.WriteString(w)
			b.WriteByte(' ')
			line += len(w) + 1
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

// randomBase64 returns n random bytes in base64, wrapped at 76 columns.
func randomBase64(rng *rand.Rand, n int) string {
	raw := make([]byte, n)
	for j := range raw {
		raw[j] = byte(rng.Uint32())
	}
	encoded := base64.StdEncoding.EncodeToString(raw)
	var lines []string
	for len(encoded) > 76 {
		lines = append(lines, encoded[:76])
		encoded = encoded[76:]
	}
	return strings.Join(append(lines, encoded), "\r\n")
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
