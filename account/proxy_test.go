package account

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"securemail/internal/testenv"
)

// listenLoopback starts accepting on 127.0.0.1 and hands every connection
// to serve on its own goroutine until the test ends.
func listenLoopback(t testing.TB, serve func(net.Conn)) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(conn)
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func pipe(a, b net.Conn) {
	go func() { io.Copy(a, b); a.Close() }()
	io.Copy(b, a)
	b.Close()
}

// stripProxy forwards a plaintext IMAP or SMTP session but replies to the
// client's STARTTLS itself with a failure, as an attacker on the path
// would. It records what the client sent.
type stripProxy struct {
	kind string
	port int
	mu   sync.Mutex
	seen strings.Builder
}

func startStripProxy(t testing.TB, target, kind string) *stripProxy {
	p := &stripProxy{kind: kind}
	p.port = listenLoopback(t, func(client net.Conn) {
		server, err := net.Dial("tcp", target)
		if err != nil {
			client.Close()
			return
		}
		defer server.Close()
		defer client.Close()
		go io.Copy(client, server)
		lines := bufio.NewReader(client)
		for {
			line, err := lines.ReadString('\n')
			if err != nil {
				return
			}
			p.mu.Lock()
			p.seen.WriteString(line)
			p.mu.Unlock()
			fields := strings.Fields(line)
			switch {
			case kind == "imap" && len(fields) == 2 && strings.EqualFold(fields[1], "STARTTLS"):
				io.WriteString(client, fields[0]+" NO STARTTLS is not available\r\n")
			case kind == "smtp" && len(fields) == 1 && strings.EqualFold(fields[0], "STARTTLS"):
				io.WriteString(client, "454 4.7.0 TLS not available\r\n")
			default:
				io.WriteString(server, line)
			}
		}
	})
	return p
}

func (p *stripProxy) clientText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen.String()
}

// startWrongCertProxy terminates TLS with a certificate for name, signed
// by the stack's own CA, and forwards to the stack over verified TLS.
func startWrongCertProxy(t testing.TB, st *testenv.MailStack, target, name string) int {
	t.Helper()
	keyPEM, err := os.ReadFile(st.CAKey)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := os.ReadFile(st.CACert)
	if err != nil {
		t.Fatal(err)
	}
	ca := &testCA{pool: st.RootCAs()}
	block, _ := pem.Decode(certPEM)
	if ca.cert, err = x509.ParseCertificate(block.Bytes); err != nil {
		t.Fatal(err)
	}
	block, _ = pem.Decode(keyPEM)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("stack CA key: %v", err)
	}
	ca.key = asECDSA(t, key)
	serverTLS := ca.serverTLS(t, name)

	return listenLoopback(t, func(raw net.Conn) {
		client := tls.Server(raw, serverTLS)
		server, err := tls.Dial("tcp", target, st.TLSConfig())
		if err != nil {
			client.Close()
			return
		}
		pipe(client, server)
	})
}

// cutProxy forwards TCP to target and cuts each connection after a random
// number of bytes from the server while cutting is on.
type cutProxy struct {
	port    int
	cutting atomic.Bool
	cuts    atomic.Int32
	maxCut  int
}

func startCutProxy(t testing.TB, target string, maxCut int) *cutProxy {
	p := &cutProxy{maxCut: maxCut}
	p.cutting.Store(true)
	p.port = listenLoopback(t, func(client net.Conn) {
		server, err := net.Dial("tcp", target)
		if err != nil {
			client.Close()
			return
		}
		if !p.cutting.Load() {
			pipe(client, server)
			return
		}
		limit := int64(rand.IntN(p.maxCut) + 1)
		go func() { io.Copy(server, client); server.Close() }()
		n, _ := io.CopyN(client, server, limit)
		if n == limit {
			p.cuts.Add(1)
		}
		client.Close()
		server.Close()
	})
	return p
}

func asECDSA(t testing.TB, key any) *ecdsa.PrivateKey {
	t.Helper()
	k, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		t.Fatalf("stack CA key is %T, want ECDSA", key)
	}
	return k
}
