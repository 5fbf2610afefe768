package cache

import (
	"context"
	"fmt"
	"os"

	"github.com/godbus/dbus/v5"
)

// logind names, from the org.freedesktop.login1 D-Bus API of systemd.
const (
	logindService   = "org.freedesktop.login1"
	logindManager   = "org.freedesktop.login1.Manager"
	logindSession   = "org.freedesktop.login1.Session"
	logindPath      = "/org/freedesktop/login1"
	prepareForSleep = logindManager + ".PrepareForSleep"
	sessionLock     = logindSession + ".Lock"
)

// LogindWatcher reports sleep (Manager.PrepareForSleep with true) and
// screen lock (Session.Lock) from systemd-logind.
type LogindWatcher struct {
	// Conn is the bus to listen on; nil means the system bus, which
	// Watch then opens and closes itself.
	Conn *dbus.Conn
}

// Watch implements SessionWatcher.
func (w LogindWatcher) Watch(ctx context.Context, fn func(SessionEvent)) error {
	conn := w.Conn
	if conn == nil {
		c, err := dbus.ConnectSystemBus()
		if err != nil {
			return fmt.Errorf("cache: connect to the system bus for sleep and lock signals: %w", err)
		}
		defer c.Close()
		conn = c
	}

	matches := [][]dbus.MatchOption{
		{dbus.WithMatchInterface(logindManager), dbus.WithMatchMember("PrepareForSleep")},
		{dbus.WithMatchInterface(logindSession), dbus.WithMatchMember("Lock")},
	}
	for _, m := range matches {
		if err := conn.AddMatchSignalContext(ctx, m...); err != nil {
			return fmt.Errorf("cache: subscribe to logind signals: %w", err)
		}
		defer conn.RemoveMatchSignal(m...)
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)

	ownSession := ownSessionPath(ctx, conn)
	for {
		select {
		case <-ctx.Done():
			return nil
		case sig, ok := <-signals:
			if !ok {
				return fmt.Errorf("cache: the bus closed while watching logind signals")
			}
			switch {
			case sig.Name == prepareForSleep && len(sig.Body) == 1 && sig.Body[0] == true:
				fn(SessionSleep)
			case sig.Name == sessionLock && (ownSession == "" || sig.Path == ownSession):
				fn(SessionScreenLock)
			}
		}
	}
}

// ownSessionPath queries logind for this process's session, so a screen lock
// of another user's session is ignored. It returns "" when logind does not
// answer.
// NOTE: without an answer (no logind, or a process outside any session)
// a Lock signal of any session locks the client; that errs towards
// locking.
func ownSessionPath(ctx context.Context, conn *dbus.Conn) dbus.ObjectPath {
	var path dbus.ObjectPath
	obj := conn.Object(logindService, logindPath)
	if err := obj.CallWithContext(ctx, logindManager+".GetSessionByPID", 0, uint32(os.Getpid())).Store(&path); err != nil {
		return ""
	}
	return path
}
