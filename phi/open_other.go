//go:build !unix

package phi

import "os"

// openNoWait opens path for reading. On Windows, opening a named pipe
// that has no server fails at once instead of waiting, so plain os.Open
// does not wait either.
func openNoWait(path string) (*os.File, error) {
	return os.Open(path)
}
