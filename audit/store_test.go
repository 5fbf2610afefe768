package audit

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
)

// memStore is an in-memory sealed-records store with helpers that tamper
// with the log the way an attacker with write access to the store could.
type memStore struct {
	mu      sync.Mutex
	records map[string][]byte
	logs    map[string]map[int64][]byte
	next    map[string]int64
}

func newMemStore() *memStore {
	return &memStore{records: map[string][]byte{}, logs: map[string]map[int64][]byte{}, next: map[string]int64{}}
}

func (m *memStore) PutRecord(kind, key string, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records[kind+"/"+key] = append([]byte(nil), value...)
	return nil
}

func (m *memStore) GetRecord(kind, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.records[kind+"/"+key]
	if !ok {
		return nil, fmt.Errorf("record %s/%s: %w", kind, key, fs.ErrNotExist)
	}
	return append([]byte(nil), v...), nil
}

func (m *memStore) DeleteRecord(kind, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.records, kind+"/"+key)
	return nil
}

func (m *memStore) AppendLog(name string, entry []byte) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.logs[name] == nil {
		m.logs[name] = map[int64][]byte{}
	}
	m.next[name]++
	seq := m.next[name]
	m.logs[name][seq] = append([]byte(nil), entry...)
	return seq, nil
}

func (m *memStore) ReadLog(name string, fromSeq int64, fn func(int64, []byte) error) error {
	m.mu.Lock()
	var seqs []int64
	for seq := range m.logs[name] {
		if seq >= fromSeq {
			seqs = append(seqs, seq)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	entries := make([][]byte, len(seqs))
	for i, seq := range seqs {
		entries[i] = append([]byte(nil), m.logs[name][seq]...)
	}
	m.mu.Unlock()
	for i, seq := range seqs {
		if err := fn(seq, entries[i]); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) PruneLog(name string, beforeSeq int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for seq := range m.logs[name] {
		if seq < beforeSeq {
			delete(m.logs[name], seq)
		}
	}
	return nil
}

// tamper replaces the stored bytes of one entry.
func (m *memStore) tamper(seq int64, fn func([]byte) []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.logs[logName][seq] = fn(m.logs[logName][seq])
}

func (m *memStore) remove(seq int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.logs[logName], seq)
}

func (m *memStore) swap(a, b int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.logs[logName]
	l[a], l[b] = l[b], l[a]
}

func (m *memStore) raw(seq int64) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.logs[logName][seq]...)
}

// fileStore keeps records and log entries as files, each written to a
// temporary name and renamed, so a killed process leaves every write
// whole or absent, as the vault's SQLite transactions do.
type fileStore struct{ dir string }

func (f fileStore) write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (f fileStore) PutRecord(kind, key string, value []byte) error {
	return f.write(filepath.Join(f.dir, "records", kind, key), value)
}

func (f fileStore) GetRecord(kind, key string) ([]byte, error) {
	return os.ReadFile(filepath.Join(f.dir, "records", kind, key))
}

func (f fileStore) logSeqs(name string) ([]int64, error) {
	entries, err := os.ReadDir(filepath.Join(f.dir, "logs", name))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var seqs []int64
	for _, e := range entries {
		if seq, err := strconv.ParseInt(e.Name(), 10, 64); err == nil {
			seqs = append(seqs, seq)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs, nil
}

func (f fileStore) AppendLog(name string, entry []byte) (int64, error) {
	seqs, err := f.logSeqs(name)
	if err != nil {
		return 0, err
	}
	seq := int64(1)
	if len(seqs) > 0 {
		seq = seqs[len(seqs)-1] + 1
	}
	return seq, f.write(filepath.Join(f.dir, "logs", name, strconv.FormatInt(seq, 10)), entry)
}

func (f fileStore) ReadLog(name string, fromSeq int64, fn func(int64, []byte) error) error {
	seqs, err := f.logSeqs(name)
	if err != nil {
		return err
	}
	for _, seq := range seqs {
		if seq < fromSeq {
			continue
		}
		data, err := os.ReadFile(filepath.Join(f.dir, "logs", name, strconv.FormatInt(seq, 10)))
		if err != nil {
			return err
		}
		if err := fn(seq, data); err != nil {
			return err
		}
	}
	return nil
}

func (f fileStore) PruneLog(name string, beforeSeq int64) error {
	seqs, err := f.logSeqs(name)
	if err != nil {
		return err
	}
	for _, seq := range seqs {
		if seq < beforeSeq {
			if err := os.Remove(filepath.Join(f.dir, "logs", name, strconv.FormatInt(seq, 10))); err != nil {
				return err
			}
		}
	}
	return nil
}
