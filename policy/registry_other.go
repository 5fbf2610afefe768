//go:build !windows

package policy

import (
	"fmt"
	"io/fs"
)

type noRegistry struct{}

// WindowsRegistry returns a reader that finds no policy, because only
// Windows has a registry.
func WindowsRegistry() RegistryKeyReader { return noRegistry{} }

func (noRegistry) ReadValues(string) ([]RegistryValue, error) {
	return nil, fmt.Errorf("registry on this OS: %w", fs.ErrNotExist)
}
