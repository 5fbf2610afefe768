package cache

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
)

// referenceTag is the blind-index tag computed with a fresh HMAC, as the
// store computed it before it reused HMACs. Tags already on disk depend
// on this exact construction.
func referenceTag(key []byte, domain string, value []byte) int64 {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(domain))
	mac.Write([]byte{0})
	mac.Write(value)
	return int64(binary.BigEndian.Uint64(mac.Sum(nil)))
}

func TestTagMatchesFreshHMAC(t *testing.T) {
	ks, err := newKeySet(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Clone(ks.indexKey)
	cases := []struct{ domain, value string }{
		{domainWord, "fever"},
		{domainWord, ""},
		{domainPrefix, "fev"},
		{domainFrom, "alice@example.org"},
		{domainWord, string(bytes.Repeat([]byte("long"), 100))},
		{domainWord, "fever"}, // again, from a reused HMAC
	}
	for _, c := range cases {
		got := ks.tag(c.domain, []byte(c.value))
		want := referenceTag(key, c.domain, []byte(c.value))
		if got != want {
			t.Errorf("tag(%q, %.20q) = %x, want %x", c.domain, c.value, got, want)
		}
	}
}

func TestTagConcurrentUse(t *testing.T) {
	ks, err := newKeySet(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Clone(ks.indexKey)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				v := []byte(fmt.Sprintf("word%d-%d", g, i))
				if got, want := ks.tag(domainWord, v), referenceTag(key, domainWord, v); got != want {
					errs <- fmt.Sprintf("tag of %s = %x, want %x", v, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestTagAfterWipe(t *testing.T) {
	ks, err := newKeySet(bytes.Repeat([]byte{5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	before := ks.tag(domainWord, []byte("fever"))
	ks.wipe()
	after := ks.tag(domainWord, []byte("fever"))
	if after == before {
		t.Error("tag after wipe equals the tag under the index key")
	}
	if want := referenceTag(nil, domainWord, []byte("fever")); after != want {
		t.Errorf("tag after wipe = %x, want the nil-key tag %x", after, want)
	}
}
