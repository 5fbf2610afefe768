package cache

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"

	"securemail/internal/testenv"
)

// childEnv marks a re-executed test binary; its value names the test the
// child runs.
const childEnv = "SECUREMAIL_CACHE_TEST_CHILD"

// runChild runs test name in a new process of the test binary with env
// added, and fails with its output when it fails.
func runChild(t *testing.T, name string, env ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.v")
	cmd.Env = append(append(os.Environ(), childEnv+"="+name), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("child %s failed: %v\n%s", name, err, out)
	}
}

func realKeyringOptions() Options {
	return Options{Keyring: SystemKeyring{Timeout: 10 * time.Second}, KDF: testKDF, Sleep: func(time.Duration) {}}
}

func TestRealKeyringVault(t *testing.T) {
	testenv.Keyring(t)
	dir := filepath.Join(t.TempDir(), "p")
	profile := "real-" + filepath.Base(filepath.Dir(dir))
	v, err := Create(dir, profile, []byte("pw"), ModeDeviceSecret, realKeyringOptions())
	if err != nil {
		t.Fatal(err)
	}
	h, err := readHeader(dir, profile)
	if err != nil {
		t.Fatal(err)
	}
	if secret, err := keyring.Get(keyringService, keyringUser(h)); err != nil || len(secret) != 44 {
		t.Fatalf("keyring entry = %d chars, %v; expected a 44-char base64 secret", len(secret), err)
	}
	mustPut(t, v.Store(), &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: []byte("Subject: s\r\n\r\nb")})
	v.Lock()

	v2, err := Open(dir, profile, realKeyringOptions())
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, v2.Unlock([]byte("wrong")), ErrWrongPassphrase)
	if err := v2.Unlock([]byte("pw")); err != nil {
		t.Fatal(err)
	}
	if list, err := v2.Store().List("a", "INBOX", 0, 10); err != nil || len(list) != 1 {
		t.Errorf("List after unlock = %d, %v", len(list), err)
	}
	v2.Lock()

	// A deleted keyring entry is its own error and changes nothing.
	if err := keyring.Delete(keyringService, keyringUser(h)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	wantErr(t, v2.Unlock([]byte("pw")), ErrKeyringEntryMissing)
	if after := snapshot(t, dir); len(after) != len(before) {
		t.Errorf("files changed after a failed unlock")
	}
}

func TestRealKeyringDestroy(t *testing.T) {
	testenv.Keyring(t)
	dir := filepath.Join(t.TempDir(), "p")
	profile := "destroy-" + filepath.Base(filepath.Dir(dir))
	v, err := Create(dir, profile, []byte("pw"), ModeDeviceSecret, realKeyringOptions())
	if err != nil {
		t.Fatal(err)
	}
	h, _ := readHeader(dir, profile)
	if err := v.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(keyringService, keyringUser(h)); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("keyring entry after Destroy: %v", err)
	}
}

// privateKeyringScript starts gnome-keyring in the D-Bus session that
// dbus-run-session made, waits for its bus name, runs the command in "$@"
// and stops the daemon by its PID.
const privateKeyringScript = `printf 'test-keyring-password' | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' && break
  sleep 0.05
done
"$@"
rc=$?
kill $pid
exit $rc`

// TestRealKeyringLocked locks the login collection, which gnome-keyring
// cannot unlock again without a prompt, so it runs in a child process in
// its own D-Bus session with its own gnome-keyring.
func TestRealKeyringLocked(t *testing.T) {
	if os.Getenv(childEnv) != "TestRealKeyringLocked" {
		for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon", "dbus-send"} {
			if testenv.RequireCommand(t, tool) == "" {
				return
			}
		}
		cmd := exec.Command("dbus-run-session", "--", "sh", "-c", privateKeyringScript, "sh",
			os.Args[0], "-test.run=^TestRealKeyringLocked$", "-test.v")
		// A fresh HOME and XDG folders keep the child's daemon away from
		// the keyring files and sockets of any outer gnome-keyring.
		home := t.TempDir()
		runtime := filepath.Join(home, "run")
		os.Mkdir(runtime, 0o700)
		cmd.Env = append(os.Environ(), childEnv+"=TestRealKeyringLocked", "HOME="+home,
			"XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
			"XDG_CACHE_HOME="+filepath.Join(home, "cache"), "XDG_RUNTIME_DIR="+runtime)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestRealKeyringLocked") {
			t.Fatalf("child failed: %v\n%s", err, out)
		}
		return
	}

	testenv.Keyring(t)
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "p")
	v, err := Create(dir, "locked", []byte("pw"), ModeDeviceSecret, realKeyringOptions())
	if err != nil {
		t.Fatal(err)
	}
	v.Lock()

	secrets := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var (
		locked []dbus.ObjectPath
		prompt dbus.ObjectPath
	)
	login := dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	if err := secrets.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{login}).Store(&locked, &prompt); err != nil {
		t.Fatalf("lock the login collection: %v", err)
	}

	before := snapshot(t, dir)
	wantErr(t, v.Unlock([]byte("pw")), ErrKeyringLocked)
	if after := snapshot(t, dir); len(after) != len(before) {
		t.Errorf("files changed after a failed unlock")
	}
}

func TestRealKeyringUnreachable(t *testing.T) {
	if os.Getenv(childEnv) == "TestRealKeyringUnreachable" {
		dir := filepath.Join(t.TempDir(), "p")
		_, err := Create(dir, "p", []byte("pw"), ModeDeviceSecret, realKeyringOptions())
		wantErr(t, err, ErrKeyringUnavailable)
		return
	}
	runChild(t, "TestRealKeyringUnreachable", "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus"))
}

// TestSystemKeyringWithMock runs go-keyring's mock provider in a child
// process, because keyring.MockInit replaces the provider for the whole
// process and would hide the real keyring from the other tests.
func TestSystemKeyringWithMock(t *testing.T) {
	if os.Getenv(childEnv) != "TestSystemKeyringWithMock" {
		runChild(t, "TestSystemKeyringWithMock")
		return
	}
	keyring.MockInit()
	dir := filepath.Join(t.TempDir(), "p")
	opts := realKeyringOptions()
	v, err := Create(dir, "mock", []byte("pw"), ModeDeviceSecret, opts)
	if err != nil {
		t.Fatal(err)
	}
	v.Lock()
	if err := v.Unlock([]byte("pw")); err != nil {
		t.Fatal(err)
	}
	v.Lock()
	h, _ := readHeader(dir, "mock")
	keyring.Delete(keyringService, keyringUser(h))
	wantErr(t, v.Unlock([]byte("pw")), ErrKeyringEntryMissing)

	keyring.MockInitWithError(errors.New("dbus: connection refused"))
	wantErr(t, v.Unlock([]byte("pw")), ErrKeyringUnavailable)
}
