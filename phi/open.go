package phi

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// openScanFile opens path for ScanFile and returns a reader and a close
// function. Only regular files and the process's standard input, named
// as /dev/stdin for example, are read. Opening a named pipe with no
// writer, or reading a terminal or a socket, could wait without end.
func openScanFile(path string) (io.Reader, func() error, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("phi: cannot open %s: %w", path, err)
	}
	if isStandardInput(info) {
		return os.Stdin, func() error { return nil }, nil
	}
	if err := checkRegular(path, info); err != nil {
		return nil, nil, err
	}
	f, err := openRegular(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// openRegular opens path without waiting for a writer, as openNoWait
// does, and returns an error unless it is a regular file. The check after
// opening catches a file replaced by a named pipe since it was checked.
func openRegular(path string) (*os.File, error) {
	f, err := openNoWait(path)
	if err != nil {
		return nil, fmt.Errorf("phi: cannot open %s: %w", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("phi: cannot stat %s: %w", path, err)
	}
	if err := checkRegular(path, info); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkRegular returns an error naming the file type unless info is
// that of a regular file.
func checkRegular(path string, info fs.FileInfo) error {
	mode := info.Mode()
	switch {
	case mode.IsRegular():
		return nil
	case mode.IsDir():
		return fmt.Errorf("phi: %s is a directory: pass the files in it", path)
	}
	return fmt.Errorf("phi: %s is a %s, not a regular file: save its content to a file, "+
		"or pipe it to the command and pass /dev/stdin", path, fileType(mode))
}

func fileType(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeNamedPipe != 0:
		return "named pipe"
	case mode&fs.ModeSocket != 0:
		return "socket"
	case mode&fs.ModeCharDevice != 0:
		return "character device"
	case mode&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// isStandardInput reports whether info is that of the file open as the
// process's standard input, whatever it is: a pipe, a terminal or a
// redirected file.
func isStandardInput(info fs.FileInfo) bool {
	stdin, err := os.Stdin.Stat()
	return err == nil && os.SameFile(info, stdin)
}
