//go:build windows

package policy

import (
	"errors"
	"fmt"
	"io/fs"

	"golang.org/x/sys/windows/registry"
)

// windowsRegistry reads HKLM\Software\Policies\SecureMail through the
// Windows registry API.
type windowsRegistry struct{}

// WindowsRegistry returns the reader of the machine policy key.
func WindowsRegistry() RegistryKeyReader { return windowsRegistry{} }

func (windowsRegistry) ReadValues(subkey string) ([]RegistryValue, error) {
	path := `Software\Policies\SecureMail`
	if subkey != "" {
		path += `\` + subkey
	}
	key, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil, fmt.Errorf("registry key HKLM\\%s: %w", path, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to open registry key HKLM\\%s: %w", path, err)
	}
	defer key.Close()

	names, err := key.ReadValueNames(0)
	if err != nil {
		return nil, fmt.Errorf("failed to list values of HKLM\\%s: %w", path, err)
	}
	values := make([]RegistryValue, 0, len(names))
	for _, name := range names {
		v, err := readRegistryValue(key, name)
		if err != nil {
			return nil, fmt.Errorf("failed to read value %s of HKLM\\%s: %w", name, path, err)
		}
		values = append(values, v)
	}
	return values, nil
}

func readRegistryValue(key registry.Key, name string) (RegistryValue, error) {
	_, valueType, err := key.GetValue(name, nil)
	if err != nil {
		return RegistryValue{}, err
	}
	v := RegistryValue{Name: name, Type: valueType}
	switch valueType {
	case registry.SZ, registry.EXPAND_SZ:
		v.String, _, err = key.GetStringValue(name)
	case registry.MULTI_SZ:
		v.Strings, _, err = key.GetStringsValue(name)
	case registry.DWORD, registry.QWORD:
		v.Integer, _, err = key.GetIntegerValue(name)
	}
	return v, err
}
