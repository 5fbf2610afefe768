package client

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"securemail/account"
	"securemail/cache"
)

// opsIdle is how long a connection for the user's changes stays open
// after its last use. Opening a message marks it read on the server, and
// with a connection per change, reading twenty messages logged in twenty
// times.
const opsIdle = 2 * time.Minute

// opsConns keeps one IMAP connection per account for the changes the
// user makes while reading: mark read and delete. A session owns one,
// and locking closes its connections.
type opsConns struct {
	mu       sync.Mutex
	accounts map[string]*opsConn
	closed   bool
}

// opsConn is one account's connection. Its mutex runs one change at a
// time, because a Syncer is not safe for concurrent use.
type opsConn struct {
	mu     sync.Mutex
	syncer *account.Syncer
	timer  *time.Timer
	// closed is set when Lock or an account change dropped this
	// connection, so a change that was waiting for mu dials a connection
	// of its own instead of caching a new one here.
	closed bool
}

func newOpsConns() *opsConns {
	return &opsConns{accounts: map[string]*opsConn{}}
}

// do runs fn with the account's connection, dialled again when it was
// closed. A failed fn closes the connection, so the next change starts
// on a fresh one.
func (o *opsConns) do(accountID string, cfg *account.Config, cred account.Credentials, store *cache.Store, fn func(*account.Syncer) error) error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		// A change after Lock runs on a connection of its own.
		return doAlone(cfg, cred, store, fn)
	}
	c := o.accounts[accountID]
	if c == nil {
		c = &opsConn{}
		o.accounts[accountID] = c
	}
	o.mu.Unlock()

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return doAlone(cfg, cred, store, fn)
	}
	if c.timer != nil {
		c.timer.Stop()
	}
	reused := c.syncer != nil
	if !reused {
		c.syncer = account.NewSyncer(cfg, cred, store)
	}
	err := fn(c.syncer)
	if err != nil && reused && connectionLost(err) {
		// The server may have ended the idle session before the client
		// noticed, so the change failed on a dead connection: it runs
		// once more on a new one.
		c.syncer.Close()
		c.syncer = account.NewSyncer(cfg, cred, store)
		err = fn(c.syncer)
	}
	if err != nil {
		c.syncer.Close()
		c.syncer = nil
		return err
	}
	c.timer = time.AfterFunc(opsIdle, c.closeIdle)
	return nil
}

// connectionLost reports whether err is the end of the connection, as
// opposed to the server rejecting the command.
func connectionLost(err error) bool {
	var op *net.OpError
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &op)
}

// doAlone runs fn on a connection of its own and closes it.
func doAlone(cfg *account.Config, cred account.Credentials, store *cache.Store, fn func(*account.Syncer) error) error {
	s := account.NewSyncer(cfg, cred, store)
	defer s.Close()
	return fn(s)
}

// closeIdle closes the connection after opsIdle without a change.
func (c *opsConn) closeIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.syncer != nil {
		c.syncer.Close()
		c.syncer = nil
	}
}

// close closes every connection and runs later changes on connections
// of their own.
func (o *opsConns) close() {
	o.mu.Lock()
	o.closed = true
	conns := o.accounts
	o.accounts = nil
	o.mu.Unlock()
	for _, c := range conns {
		c.drop()
	}
}

// forget closes the connection of one account, whose settings or
// password changed, so the next change dials with the new ones.
func (o *opsConns) forget(accountID string) {
	o.mu.Lock()
	c := o.accounts[accountID]
	delete(o.accounts, accountID)
	o.mu.Unlock()
	if c != nil {
		c.drop()
	}
}

// drop closes the connection and marks it closed for the changes still
// waiting for it.
func (c *opsConn) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.timer != nil {
		c.timer.Stop()
	}
	if c.syncer != nil {
		c.syncer.Close()
		c.syncer = nil
	}
}
