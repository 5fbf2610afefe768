package crypto

import (
	"fmt"
	"io/fs"
	"sort"
)

// memStore is an in-memory RecordStore for unit tests.
type memStore map[string][]byte

func (m memStore) PutRecord(kind, key string, value []byte) error {
	m[kind+"\x00"+key] = append([]byte(nil), value...)
	return nil
}

func (m memStore) GetRecord(kind, key string) ([]byte, error) {
	v, ok := m[kind+"\x00"+key]
	if !ok {
		return nil, fmt.Errorf("record %s/%s: %w", kind, key, fs.ErrNotExist)
	}
	return v, nil
}

func (m memStore) ListRecords(kind string) ([]string, error) {
	var keys []string
	for k := range m {
		if len(k) > len(kind) && k[:len(kind)+1] == kind+"\x00" {
			keys = append(keys, k[len(kind)+1:])
		}
	}
	sort.Strings(keys)
	return keys, nil
}

func (m memStore) DeleteRecord(kind, key string) error {
	delete(m, kind+"\x00"+key)
	return nil
}
