package policy

import (
	"os"
	"path/filepath"
	"runtime"
)

// PreferenceDomain is the macOS preference domain and bundle identifier.
const PreferenceDomain = "org.securemail.client"

// Locations are the policy sources of one machine, each optional.
type Locations struct {
	// Managed reads the OS managed channel: the HKLM Policies registry
	// key on Windows, the managed preferences plist on macOS and
	// /etc/securemail/policy.json on Linux.
	Managed DocumentReader
	// MachineFile is the machine-wide data folder file:
	// %ProgramData%\SecureMail\policy.json on Windows,
	// /Library/Application Support/SecureMail/policy.json on macOS and
	// /etc/xdg/securemail/policy.json on Linux (the first XDG_CONFIG_DIRS
	// entry by default, readable by every user).
	MachineFile string
	// UserFile is the user's own settings file.
	UserFile string
}

// DefaultLocations returns the standard locations for the running OS.
func DefaultLocations() Locations {
	var loc Locations
	switch runtime.GOOS {
	case "windows":
		programData := os.Getenv("ProgramData")
		if programData == "" {
			programData = `C:\ProgramData`
		}
		loc.Managed = RegistryReader{Key: WindowsRegistry()}
		loc.MachineFile = filepath.Join(programData, "SecureMail", "policy.json")
	case "darwin":
		loc.Managed = PlistReader{Path: "/Library/Managed Preferences/" + PreferenceDomain + ".plist"}
		loc.MachineFile = "/Library/Application Support/SecureMail/policy.json"
	default:
		loc.Managed = FileReader{Path: "/etc/securemail/policy.json"}
		loc.MachineFile = "/etc/xdg/securemail/policy.json"
	}
	if dir, err := os.UserConfigDir(); err == nil {
		loc.UserFile = filepath.Join(dir, "SecureMail", "settings.json")
	}
	return loc
}
