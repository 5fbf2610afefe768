// Command mailgen writes the synthetic benchmark corpus to a Maildir and
// prints the benchmark queries, one "kind term" a line, for the notmuch
// comparison in scripts/bench-cache-notmuch.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"securemail/cache/internal/mailgen"
)

func main() {
	n := flag.Int("n", 100000, "number of messages to write")
	seed := flag.Uint64("seed", 1, "corpus seed; the Go benchmarks use 1")
	maildir := flag.String("maildir", "", "Maildir to create (required unless -queries-only)")
	queriesOnly := flag.Bool("queries-only", false, "print the queries and write no mail")
	flag.Parse()

	g := mailgen.New(*seed)
	q := g.BenchQueries()
	for _, w := range q.Words {
		fmt.Println("word", w)
	}
	for _, p := range q.Prefixes {
		fmt.Println("prefix", p)
	}
	for _, s := range q.Senders {
		fmt.Println("sender", s)
	}
	if *queriesOnly {
		return
	}
	if *maildir == "" {
		log.Fatal("mailgen: -maildir is required; pass the folder to create")
	}
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(*maildir, sub), 0o700); err != nil {
			log.Fatalf("mailgen: create Maildir: %v", err)
		}
	}
	for i := 0; i < *n; i++ {
		raw, _ := g.Message(i)
		name := filepath.Join(*maildir, "cur", fmt.Sprintf("%d.%d.mailgen:2,S", 1700000000+i, i))
		if err := os.WriteFile(name, raw, 0o600); err != nil {
			log.Fatalf("mailgen: write message %d: %v", i, err)
		}
	}
}
