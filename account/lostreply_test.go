package account

import (
	"errors"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"securemail/cache"
	"securemail/internal/testenv"
)

// TestStackReplyLostAfterData drops Postfix's reply to the end of DATA on
// its way to the client, through a loopback proxy, so the server accepts
// the message but the client never hears it. The outbox must not send it
// a second time: it holds it as uncertain for the user, and the
// recipient has exactly one copy.
func TestStackReplyLostAfterData(t *testing.T) {
	st := testenv.Stack(t)
	sender, receiver := st.User(t, stackSender), st.User(t, stackReceiver)
	token := "lost-" + uniqueID(t)
	id := "<" + token + "@clinic.test>"
	// A large message, so the TLS handshake and the commands are small
	// beside it. Once the client has sent more bytes than the message,
	// the next bytes from the server are the reply to the end of DATA.
	raw := stackMessage(sender.Address, receiver.Address, token, 200_000)

	target := net.JoinHostPort(st.Host, strconv.Itoa(st.Ports.Submissions))
	var dropped atomic.Bool
	port := listenLoopback(t, func(client net.Conn) {
		server, err := net.Dial("tcp", target)
		if err != nil {
			client.Close()
			return
		}
		defer server.Close()
		defer client.Close()
		var sent atomic.Int64
		go func() {
			buf := make([]byte, 32<<10)
			for {
				n, err := client.Read(buf)
				sent.Add(int64(n))
				if n > 0 {
					server.Write(buf[:n])
				}
				if err != nil {
					server.Close()
					return
				}
			}
		}()
		buf := make([]byte, 32<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 && sent.Load() > int64(len(raw)) {
				dropped.Store(true)
				return
			}
			if n > 0 {
				client.Write(buf[:n])
			}
			if err != nil {
				return
			}
		}
	})

	cfg := stackConfig(st, sender, ImplicitTLS, ImplicitTLS)
	cfg.SMTP = Endpoint{Host: "127.0.0.1", Port: port, Security: ImplicitTLS}
	store := newMemStore()
	o := NewOutbox(cfg, Password(sender.Password), store, nil)
	o.Backoff = func(int) time.Duration { return 0 }
	it := &cache.OutboxItem{MessageID: id, From: sender.Address, Recipients: []string{receiver.Address}, Raw: raw}
	if err := o.Enqueue(it); err != nil {
		t.Fatal(err)
	}

	if err := o.Flush(testContext(t)); err == nil {
		t.Fatal("the first flush reported no error although the reply was dropped")
	}
	if !dropped.Load() {
		t.Fatal("the proxy never dropped a reply; the test proves nothing")
	}
	if got, _ := store.OutboxGet(it.ID); got.State != cache.OutboxSubmitting {
		t.Fatalf("state after the lost reply = %v (%s), want Submitting", got.State, got.LastError)
	}

	err := o.Flush(testContext(t))
	if !errors.Is(err, ErrUncertain) {
		t.Fatalf("second flush: %v, want ErrUncertain", err)
	}
	if err := o.Flush(testContext(t)); err != nil {
		t.Fatalf("third flush: %v", err)
	}
	if got, _ := store.OutboxGet(it.ID); got.State != cache.OutboxUncertain {
		t.Errorf("state = %v, want Uncertain", got.State)
	}

	recvCfg := stackConfig(st, receiver, ImplicitTLS, ImplicitTLS)
	recvClient, err := DialIMAP(testContext(t), recvCfg, Password(receiver.Password), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer recvClient.Close()
	if n, err := waitCount(recvClient, "INBOX", id, 10*time.Second); err != nil || n != 1 {
		t.Errorf("the recipient has %d copies (%v), want exactly 1", n, err)
	}
}
