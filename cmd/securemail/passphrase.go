package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// maxSecretBytes bounds what is read from a passphrase descriptor.
const maxSecretBytes = 4096

// secretFlags name where a headless command reads a secret from. A secret
// is never a flag value, because flag values show up in process lists
// and shell history.
type secretFlags struct {
	fd  int
	env string
}

func (s *secretFlags) register(fs *flag.FlagSet, name, what string) {
	fs.IntVar(&s.fd, name+"-fd", -1, "read the "+what+" from this open file descriptor (for example 3 with 3<file), up to the first newline")
	fs.StringVar(&s.env, name+"-env", "", "read the "+what+" from the environment variable with this name")
}

// set reports whether a source of the secret is named.
func (s *secretFlags) set() bool { return s.fd >= 0 || s.env != "" }

// read returns the secret. It fails when neither or both sources are set,
// and when the source is empty.
func (s *secretFlags) read(name string) ([]byte, error) {
	switch {
	case s.fd >= 0 && s.env != "":
		return nil, fmt.Errorf("both --%s-fd and --%s-env are set; use one", name, name)
	case s.fd >= 0:
		f := os.NewFile(uintptr(s.fd), name+"-fd")
		if f == nil {
			return nil, fmt.Errorf("file descriptor %d for --%s-fd is not open", s.fd, name)
		}
		defer f.Close()
		// os.NewFile accepts a number that no open file has; reading it
		// would only report a bad file descriptor.
		if _, err := f.Stat(); err != nil {
			return nil, fmt.Errorf("file descriptor %d for --%s-fd is not open: open it for the command, for example with %d<file", s.fd, name, s.fd)
		}
		return readSecret(f, name)
	case s.env != "":
		v, ok := os.LookupEnv(s.env)
		if !ok || v == "" {
			return nil, fmt.Errorf("environment variable %s for --%s-env is not set or empty", s.env, name)
		}
		return []byte(v), nil
	}
	return nil, fmt.Errorf("missing %s: pass --%s-fd N or --%s-env NAME", name, name, name)
}

func readSecret(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSecretBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read the %s: %w", name, err)
	}
	if len(data) > maxSecretBytes {
		clear(data)
		return nil, fmt.Errorf("the %s is longer than %d bytes; pass only the secret", name, maxSecretBytes)
	}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		clear(data[i:])
		data = data[:i]
	}
	if len(data) == 0 {
		return nil, errors.New("the " + name + " is empty")
	}
	return data, nil
}
