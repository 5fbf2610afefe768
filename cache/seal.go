package cache

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"sync"

	"golang.org/x/crypto/hkdf"
)

// sealVersion is the first byte of every sealed value. A new layout gets
// a new version so old values stay readable.
const sealVersion = 1

const (
	nonceSize = 12
	tagSize   = 16
	// sealOverhead is the size a sealed value adds to its plaintext.
	sealOverhead = 1 + nonceSize + tagSize
)

// sealer seals and opens column values and computes blind-index tags. The
// store calls it for every value it writes or reads, so the benchmark can
// swap sealing for an identity transform on the same code path.
type sealer interface {
	seal(table, column string, row, plaintext []byte) ([]byte, error)
	open(table, column string, row, sealed []byte) ([]byte, error)
	// tag returns a keyed hash of domain and value for the blind index.
	tag(domain string, value []byte) int64
	wipe()
}

// keySet is the data key and the keys derived from it while the vault is
// unlocked. Each table and column gets its own AES-256-GCM key, derived
// with HKDF-SHA256 from the data key, so a value sealed for one column
// never opens under another column's key.
type keySet struct {
	mu       sync.Mutex
	dataKey  []byte
	indexKey []byte
	derived  [][]byte
	aeads    map[string]cipher.AEAD
	// tagMACs is a pool of *tagMAC keyed with indexKey. Building an HMAC
	// costs two SHA-256 blocks and several allocations for every indexed
	// word, so tag reuses them. It is nil once wiped.
	tagMACs *sync.Pool
}

// tagMAC is a reusable HMAC-SHA256 keyed with the index key, with scratch
// space for its input and output.
type tagMAC struct {
	mac   hash.Hash
	input []byte
	sum   [sha256.Size]byte
}

// newKeySet takes ownership of dataKey: wipe zeroes it.
func newKeySet(dataKey []byte) (*keySet, error) {
	if len(dataKey) != 32 {
		return nil, fmt.Errorf("cache: data key is %d bytes, expected 32", len(dataKey))
	}
	ks := &keySet{dataKey: dataKey, aeads: make(map[string]cipher.AEAD)}
	indexKey, err := ks.derive("securemail cache v1 blind index")
	if err != nil {
		return nil, err
	}
	ks.indexKey = indexKey
	ks.tagMACs = &sync.Pool{New: func() any {
		return &tagMAC{mac: hmac.New(sha256.New, indexKey)}
	}}
	return ks, nil
}

func (ks *keySet) derive(info string) ([]byte, error) {
	key := make([]byte, 32)
	r := hkdf.New(sha256.New, ks.dataKey, nil, []byte(info))
	if _, err := io.ReadFull(r, key); err != nil {
		return nil, fmt.Errorf("cache: derive key %q: %w", info, err)
	}
	ks.derived = append(ks.derived, key)
	return key, nil
}

func (ks *keySet) aead(table, column string) (cipher.AEAD, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()

	if ks.dataKey == nil {
		return nil, ErrLocked
	}
	name := table + "." + column
	if a, ok := ks.aeads[name]; ok {
		return a, nil
	}
	key, err := ks.derive("securemail cache v1 column " + name)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cache: create cipher for %s: %w", name, err)
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("cache: create GCM for %s: %w", name, err)
	}
	ks.aeads[name] = a
	return a, nil
}

// associatedData binds a sealed value to its table, column and row.
func associatedData(table, column string, row []byte) []byte {
	ad := make([]byte, 0, len(table)+len(column)+len(row)+2)
	ad = append(ad, table...)
	ad = append(ad, 0)
	ad = append(ad, column...)
	ad = append(ad, 0)
	return append(ad, row...)
}

func (ks *keySet) seal(table, column string, row, plaintext []byte) ([]byte, error) {
	a, err := ks.aead(table, column)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+nonceSize, sealOverhead+len(plaintext))
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+nonceSize]); err != nil {
		return nil, fmt.Errorf("cache: read nonce: %w", err)
	}
	return a.Seal(out, out[1:1+nonceSize], plaintext, associatedData(table, column, row)), nil
}

func (ks *keySet) open(table, column string, row, sealed []byte) ([]byte, error) {
	if len(sealed) < sealOverhead || sealed[0] != sealVersion {
		return nil, &CorruptError{Table: table, Column: column, Row: row}
	}
	a, err := ks.aead(table, column)
	if err != nil {
		return nil, err
	}
	plain, err := a.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], associatedData(table, column, row))
	if err != nil {
		return nil, &CorruptError{Table: table, Column: column, Row: row}
	}
	return plain, nil
}

// tag computes HMAC-SHA256(indexKey, domain || 0 || value) and returns
// its first 8 bytes as a big-endian integer.
func (ks *keySet) tag(domain string, value []byte) int64 {
	ks.mu.Lock()
	key, pool := ks.indexKey, ks.tagMACs
	ks.mu.Unlock()

	if pool == nil {
		// Wiped: key is nil, so the tag matches no stored tag.
		return (&tagMAC{mac: hmac.New(sha256.New, key)}).compute(domain, value)
	}
	t := pool.Get().(*tagMAC)
	t.mac.Reset()
	tag := t.compute(domain, value)
	pool.Put(t)
	return tag
}

// compute writes domain, a zero byte and value to the HMAC in one call
// and returns the first 8 bytes of the sum. It zeroes its copy of value
// afterwards, because value is often a word of a message.
func (t *tagMAC) compute(domain string, value []byte) int64 {
	t.input = append(t.input[:0], domain...)
	t.input = append(t.input, 0)
	t.input = append(t.input, value...)
	t.mac.Write(t.input)
	clear(t.input)
	return int64(binary.BigEndian.Uint64(t.mac.Sum(t.sum[:0])))
}

// wipe zeroes the data key and every derived key and drops the ciphers.
// NOTE: crypto/aes keeps its own expanded key schedule inside each
// cipher.AEAD, and crypto/hmac keeps its padded keys inside each pooled
// tag HMAC; neither offers a way to zero them. Wipe can only drop the
// references, and the garbage collector frees the memory later.
func (ks *keySet) wipe() {
	ks.mu.Lock()
	defer ks.mu.Unlock()

	zero(ks.dataKey)
	for _, k := range ks.derived {
		zero(k)
	}
	ks.dataKey = nil
	ks.indexKey = nil
	ks.derived = nil
	ks.aeads = nil
	ks.tagMACs = nil
}

func zero(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// rowKey is the row part of the associated data for tables keyed by an
// integer id.
func rowKey(id int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	return b[:]
}
