package ui

import (
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"securemail/cache"
	"securemail/crypto"
)

func TestMessageListLoadsPagesOnDemand(t *testing.T) {
	c := newFakeClient()
	c.total = 100_000
	c.folders[0].Total = c.total
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	m := s.mail

	if m.rowCount != 100_000 {
		t.Fatalf("list length %d, want 100000", m.rowCount)
	}
	if c.listCalls > 2 {
		t.Errorf("%d page loads to show the first screen, want at most 2", c.listCalls)
	}
	for _, row := range []int{50_000, 99_999, 0, 12_345} {
		calls := c.listCalls
		m.messageList.ScrollTo(row)
		got, loaded := m.summaryAt(row)
		if !loaded || got.Subject != "Result "+strconv.Itoa(row) {
			t.Errorf("row %d after scrolling to it: loaded %v, subject %q", row, loaded, got.Subject)
		}
		if c.listCalls-calls > 2 {
			t.Errorf("scrolling to row %d loaded %d pages, want at most 2", row, c.listCalls-calls)
		}
	}
}

func TestPagerKeepsFewPages(t *testing.T) {
	loads := 0
	p := newPager(func(f func()) { f() }, func(offset, limit int) ([]cache.Summary, error) {
		loads++
		return []cache.Summary{{ID: int64(offset)}}, nil
	}, func(error) {})
	for i := 0; i < 100; i++ {
		if s, ok := p.row(i * pageSize); !ok || s.ID != int64(i*pageSize) {
			t.Fatalf("row %d = %v, %v", i*pageSize, s, ok)
		}
	}
	if n := p.loadedPages(); n != maxPages {
		t.Errorf("%d pages in memory, want %d", n, maxPages)
	}
	p.row(99 * pageSize)
	if loads != 100 {
		t.Errorf("%d loads, want 100: a page in memory was loaded again", loads)
	}
	p.reset(p.load)
	if n := p.loadedPages(); n != 0 {
		t.Errorf("%d pages after reset", n)
	}
}

func TestOpenMessageShowsBannerOutsideBody(t *testing.T) {
	c := newFakeClient()
	c.messages[1] = encryptedSignedMessage("Potassium 6.1 mmol/L.")
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	s.mail.messageList.Select(0)

	got := screenText(s.win)
	for _, want := range []string{"Encrypted with OpenPGP (AES-256).", "Signed by lab@lab.example, verified", "Potassium 6.1"} {
		if !strings.Contains(got, want) {
			t.Errorf("message view lacks %q", want)
		}
	}
	// The banner is the top of the view's border layout, apart from the
	// scrolled message area that the sender's text fills.
	border := s.mail.view.root.Objects[0].(*fyne.Container)
	body, top := test.RenderObjectToMarkup(border.Objects[0]), test.RenderObjectToMarkup(border.Objects[1])
	if !strings.Contains(top, "Encrypted with OpenPGP") || strings.Contains(top, "Potassium") {
		t.Errorf("top of the message view is not the banner alone:\n%s", top)
	}
	if strings.Contains(body, "Encrypted with OpenPGP") {
		t.Error("banner text inside the message area")
	}
}

func TestOpenMessageFailureShowsError(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	s.mail.messageList.Select(2)
	if got := screenText(s.win); !strings.Contains(got, "could not be opened") {
		t.Errorf("no error shown for a missing message:\n%s", got)
	}
}

func TestSearchAcrossFolders(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	test.Type(s.mail.search, "result 2")
	s.mail.search.OnSubmitted(s.mail.search.Text)
	if s.mail.rowCount != 1 {
		t.Errorf("search found %d rows, want 1", s.mail.rowCount)
	}
	if got := s.mail.status.label.Text; got != "1 message found in all folders" {
		t.Errorf("status = %q", got)
	}
	test.Type(s.mail.search, "")
	s.mail.runSearch("")
	if s.mail.rowCount != 3 {
		t.Errorf("clearing the search shows %d rows, want the folder's 3", s.mail.rowCount)
	}
	if got := s.mail.status.label.Text; strings.Contains(got, "found") {
		t.Errorf("status after clearing the search still reads %q", got)
	}
}

func TestReplyFromOpenedMessage(t *testing.T) {
	c := newFakeClient()
	c.messages[1] = encryptedSignedMessage("Potassium 6.1 mmol/L.")
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	s.mail.messageList.Select(0)

	s.runAction("reply")
	if len(s.children) != 1 {
		t.Fatalf("reply opened %d windows", len(s.children))
	}
	got := screenText(s.children[0])
	if !strings.Contains(got, "lab@lab.example · checking key") && !strings.Contains(got, "lab@lab.example · no key") {
		t.Errorf("reply window lacks the recipient chip:\n%s", got)
	}
	if !strings.Contains(got, "&gt; Potassium 6.1") && !strings.Contains(got, "> Potassium 6.1") {
		t.Errorf("reply does not quote the message")
	}
}

func TestSecurityStatus(t *testing.T) {
	good := encryptedSignedMessage("x")
	tests := []struct {
		name string
		edit func(m *crypto.Message)
		want string
	}{
		{"encrypted and verified", func(*crypto.Message) {}, "Signed by lab@lab.example, verified (OpenPGP 0123 4567"},
		{"plain", func(m *crypto.Message) {
			m.Encryption, m.Signature = crypto.CoverageNone, crypto.CoverageNone
			m.Root.Status = crypto.PartStatus{}
		}, "Not encrypted"},
		{"bad signature", func(m *crypto.Message) { m.Root.Status.Signature.State = crypto.BadSignature }, "The signature is invalid"},
		{"unknown key", func(m *crypto.Message) { m.Root.Status.Signature.State = crypto.UnknownKey }, "not in your key store (0123 4567"},
		{"unknown key without fingerprint", func(m *crypto.Message) {
			m.Root.Status.Signature.State, m.Root.Status.Signature.Fingerprint = crypto.UnknownKey, ""
		}, "Signed with a key that is not in your key store; the sender"},
		{"key changed", func(m *crypto.Message) { m.Root.Status.Signature.KeyChanged = true }, "key changed since you last saw it"},
		{"partly signed", func(m *crypto.Message) { m.Signature = crypto.CoveragePartial }, "Partly signed"},
		{"partly encrypted", func(m *crypto.Message) { m.Encryption = crypto.CoveragePartial }, "Partly encrypted"},
		{"signer not From", func(m *crypto.Message) { m.Root.Status.Signature.MatchesFrom = false }, "not the address in From"},
		{"no integrity", func(m *crypto.Message) { m.Root.Status.Encryption.IntegrityProtected = false }, "without integrity protection"},
		{"problem part", func(m *crypto.Message) { m.Problems = append(m.Problems, crypto.ErrMessageTooLarge) }, "could not be opened"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := *good
			root := *good.Root
			m.Root = &root
			tt.edit(&m)
			var texts []string
			for _, l := range SecurityStatus(&m) {
				texts = append(texts, l.Text)
			}
			if got := strings.Join(texts, " | "); !strings.Contains(got, tt.want) {
				t.Errorf("SecurityStatus = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestMessageTextPrefersPlainAlternative(t *testing.T) {
	m := &crypto.Message{Root: &crypto.Part{MediaType: "multipart/alternative", Children: []*crypto.Part{
		{MediaType: "text/plain", Body: []byte("plain version")},
		{MediaType: "text/html", Body: []byte("<p>html version</p>")},
	}}}
	if got := MessageText(m); got != "plain version" {
		t.Errorf("MessageText = %q", got)
	}
	m.Root.Children = m.Root.Children[1:]
	if got := MessageText(m); got != "html version" {
		t.Errorf("MessageText of HTML only = %q", got)
	}
}

func TestFirstScreenFilledFromOneLoad(t *testing.T) {
	c := newFakeClient()
	c.total = 100_000
	c.folders[0].Total = c.total
	// Unlocked from the start, so the shell shows the mail screen and
	// runs no sync.
	c.locked = false
	a := test.NewTempApp(t)
	s := NewShell(a, c, Options{})
	var queued []func()
	s.background = func(f func()) { queued = append(queued, f) }
	s.autosaveEvery = 0
	s.win.Resize(fyne.NewSize(1200, 760))
	s.Start()

	// Run the folder load alone. A page load it starts stays queued.
	if len(queued) != 1 {
		t.Fatalf("%d background jobs after Start, want the folder load alone", len(queued))
	}
	load := queued[0]
	queued = nil
	load()

	if len(queued) != 0 {
		t.Errorf("%d more background jobs after the folder load, want 0", len(queued))
	}
	if c.listCalls != 1 {
		t.Errorf("%d page loads to show the first screen, want 1", c.listCalls)
	}
	got := screenText(s.win)
	if strings.Contains(got, "Loading…") {
		t.Errorf("first screen still shows rows that are loading:\n%s", got)
	}
	for _, want := range []string{"INBOX (2)", "Result 0", "Result 5"} {
		if !strings.Contains(got, want) {
			t.Errorf("first screen lacks %q", want)
		}
	}
}

func TestFolderReloadKeepsShownFolder(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	m := s.mail
	m.folderList.Select(1)
	if m.current != 1 {
		t.Fatalf("current folder %d after selecting Sent, want 1", m.current)
	}

	// A new folder sorts before Sent, so Sent moves to index 2.
	c.mu.Lock()
	c.folders = append(c.folders[:1:1], cache.Folder{Account: "dr.rivera@clinic.example", Name: "Lab", Total: 7}, c.folders[1])
	c.folders[2].Total = 2
	c.mu.Unlock()
	calls := c.listCalls
	m.loadFolders()

	if m.current != 2 || m.folders[m.current].Name != "Sent" {
		t.Errorf("after the reload the list shows folder %d, want Sent at 2", m.current)
	}
	if m.rowCount != 2 {
		t.Errorf("Sent lists %d rows after the reload, want 2", m.rowCount)
	}
	if c.listCalls-calls != 1 {
		t.Errorf("the reload loaded %d pages, want 1", c.listCalls-calls)
	}

	c.mu.Lock()
	c.folders = c.folders[:2]
	c.mu.Unlock()
	m.loadFolders()
	if m.current != -1 || m.rowCount != 0 {
		t.Errorf("after Sent was removed: current %d, %d rows, want -1 and 0", m.current, m.rowCount)
	}
}

func TestFitTextShortensWithEllipsis(t *testing.T) {
	test.NewTempApp(t)
	size := float32(14)
	style := fyne.TextStyle{}
	long := "Potassium result for the ward round, repeated twice"
	full := fyne.MeasureText(long, size, style).Width

	if got := fitText(long, full, size, style); got != long {
		t.Errorf("text that fits was changed to %q", got)
	}
	got := fitText(long, full/2, size, style)
	if !strings.HasSuffix(got, "…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("shortened text %q is not a prefix of the text plus an ellipsis", got)
	}
	if w := fyne.MeasureText(got, size, style).Width; w > full/2 {
		t.Errorf("shortened text is %v wide, more than the %v available", w, full/2)
	}
	longer := strings.TrimSuffix(got, "…") + string([]rune(long)[len([]rune(got))-1]) + "…"
	if w := fyne.MeasureText(longer, size, style).Width; w <= full/2 {
		t.Errorf("%q would also fit, so the prefix is not the longest", longer)
	}
	if got := fitText(long, 1, size, style); got != "…" {
		t.Errorf("text in a width of 1 = %q, want the ellipsis alone", got)
	}
}
