package account

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeIMAP is a scripted IMAP server on loopback for responses that real
// servers must not send. It serves one folder, INBOX, with UIDs 1 to 3;
// bad(uid, headerOnly) returns a replacement FETCH response for a UID,
// or "" for the normal one.
type fakeIMAP struct {
	port int
	bad  func(uid uint32, headerOnly bool) string
	list string
}

func fakeMessage(uid uint32) string {
	return string(testMessage(int(uid), 300))
}

func startFakeIMAP(t *testing.T, ca *testCA, bad func(uint32, bool) string) *fakeIMAP {
	f := &fakeIMAP{bad: bad, list: `* LIST (\HasNoChildren) "/" INBOX`}
	tlsConfig := ca.serverTLS(t, "localhost", "127.0.0.1")
	f.port = listenLoopback(t, func(raw net.Conn) {
		conn := tls.Server(raw, tlsConfig)
		defer conn.Close()
		f.serve(conn)
	})
	return f
}

func (f *fakeIMAP) serve(conn net.Conn) {
	w := bufio.NewWriter(conn)
	r := bufio.NewReader(conn)
	send := func(s string) { w.WriteString(s); w.Flush() }
	send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			return
		}
		tag, cmd := fields[0], strings.ToUpper(fields[1])
		if cmd == "UID" && len(fields) > 2 {
			cmd += " " + strings.ToUpper(fields[2])
		}
		switch cmd {
		case "CAPABILITY":
			send("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OK done\r\n")
		case "LOGIN":
			send(tag + " OK [CAPABILITY IMAP4rev1] logged in\r\n")
		case "LIST":
			send(f.list + "\r\n" + tag + " OK done\r\n")
		case "SELECT", "EXAMINE":
			send("* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 4] ok\r\n" + tag + " OK [READ-WRITE] done\r\n")
		case "UID SEARCH":
			send("* SEARCH 1 2 3\r\n" + tag + " OK done\r\n")
		case "UID FETCH":
			headerOnly := strings.Contains(line, "BODY.PEEK[HEADER]")
			for _, uid := range parseUIDList(fields[3]) {
				if resp := f.bad(uid, headerOnly); resp != "" {
					send(resp)
					continue
				}
				send(fetchResponse(uid, headerOnly, line))
			}
			send(tag + " OK done\r\n")
		case "LOGOUT":
			send("* BYE bye\r\n" + tag + " OK done\r\n")
			return
		default:
			send(tag + " BAD unknown command\r\n")
		}
	}
}

func fetchResponse(uid uint32, headerOnly bool, request string) string {
	raw := fakeMessage(uid)
	var items string
	switch {
	case strings.Contains(request, "BODY.PEEK[HEADER]"):
		header := raw[:strings.Index(raw, "\r\n\r\n")+4]
		items = fmt.Sprintf(" BODY[HEADER] {%d}\r\n%s", len(header), header)
	case strings.Contains(request, "BODY.PEEK[]"):
		items = fmt.Sprintf(" BODY[] {%d}\r\n%s", len(raw), raw)
	}
	return fmt.Sprintf("* %d FETCH (UID %d FLAGS (\\Seen) INTERNALDATE \"02-Jan-2006 15:04:05 +0000\" RFC822.SIZE %d%s)\r\n",
		uid, uid, len(raw), items)
}

func parseUIDList(set string) []uint32 {
	var out []uint32
	for _, part := range strings.Split(set, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, _ := strconv.Atoi(lo)
		b := a
		if isRange {
			b, _ = strconv.Atoi(hi)
			if hi == "*" {
				b = 3
			}
		}
		for u := a; u <= b && u <= 3; u++ {
			out = append(out, uint32(u))
		}
	}
	return out
}

// TestSyncMalformedResponses checks that a broken FETCH response for UID
// 2 costs only UID 2: the sync ends, UIDs 1 and 3 are stored, and UID 2
// has its own MessageError.
func TestSyncMalformedResponses(t *testing.T) {
	cases := []struct {
		name string
		resp string
	}{
		{"unescaped quotes", "* 2 FETCH (UID 2 FLAGS (\\Seen) INTERNALDATE \"02-Jan-\"2006\" 15:04:05 +0000\" RFC822.SIZE 10 BODY[] {4}\r\nabcd)\r\n"},
		{"odd spacing", "* 2 FETCH  (UID  2 FLAGS (\\Seen)  RFC822.SIZE 10 BODY[] {4}\r\nabcd )\r\n"},
		{"raw 8-bit", "* 2 FETCH (UID 2 FLAGS (\\Se\xffen\xfe) RFC822.SIZE 10 BODY[] {4}\r\nabcd)\r\n"},
		{"literal longer than sent", "* 2 FETCH (UID 2 RFC822.SIZE 10 BODY[] {5000}\r\nshort)\r\n"},
		{"literal size overflow", "* 2 FETCH (UID 2 RFC822.SIZE 10 BODY[] {99999999999999999999}\r\nabcd)\r\n"},
		{"missing body", "* 2 FETCH (UID 2 FLAGS (\\Seen) RFC822.SIZE 10)\r\n"},
		{"truncated response", "* 2 FETCH (UID 2 FLAGS (\\Seen\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ca := newTestCA(t)
			server := startFakeIMAP(t, ca, func(uid uint32, _ bool) string {
				if uid == 2 {
					return tc.resp
				}
				return ""
			})
			cfg := testConfig(ca, &net.TCPAddr{Port: server.port}, ImplicitTLS)
			cfg.ReadTimeout = 300 * time.Millisecond
			store := newMemStore()
			s := NewSyncer(cfg, Password(testPassword), store)
			defer s.Close()

			report, err := s.Sync(testContext(t), nil)
			if err != nil {
				t.Fatalf("Sync: %v", err)
			}
			inbox := store.messages("acct", "INBOX")
			for _, uid := range []uint32{1, 3} {
				if m := inbox[uid]; m == nil || m.HeaderOnly || string(m.Raw) != fakeMessage(uid) {
					t.Errorf("UID %d not stored whole", uid)
				}
			}
			if m := inbox[2]; m != nil && !m.HeaderOnly {
				t.Errorf("UID 2 stored whole from a malformed response: %q", m.Raw)
			}
			var uid2Errors int
			for _, e := range report.MessageErrors {
				if e.UID == 2 {
					uid2Errors++
				} else {
					t.Errorf("unexpected error for UID %d: %v", e.UID, e.Err)
				}
			}
			if uid2Errors == 0 || len(report.FolderErrors) != 0 {
				t.Errorf("report has %d errors for UID 2 and folder errors %v; want UID 2 reported alone", uid2Errors, report.FolderErrors)
			}
		})
	}
}

func TestSyncMalformedList(t *testing.T) {
	ca := newTestCA(t)
	server := startFakeIMAP(t, ca, func(uint32, bool) string { return "" })
	server.list = "* LIST (\\HasNoChildren) \"/\" \"Odd \"quoted\" name\""
	cfg := testConfig(ca, &net.TCPAddr{Port: server.port}, ImplicitTLS)
	cfg.ReadTimeout = 300 * time.Millisecond
	s := NewSyncer(cfg, Password(testPassword), newMemStore())
	defer s.Close()
	if _, err := s.Sync(testContext(t), nil); err == nil {
		t.Fatal("Sync accepted a LIST response with unescaped quotes")
	}
}
