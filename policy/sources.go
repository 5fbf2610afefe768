package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"regexp"
	"strings"
	"time"

	"howett.net/plist"
)

// Source is the layer a setting's value comes from, lowest first.
type Source int

const (
	SourceDefault Source = iota // built into the client
	SourceUser                  // the user's settings file or the UI
	SourceFlag                  // a command-line flag, not saved
	SourceMachine               // the machine-wide data folder file
	SourceManaged               // the OS managed channel
)

func (s Source) String() string {
	switch s {
	case SourceDefault:
		return "default"
	case SourceUser:
		return "user"
	case SourceFlag:
		return "flag"
	case SourceMachine:
		return "machine"
	case SourceManaged:
		return "managed"
	}
	return "unknown"
}

// MarshalText lets Source appear by name in JSON output.
func (s Source) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a name written by MarshalText.
func (s *Source) UnmarshalText(text []byte) error {
	for candidate := SourceDefault; candidate <= SourceManaged; candidate++ {
		if candidate.String() == string(text) {
			*s = candidate
			return nil
		}
	}
	return fmt.Errorf("unknown policy source %q, use default, user, flag, machine or managed", text)
}

// DocumentReader reads one policy source and returns it as a JSON policy
// document, with the origin (a file path or registry key) for messages.
// When the source holds no policy the error wraps fs.ErrNotExist.
type DocumentReader interface {
	ReadDocument() (doc []byte, origin string, err error)
}

// FileReader reads a JSON policy document from a file.
type FileReader struct{ Path string }

func (r FileReader) ReadDocument() ([]byte, string, error) {
	data, err := os.ReadFile(r.Path)
	if err != nil {
		return nil, r.Path, fmt.Errorf("failed to read policy file %s: %w", r.Path, err)
	}
	return data, r.Path, nil
}

// PlistReader reads the macOS managed preferences plist that a
// configuration profile installs, /Library/Managed Preferences/<domain>.plist.
// The plist has the document's keys at the top level: "settings" (a dict)
// and "locked" (an array of setting paths). Binary and XML plists work.
type PlistReader struct{ Path string }

func (r PlistReader) ReadDocument() ([]byte, string, error) {
	data, err := os.ReadFile(r.Path)
	if err != nil {
		return nil, r.Path, fmt.Errorf("failed to read managed preferences %s: %w", r.Path, err)
	}
	doc, err := plistToJSON(data)
	if err != nil {
		return nil, r.Path, fmt.Errorf("invalid managed preferences %s: %w", r.Path, err)
	}
	return doc, r.Path, nil
}

// plistToJSON converts a plist to the equivalent JSON document. Data and
// date values have no JSON form and are rejected with their key path.
func plistToJSON(data []byte) ([]byte, error) {
	var value any
	if _, err := plist.Unmarshal(data, &value); err != nil {
		return nil, fmt.Errorf("%w: not a property list: %v", ErrInvalid, err)
	}
	if top, ok := value.(map[string]any); ok {
		// A profile payload keeps its Payload* keys in the installed
		// plist; they describe the profile, not the policy.
		for key := range top {
			if strings.HasPrefix(key, "Payload") {
				delete(top, key)
			}
		}
	}
	converted, err := plistValueToJSON(value, "$")
	if err != nil {
		return nil, err
	}
	return json.Marshal(converted)
}

func plistValueToJSON(v any, path string) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, child := range v {
			c, err := plistValueToJSON(child, path+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, child := range v {
			c, err := plistValueToJSON(child, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case string, bool, int64, uint64:
		return v, nil
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v), nil
		}
		return v, nil
	case []byte, time.Time:
		return nil, fmt.Errorf("%w: %s: a plist %T has no policy meaning, use a string, integer, boolean, array or dict", ErrInvalid, path, v)
	}
	return nil, fmt.Errorf("%w: %s: unsupported plist value %T", ErrInvalid, path, v)
}

// Registry value types, as numbered by the Windows API (winnt.h).
const (
	RegSZ       uint32 = 1
	RegExpandSZ uint32 = 2
	RegDWORD    uint32 = 4
	RegMultiSZ  uint32 = 7
	RegQWORD    uint32 = 11
)

// RegistryValue is one value of a registry key.
type RegistryValue struct {
	Name    string
	Type    uint32
	String  string   // RegSZ, RegExpandSZ
	Strings []string // RegMultiSZ
	Integer uint64   // RegDWORD, RegQWORD
}

// RegistryKeyReader lists the values of a registry key below
// HKLM\Software\Policies\SecureMail. Subkey "" is that key itself. When
// the key does not exist the error wraps fs.ErrNotExist.
type RegistryKeyReader interface {
	ReadValues(subkey string) ([]RegistryValue, error)
}

// RegistryPolicyKey is the registry key that Group Policy and Intune
// write the policy to.
const RegistryPolicyKey = `HKLM\Software\Policies\SecureMail`

// RegistryRecommendedSubkey contains defaults the user may change. Values
// in the policy key itself are locked. This follows the mandatory and
// recommended split of browser policy templates such as Chrome's.
const RegistryRecommendedSubkey = "Recommended"

// RegistryReader reads the policy from the Windows registry. Each value
// is named by its setting path ("idleLock.minutes"). A boolean or integer
// is a REG_DWORD or REG_QWORD, a string is a REG_SZ, and a list of strings
// is a REG_MULTI_SZ. A list of objects (account presets) is a REG_SZ that
// contains the JSON array.
type RegistryReader struct{ Key RegistryKeyReader }

func (r RegistryReader) ReadDocument() ([]byte, string, error) {
	locked, errLocked := r.Key.ReadValues("")
	recommended, errRecommended := r.Key.ReadValues(RegistryRecommendedSubkey)
	for _, err := range []error{errLocked, errRecommended} {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, RegistryPolicyKey, fmt.Errorf("failed to read registry key %s: %w", RegistryPolicyKey, err)
		}
	}
	if errLocked != nil && errRecommended != nil {
		return nil, RegistryPolicyKey, fmt.Errorf("registry key %s: %w", RegistryPolicyKey, fs.ErrNotExist)
	}

	settings := map[string]any{}
	for _, v := range recommended {
		setPath(settings, v.Name, registryToJSON(v))
	}
	lockedPaths := []any{}
	for _, v := range locked {
		setPath(settings, v.Name, registryToJSON(v))
		lockedPaths = append(lockedPaths, v.Name)
	}
	doc, err := json.Marshal(map[string]any{"settings": settings, "locked": lockedPaths})
	if err != nil {
		return nil, RegistryPolicyKey, fmt.Errorf("failed to convert registry values: %w", err)
	}
	return doc, RegistryPolicyKey, nil
}

// registryToJSON converts a value to the JSON type its setting expects
// where the conversion is lossless, and otherwise keeps the registry type
// so that validation reports the mismatch.
func registryToJSON(v RegistryValue) any {
	n := leafIndex()[v.Name]
	switch v.Type {
	case RegDWORD, RegQWORD:
		if n != nil && n.kind == kindBool && v.Integer <= 1 {
			return v.Integer == 1
		}
		return v.Integer
	case RegSZ, RegExpandSZ:
		if n != nil && n.format == "pem-certificates" {
			return normalisePEM(v.String)
		}
		if n != nil && n.kind == kindObjectList {
			var list []any
			if err := json.Unmarshal([]byte(v.String), &list); err == nil {
				return list
			}
		}
		return v.String
	case RegMultiSZ:
		if n != nil && n.format == "pem-certificates" {
			// A Group Policy multi-line text box stores one string per
			// line, so the lines of the certificates arrive separately.
			return splitPEM(strings.Join(v.Strings, "\n"))
		}
		list := make([]any, len(v.Strings))
		for i, s := range v.Strings {
			list[i] = s
		}
		return list
	}
	return fmt.Sprintf("unsupported registry type %d", v.Type)
}

// setPath stores value in a nested map at a dotted path.
func setPath(root map[string]any, path string, value any) {
	parts := strings.Split(path, ".")
	m := root
	for _, part := range parts[:len(parts)-1] {
		child, ok := m[part].(map[string]any)
		if !ok {
			child = map[string]any{}
			m[part] = child
		}
		m = child
	}
	m[parts[len(parts)-1]] = value
}

// pemBlock matches one PEM block, with its lines or flattened to one line
// by a single-line text box.
var pemBlock = regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*)-----END ([A-Z0-9 ]+)-----`)

// normalisePEM rebuilds PEM text whose line breaks were lost, wrapping the
// base64 of each block at 64 columns. Text without a PEM block is
// returned unchanged for validation to report.
func normalisePEM(text string) string {
	blocks := pemBlock.FindAllStringSubmatch(text, -1)
	if blocks == nil {
		return text
	}
	var b strings.Builder
	for _, m := range blocks {
		body := strings.Join(strings.Fields(m[2]), "")
		fmt.Fprintf(&b, "-----BEGIN %s-----\n", m[1])
		for len(body) > 64 {
			b.WriteString(body[:64] + "\n")
			body = body[64:]
		}
		if body != "" {
			b.WriteString(body + "\n")
		}
		fmt.Fprintf(&b, "-----END %s-----\n", m[3])
	}
	return b.String()
}

// splitPEM returns each PEM block of text as its own normalised string.
func splitPEM(text string) []any {
	blocks := pemBlock.FindAllString(text, -1)
	if blocks == nil {
		return []any{text}
	}
	list := make([]any, len(blocks))
	for i, block := range blocks {
		list[i] = normalisePEM(block)
	}
	return list
}
