//go:build unix

package phi

import (
	"os"
	"syscall"
)

// openNoWait opens path for reading with O_NONBLOCK, so that a named
// pipe with no writer opens at once instead of waiting for one. Reads
// from a regular file ignore the flag.
func openNoWait(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
