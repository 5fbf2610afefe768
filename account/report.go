package account

import (
	"errors"
	"fmt"
)

// Progress is a snapshot of a running sync, for a progress bar. Messages
// and Bytes count what this run has fetched so far; MessagesTotal is the
// work known so far and grows as folders are examined.
type Progress struct {
	Folder        string
	FoldersDone   int
	FoldersTotal  int
	Messages      int
	MessagesTotal int
	Bytes         int64
}

// FolderError is a folder that could not be synced.
type FolderError struct {
	Folder string
	Err    error
}

func (e *FolderError) Error() string {
	return fmt.Sprintf("folder %q: %v", e.Folder, e.Err)
}

func (e *FolderError) Unwrap() error { return e.Err }

// MessageError is a message that could not be fetched or stored. The rest
// of its folder was synced.
type MessageError struct {
	Folder string
	UID    uint32
	Err    error
}

func (e *MessageError) Error() string {
	return fmt.Sprintf("folder %q message UID %d: %v", e.Folder, e.UID, e.Err)
}

func (e *MessageError) Unwrap() error { return e.Err }

// Report is the outcome of one sync run.
type Report struct {
	Folders       int
	Headers       int // header sections fetched
	Bodies        int // whole messages fetched
	Bytes         int64
	Expunged      int
	FlagChanges   int
	FolderErrors  []*FolderError
	MessageErrors []*MessageError
}

// Err joins every folder and message error, or returns nil when the run
// had none.
func (r *Report) Err() error {
	var errs []error
	for _, e := range r.FolderErrors {
		errs = append(errs, e)
	}
	for _, e := range r.MessageErrors {
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}
