package account

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"io/fs"
	"net/mail"
	"os"
	"slices"
	"sync"
	"time"

	"securemail/cache"
)

// memStore is an in-memory Store and OutboxStore for unit tests. With a
// path set it writes itself to that file after every change, so a child
// process killed mid-sync leaves a store the parent can read.
type memStore struct {
	mu   sync.Mutex
	path string
	Data memData
}

type memData struct {
	Folders  map[string]cache.Folder   // account + "\x00" + name
	Messages map[string]*cache.Message // account, folder, uid
	Outbox   map[int64]*cache.OutboxItem
	NextID   int64
	Puts     int // PutMessage calls, to check nothing is fetched twice
}

func newMemStore() *memStore {
	return &memStore{Data: memData{
		Folders:  map[string]cache.Folder{},
		Messages: map[string]*cache.Message{},
		Outbox:   map[int64]*cache.OutboxItem{},
	}}
}

func openMemStore(path string) (*memStore, error) {
	s := newMemStore()
	s.path = path
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&s.Data); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *memStore) save() error {
	if s.path == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&s.Data); err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.path)
}

func folderKey(account, name string) string { return account + "\x00" + name }

func messageKey(account, folder string, uid uint32) string {
	return fmt.Sprintf("%s\x00%s\x00%d", account, folder, uid)
}

func (s *memStore) PutFolder(f cache.Folder) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.Total, f.Unread = 0, 0
	s.Data.Folders[folderKey(f.Account, f.Name)] = f
	return s.save()
}

func (s *memStore) Folders(account string) ([]cache.Folder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []cache.Folder
	for _, f := range s.Data.Folders {
		if f.Account == account {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b cache.Folder) int { return compareStrings(a.Name, b.Name) })
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *memStore) dropMessages(account, folder string) {
	for k, m := range s.Data.Messages {
		if m.Account == account && m.Folder == folder {
			delete(s.Data.Messages, k)
		}
	}
}

func (s *memStore) ResetFolder(account, folder string, uidValidity uint32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropMessages(account, folder)
	f := s.Data.Folders[folderKey(account, folder)]
	f.Account, f.Name = account, folder
	f.UIDValidity, f.UIDNext, f.HighestModSeq = uidValidity, 0, 0
	s.Data.Folders[folderKey(account, folder)] = f
	return s.save()
}

func (s *memStore) DeleteFolder(account, folder string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropMessages(account, folder)
	delete(s.Data.Folders, folderKey(account, folder))
	return s.save()
}

func (s *memStore) PutMessage(m *cache.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := messageKey(m.Account, m.Folder, m.UID)
	if old, ok := s.Data.Messages[key]; ok {
		m.ID = old.ID
	} else {
		s.Data.NextID++
		m.ID = s.Data.NextID
	}
	c := *m
	c.Raw = slices.Clone(m.Raw)
	c.Flags = slices.Clone(m.Flags)
	s.Data.Messages[key] = &c
	s.Data.Puts++
	return s.save()
}

func (s *memStore) UIDStates(account, folder string) ([]cache.UIDState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []cache.UIDState
	for _, m := range s.Data.Messages {
		if m.Account == account && m.Folder == folder {
			out = append(out, cache.UIDState{UID: m.UID, ModSeq: m.ModSeq, Flags: slices.Clone(m.Flags), HeaderOnly: m.HeaderOnly})
		}
	}
	slices.SortFunc(out, func(a, b cache.UIDState) int { return int(a.UID) - int(b.UID) })
	return out, nil
}

func (s *memStore) SetFlags(account, folder string, uid uint32, flags []string, modSeq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.Data.Messages[messageKey(account, folder, uid)]
	if !ok {
		return fmt.Errorf("message %d: %w", uid, fs.ErrNotExist)
	}
	m.Flags = slices.Clone(flags)
	m.ModSeq = modSeq
	return s.save()
}

func (s *memStore) DeleteMessages(account, folder string, uids []uint32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, uid := range uids {
		delete(s.Data.Messages, messageKey(account, folder, uid))
	}
	return s.save()
}

func (s *memStore) HasMessageID(account, messageID string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.Data.Messages {
		if m.Account == account && rawMessageID(m.Raw) == messageID {
			return true, nil
		}
	}
	return false, nil
}

func rawMessageID(raw []byte) string {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	return msg.Header.Get("Message-Id")
}

func (s *memStore) messages(account, folder string) map[uint32]*cache.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[uint32]*cache.Message{}
	for _, m := range s.Data.Messages {
		if m.Account == account && m.Folder == folder {
			out[m.UID] = m
		}
	}
	return out
}

func (s *memStore) OutboxAdd(it *cache.OutboxItem) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Data.NextID++
	it.ID = s.Data.NextID
	c := *it
	s.Data.Outbox[it.ID] = &c
	return s.save()
}

func (s *memStore) OutboxPending(now time.Time) ([]cache.OutboxItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []cache.OutboxItem
	for _, it := range s.Data.Outbox {
		if it.State > cache.OutboxSubmitted || it.NextAttempt.After(now) {
			continue
		}
		out = append(out, *it)
	}
	slices.SortFunc(out, func(a, b cache.OutboxItem) int { return int(a.ID - b.ID) })
	return out, nil
}

func (s *memStore) OutboxGet(id int64) (*cache.OutboxItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.Data.Outbox[id]
	if !ok {
		return nil, fmt.Errorf("outbox item %d: %w", id, fs.ErrNotExist)
	}
	c := *it
	return &c, nil
}

func (s *memStore) OutboxUpdate(it *cache.OutboxItem) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.Data.Outbox[it.ID]; !ok {
		return fmt.Errorf("outbox item %d: %w", it.ID, fs.ErrNotExist)
	}
	c := *it
	s.Data.Outbox[it.ID] = &c
	return s.save()
}
