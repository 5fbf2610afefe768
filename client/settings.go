package client

import (
	"fmt"
	"os"
	"path/filepath"

	"securemail/audit"
	"securemail/policy"
)

// SetUserSetting changes one of the user's own settings (a path such as
// "idleLock.minutes"), saves every user setting to the user's settings
// file when the profile has one, and records the change in the audit
// trail. A setting the organisation locked returns an error wrapping
// policy.ErrLocked and changes nothing.
func (c *Client) SetUserSetting(path string, value any) error {
	if err := c.policy.Set(path, value, policy.SourceUser); err != nil {
		return err
	}
	if file := c.opts.UserSettingsFile; file != "" {
		doc, err := c.policy.UserDocument()
		if err != nil {
			return err
		}
		if err := writeFileAtomic(file, doc); err != nil {
			return fmt.Errorf("client: saving the settings to %s: %w", file, err)
		}
	}
	c.record(audit.PolicyChanged([]string{path}, "user"))
	return nil
}

// writeFileAtomic replaces file with data, readable by the user only, so
// that a crash leaves either the old or the new settings.
func writeFileAtomic(file string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".settings-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
