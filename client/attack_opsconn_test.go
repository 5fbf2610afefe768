package client

import (
	"io"
	"net"
	"sync"
	"testing"

	"securemail/account"
	"securemail/internal/testenv"
)

// TestAttackOpsConnAfterAccountChange caches the connection for changes
// through one proxy, then moves the account to another proxy with
// AddAccount, as a user who fixes a wrong server does. The next change
// must go to the new server, not to the connection of the old settings.
func TestAttackOpsConnAfterAccountChange(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, markReadUser)
	c, id, _ := cachedStackMessage(t, st, "ops-change")

	moveTo := func(port int) {
		t.Helper()
		err := c.AddAccount(Account{
			Address: markReadUser,
			IMAP:    account.Endpoint{Host: st.ServerName, Port: port, Security: account.ImplicitTLS},
			SMTP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.Submission, Security: account.StartTLS},
		}, user.Password)
		if err != nil {
			t.Fatal(err)
		}
	}
	old := startCuttingProxy(t, st.Addr(st.Ports.IMAPS), 0)
	moveTo(old.port)
	if err := c.MarkRead(id); err != nil {
		t.Fatal(err)
	}
	if got := old.accepted.Load(); got != 1 {
		t.Fatalf("the read mark made %d connections to the first server, expected 1", got)
	}

	moved := startCuttingProxy(t, st.Addr(st.Ports.IMAPS), 0)
	moveTo(moved.port)
	if err := c.DeleteMessage(id); err != nil {
		t.Fatal(err)
	}
	if got := moved.accepted.Load(); got != 1 {
		t.Errorf("the delete after the account moved made %d connections to the new server, expected 1, "+
			"so it went over the connection made with the old settings", got)
	}
}

// TestAttackOpsConnLockDuringChange runs changes from many goroutines
// while Lock closes the connections. No connection may stay cached in a
// closed set, because nothing closes it then until the idle timer
// fires. The functions do not dial, so an opsConn with a Syncer stands
// for an open connection.
func TestAttackOpsConnLockDuringChange(t *testing.T) {
	const rounds, workers = 300, 8
	cfg := &account.Config{ID: "ops@clinic.test"}
	for round := range rounds {
		o := newOpsConns()
		var started, done sync.WaitGroup
		started.Add(workers)
		for range workers {
			done.Add(1)
			go func() {
				defer done.Done()
				started.Done()
				for range 4 {
					_ = o.do(cfg.ID, cfg, account.Password("x"), nil, func(*account.Syncer) error { return nil })
				}
			}()
		}
		started.Wait()
		o.mu.Lock()
		var conns []*opsConn
		for _, c := range o.accounts {
			conns = append(conns, c)
		}
		o.mu.Unlock()
		o.close()
		done.Wait()

		for _, c := range conns {
			c.mu.Lock()
			left := c.syncer != nil
			if c.timer != nil {
				c.timer.Stop()
			}
			c.mu.Unlock()
			if left {
				t.Fatalf("round %d: a change that started before Lock left a connection open after it", round)
			}
		}
	}
}

// droppingProxy forwards TCP connections on loopback to target and can
// close every open one at once, as a server or NAT that ends idle
// connections does.
type droppingProxy struct {
	port     int
	mu       sync.Mutex
	open     []net.Conn
	accepted int
}

func startDroppingProxy(t *testing.T, target string) *droppingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &droppingProxy{port: ln.Addr().(*net.TCPAddr).Port}
	t.Cleanup(func() {
		ln.Close()
		p.dropAll()
	})
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				conn.Close()
				continue
			}
			p.mu.Lock()
			p.accepted++
			p.open = append(p.open, conn, server)
			p.mu.Unlock()
			go func() {
				io.Copy(server, conn)
				server.Close()
			}()
			go func() {
				io.Copy(conn, server)
				conn.Close()
			}()
		}
	}()
	return p
}

// dropAll closes both ends of every forwarded connection.
func (p *droppingProxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.open {
		c.Close()
	}
	p.open = nil
}

func (p *droppingProxy) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// TestAttackOpsConnDroppedByServer caches the connection for changes,
// then drops it as a server ending an idle session does. The next change
// must dial again and succeed, not fail on the dead connection.
func TestAttackOpsConnDroppedByServer(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, markReadUser)
	c, id, _ := cachedStackMessage(t, st, "ops-dropped")
	proxy := startDroppingProxy(t, st.Addr(st.Ports.IMAPS))
	err := c.AddAccount(Account{
		Address: markReadUser,
		IMAP:    account.Endpoint{Host: st.ServerName, Port: proxy.port, Security: account.ImplicitTLS},
		SMTP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.Submission, Security: account.StartTLS},
	}, user.Password)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MarkRead(id); err != nil {
		t.Fatal(err)
	}

	proxy.dropAll()
	if err := c.DeleteMessage(id); err != nil {
		t.Errorf("the delete right after the server dropped the connection failed: %v", err)
	}
	if got := proxy.connections(); got != 2 {
		t.Errorf("%d connections in all, expected 2: one dropped and one dialled for the delete", got)
	}
}
