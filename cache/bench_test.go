package cache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"securemail/cache/internal/mailgen"
)

// plainSealer replaces sealing with an identity copy, for the unsealed
// side of the insert benchmark only. Index tags stay keyed hashes.
type plainSealer struct{ *keySet }

func (plainSealer) seal(_, _ string, _, plaintext []byte) ([]byte, error) {
	return bytes.Clone(plaintext), nil
}

func (plainSealer) open(_, _ string, _, sealed []byte) ([]byte, error) {
	return bytes.Clone(sealed), nil
}

func benchStore(b *testing.B, dir string, sealed bool) *Store {
	b.Helper()
	ks, err := newKeySet(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		b.Fatal(err)
	}
	var keys sealer = ks
	if !sealed {
		keys = plainSealer{ks}
	}
	s := &Store{}
	if err := s.attach(filepath.Join(dir, "cache.db"), keys); err != nil {
		b.Fatal(err)
	}
	return s
}

// benchSize reads a corpus size from the environment, so a quick run can
// use fewer messages than the recorded figures.
func benchSize(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkInsert stores 10,000 synthetic messages one transaction each,
// as sync does for new mail, sealed and with sealing swapped for an
// identity copy.
func BenchmarkInsert(b *testing.B) {
	n := benchSize("CACHE_BENCH_INSERT", 10000)
	gen := mailgen.New(1)
	raws := make([][]byte, n)
	dates := make([]time.Time, n)
	for i := range raws {
		raws[i], dates[i] = gen.Message(i)
	}
	for _, sealed := range []bool{true, false} {
		name := "sealed"
		if !sealed {
			name = "unsealed"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := benchStore(b, b.TempDir(), sealed)
				b.StartTimer()
				for i, raw := range raws {
					m := &Message{Account: "a", Folder: "INBOX", UID: uint32(i + 1), Date: dates[i], Size: int64(len(raw)), Raw: raw}
					if err := s.PutMessage(m); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				s.detach()
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

var (
	searchCorpusOnce sync.Once
	searchCorpus     *Store
	searchCorpusErr  error
)

// loadSearchCorpus fills one sealed store with the synthetic corpus for
// every search benchmark of the run, in batches of 1,000 per
// transaction.
func loadSearchCorpus(b *testing.B) *Store {
	searchCorpusOnce.Do(func() {
		n := benchSize("CACHE_BENCH_SEARCH", 100000)
		dir, err := os.MkdirTemp("", "cache-bench-")
		if err != nil {
			searchCorpusErr = err
			return
		}
		s := benchStore(b, dir, true)
		gen := mailgen.New(1)
		start := time.Now()
		for i := 0; i < n; i += 1000 {
			batch := make([]*Message, 0, 1000)
			for j := i; j < min(i+1000, n); j++ {
				raw, date := gen.Message(j)
				batch = append(batch, &Message{Account: "a", Folder: "INBOX", UID: uint32(j + 1), Date: date, Size: int64(len(raw)), Raw: raw})
			}
			if err := s.PutMessages(batch); err != nil {
				searchCorpusErr = err
				return
			}
		}
		fi, _ := os.Stat(filepath.Join(dir, "cache.db"))
		fmt.Fprintf(os.Stderr, "search corpus: %d messages loaded in %v, database %d MiB\n", n, time.Since(start).Round(time.Second), fi.Size()>>20)
		searchCorpus = s
	})
	if searchCorpusErr != nil {
		b.Fatal(searchCorpusErr)
	}
	return searchCorpus
}

// BenchmarkSearch runs each benchmark query for one page of 50 results
// over the corpus and reports the median and 95th percentile latency per
// query, including opening the 50 sealed summaries.
func BenchmarkSearch(b *testing.B) {
	q := mailgen.New(1).BenchQueries()
	kinds := []struct {
		name    string
		queries []Query
	}{
		{"word", mapQueries(q.Words, func(w string) Query { return Query{Words: []string{w}} })},
		{"prefix", mapQueries(q.Prefixes, func(p string) Query { return Query{Prefixes: []string{p}} })},
		{"sender", mapQueries(q.Senders, func(a string) Query { return Query{From: a} })},
	}
	for _, kind := range kinds {
		b.Run(kind.name, func(b *testing.B) {
			s := loadSearchCorpus(b)
			var durations []time.Duration
			hits := 0
			for b.Loop() {
				for _, query := range kind.queries {
					query.Limit = 50
					start := time.Now()
					res, err := s.Search(query)
					durations = append(durations, time.Since(start))
					if err != nil {
						b.Fatal(err)
					}
					hits += len(res)
				}
			}
			if hits == 0 {
				b.Fatal("no query matched anything")
			}
			slices.Sort(durations)
			b.ReportMetric(ms(durations[len(durations)/2]), "median-ms")
			b.ReportMetric(ms(durations[len(durations)*95/100]), "p95-ms")
			b.ReportMetric(float64(hits)/float64(len(durations)), "hits/query")
		})
	}
}

func mapQueries(terms []string, f func(string) Query) []Query {
	out := make([]Query, len(terms))
	for i, t := range terms {
		out[i] = f(t)
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkUnlock measures Unlock with DefaultKDF (64 MiB, 3 passes,
// 4 threads) and a memory keyring, so it is the key derivation plus
// opening the database.
func BenchmarkUnlock(b *testing.B) {
	kr := newMemKeyring()
	opts := Options{Keyring: kr}
	v, err := Create(filepath.Join(b.TempDir(), "p"), "bench", []byte("benchmark passphrase"), ModeDeviceSecret, opts)
	if err != nil {
		b.Fatal(err)
	}
	v.Lock()
	for b.Loop() {
		if err := v.Unlock([]byte("benchmark passphrase")); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		v.Lock()
		b.StartTimer()
	}
}

// BenchmarkSetFlags changes the flags of cached messages of two sizes.
// SQLite writes a changed row whole, so the message bytes live in a
// table of their own and the time must not grow with the message size.
func BenchmarkSetFlags(b *testing.B) {
	for _, size := range []int{2 << 10, 10 << 20} {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			s := benchStore(b, b.TempDir(), true)
			defer s.detach()
			raw := []byte("From: lab@lab.example\r\nSubject: result\r\nDate: Mon, 02 Jan 2006 15:04:05 +0000\r\n\r\n" +
				strings.Repeat("Result line of plain text.\r\n", size/28))
			const messages = 20
			for i := range messages {
				m := &Message{Account: "a", Folder: "INBOX", UIDValidity: 1, UID: uint32(i + 1), Size: int64(len(raw)), Raw: raw}
				if err := s.PutMessage(m); err != nil {
					b.Fatal(err)
				}
			}
			i := 0
			for b.Loop() {
				flags := []string{`\Seen`}
				if i%(2*messages) >= messages {
					flags = nil
				}
				if err := s.SetFlags("a", "INBOX", uint32(i%messages+1), flags, uint64(i+1)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
