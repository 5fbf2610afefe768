package client

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"securemail/account"
	"strings"
	"time"

	"securemail/audit"
	"securemail/compose"
)

// SaveAttachment writes one decrypted attachment of message id to path,
// readable by the user only, and records the save (with the extension
// and size, never the name) in the audit trail. The caller has warned
// the user that the file leaves the vault's protection.
func (c *Client) SaveAttachment(id int64, data []byte, path string) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	m, err := s.store.Message(id)
	if err != nil {
		return fmt.Errorf("client: save attachment of message %d: %w", id, err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("client: save attachment: %w; choose a folder you can write to", err)
	}
	ext := strings.ToLower(filepath.Ext(path))
	c.record(audit.AttachmentSaved(m.Account, fmt.Sprint(id), ext, int64(len(data)), m.Encrypted))
	return nil
}

// SaveDraft stores d sealed in the vault. id 0 creates a draft; the
// draft's id is returned.
func (c *Client) SaveDraft(id int64, d *compose.Draft) (int64, error) {
	s, err := c.current()
	if err != nil {
		return 0, err
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return 0, fmt.Errorf("client: encode draft: %w", err)
	}
	return s.store.PutDraft(id, raw)
}

// Draft reads a draft saved by SaveDraft.
func (c *Client) Draft(id int64) (*compose.Draft, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	raw, err := s.store.Draft(id)
	if err != nil {
		return nil, fmt.Errorf("client: draft %d: %w", id, err)
	}
	var d compose.Draft
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("client: draft %d is corrupt: %w", id, err)
	}
	return &d, nil
}

// DeleteMessage moves message id to the account's Trash on the server,
// or expunges it when it is in Trash already or the account has none,
// and then removes it from the cache, so the next sync does not fetch it
// again.
func (c *Client) DeleteMessage(id int64) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	m, err := s.store.Message(id)
	if err != nil {
		return fmt.Errorf("client: delete message %d: %w", id, err)
	}
	cfg, cred, err := c.accountConfig(s, m.Account)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), deleteTimeout)
	defer cancel()
	err = s.ops.do(m.Account, cfg, cred, s.store, func(syncer *account.Syncer) error {
		return syncer.Delete(ctx, m.Folder, []uint32{m.UID})
	})
	if err != nil {
		return fmt.Errorf("client: delete message %d on the server: %w", id, err)
	}
	return nil
}

// deleteTimeout bounds one delete, connection included.
const deleteTimeout = time.Minute
