package testenv

import (
	"os"
	"os/exec"
	"testing"

	"github.com/godbus/dbus/v5"
)

// SecretServiceName is the D-Bus name the Secret Service owns on the
// session bus (gnome-keyring-daemon in the tests).
const SecretServiceName = "org.freedesktop.secrets"

// Keyring checks that the Secret Service owns its name on the session bus,
// so go-keyring calls reach a real daemon. It skips the test, or fails it
// when CI is set, when the bus or the service is missing.
func Keyring(t testing.TB) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		missing(t, "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset; "+
			"run the test inside dbus-run-session with gnome-keyring-daemon unlocked, or run `make test`")
		return
	}
	conn, err := dbus.SessionBusPrivate()
	if err != nil {
		missing(t, "connect to the D-Bus session bus: %v; run the test inside dbus-run-session", err)
		return
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		missing(t, "authenticate to the D-Bus session bus: %v", err)
		return
	}
	if err := conn.Hello(); err != nil {
		missing(t, "greet the D-Bus session bus: %v", err)
		return
	}

	var hasOwner bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, SecretServiceName).Store(&hasOwner)
	if err != nil {
		missing(t, "ask the session bus for %s: %v", SecretServiceName, err)
		return
	}
	if !hasOwner {
		missing(t, "no Secret Service: %s has no owner on the session bus; start "+
			"`gnome-keyring-daemon --foreground --unlock --components=secrets` with a password on stdin, or run `make test`",
			SecretServiceName)
	}
}

// RequireCommand returns the path of the named program, skipping the test
// (or failing it when CI is set) when the program is not on PATH.
func RequireCommand(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s not found on PATH: %v; install it (scripts/deps lists the Debian packages)", name, err)
		return ""
	}
	return path
}
