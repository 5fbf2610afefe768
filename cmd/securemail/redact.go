package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// addressPattern matches e-mail addresses in log text. Errors from
// packages account and client name the account they concern, for
// example "account dr.rivera@clinic.example: failed to connect".
var addressPattern = regexp.MustCompile(`[^\s<>()\[\]"',;:@]+@[^\s<>()\[\]"',;:@]+`)

// redactingHandler replaces every e-mail address in a record's message
// and attributes (strings, errors and other values as %+v prints them)
// with a short keyed hash
// before the next handler writes it, because logs must carry no address.
// The key is random per process, so one address gets the same hash
// within a run and an unrelated one in the next run, and a list of
// candidate addresses cannot be hashed to find it.
type redactingHandler struct {
	next slog.Handler
	key  []byte
}

func newRedactingHandler(next slog.Handler) *redactingHandler {
	key := make([]byte, 32)
	// Since Go 1.24 crypto/rand.Read crashes the program instead of
	// returning an error.
	rand.Read(key)
	return &redactingHandler{next: next, key: key}
}

func (h *redactingHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	redacted := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		redacted[i] = h.redactAttr(a)
	}
	return &redactingHandler{next: h.next.WithAttrs(redacted), key: h.key}
}

func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{next: h.next.WithGroup(name), key: h.key}
}

func (h *redactingHandler) redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.redact(v.String()))
	case slog.KindGroup:
		group := v.Group()
		redacted := make([]any, len(group))
		for i, g := range group {
			redacted[i] = h.redactAttr(g)
		}
		return slog.Group(a.Key, redacted...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, h.redact(x.Error()))
		default:
			// The text handler prints other values with %+v too.
			return slog.String(a.Key, h.redact(fmt.Sprintf("%+v", x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// redact replaces each address in s with "address-" and the first 8 hex
// digits of its HMAC-SHA256 under the process key.
func (h *redactingHandler) redact(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return addressPattern.ReplaceAllStringFunc(s, func(address string) string {
		mac := hmac.New(sha256.New, h.key)
		mac.Write([]byte(strings.ToLower(address)))
		return "address-" + hex.EncodeToString(mac.Sum(nil)[:4])
	})
}
