package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

func TestRedactingHandlerHidesAddresses(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(newRedactingHandler(slog.NewTextHandler(&out, nil)))
	syncErr := fmt.Errorf("account Dr.Rivera@clinic.example: %w", errors.New("connection refused"))

	log.With("account", "dr.rivera@clinic.example").Error("sync failed for dr.rivera@clinic.example",
		"error", syncErr,
		"recipients", []string{"lab@lab.example"},
		slog.Group("server", "user", "admin@clinic.example"),
		"count", 3)

	got := out.String()
	if strings.Contains(got, "@") {
		t.Errorf("log line still contains an address:\n%s", got)
	}
	hashes := regexp.MustCompile(`address-[0-9a-f]{8}`).FindAllString(got, -1)
	if len(hashes) != 5 {
		t.Fatalf("found %d hashed addresses, want 5:\n%s", len(hashes), got)
	}
	// Rivera's address appears three times, in two spellings.
	if hashes[0] != hashes[1] || hashes[1] != hashes[2] {
		t.Errorf("one address got different hashes: %v", hashes[:3])
	}
	if hashes[3] == hashes[0] || hashes[4] == hashes[0] {
		t.Errorf("different addresses got the same hash: %v", hashes)
	}
	for _, want := range []string{"connection refused", "count=3", "level=ERROR"} {
		if !strings.Contains(got, want) {
			t.Errorf("log line lost %q:\n%s", want, got)
		}
	}
}

func TestRedactingHandlerKeysDifferPerProcess(t *testing.T) {
	a := newRedactingHandler(slog.DiscardHandler).redact("lab@lab.example")
	b := newRedactingHandler(slog.DiscardHandler).redact("lab@lab.example")
	if a == b {
		t.Errorf("two handlers hashed one address to the same %s, so the key is not random", a)
	}
}

func TestRedactLeavesTextWithoutAddresses(t *testing.T) {
	h := newRedactingHandler(slog.DiscardHandler)
	for _, s := range []string{"", "sync finished", "dial tcp 127.0.0.1:993: connection refused", "user@ alone"} {
		if got := h.redact(s); got != s {
			t.Errorf("redact(%q) = %q, want it unchanged", s, got)
		}
	}
}
