package client

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"securemail/crypto"
	"securemail/crypto/discovery"
	"securemail/crypto/pgp"
)

// withoutUserID returns the binary public key public with the user ID
// name removed, as the copy Mallory showed before adding it.
func withoutUserID(t *testing.T, public []byte, name string) []byte {
	t.Helper()
	e, err := openpgp.ReadEntity(packet.NewReader(bytes.NewReader(public)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Identities[name]; !ok {
		t.Fatalf("the key has no user ID %q", name)
	}
	delete(e.Identities, name)
	var out bytes.Buffer
	if err := e.Serialize(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// openAutocryptMail stores and opens an unsigned mail from from whose
// Autocrypt header carries public.
func openAutocryptMail(t *testing.T, victim *Client, from, id string, public []byte) {
	t.Helper()
	ac, err := discovery.FormatAutocrypt(from, discovery.NoPreference, public)
	if err != nil {
		t.Fatal(err)
	}
	raw := "From: " + from + "\r\nTo: victim@clinic.test\r\nSubject: hello\r\nMessage-ID: <" + id + ">\r\n" +
		"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nAutocrypt: " + ac + "\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
	if _, err := victim.OpenMessage(putRawMessage(t, victim, []byte(raw))); err != nil {
		t.Fatal(err)
	}
}

// TestAttackMergedUserIDClaimsAddress binds Mallory's key to his own
// address, then shows a new copy of it through an Autocrypt header that
// adds Rosa's address as a user ID, self-signed by Mallory's key, which
// the merge keeps. Mail from Rosa signed by Mallory's key must not
// then count as a good signature matching From, and must not bind Rosa's
// address to Mallory's key, nor pick that key for mail to Rosa.
func TestAttackMergedUserIDClaimsAddress(t *testing.T) {
	victim, _ := newProfile(t, "attack-merge-uid", testPolicy(t))
	now := time.Now()
	mallory, err := pgp.GenerateKey("Mallory", "mallory@evil.test", &pgp.KeyOptions{
		Now:         now.Add(-time.Hour),
		MoreUserIDs: []pgp.UserID{{Name: "Rosa Lind", Email: "rosa@clinic.test"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	public, err := mallory.ToPublic()
	if err != nil {
		t.Fatal(err)
	}
	full, err := public.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	first := withoutUserID(t, full, "Rosa Lind <rosa@clinic.test>")

	trust := victimTrust(t, victim)
	openAutocryptMail(t, victim, "mallory@evil.test", "merge-uid-1@evil.test", first)
	bound, err := trust.Lookup(crypto.SchemeOpenPGP, "mallory@evil.test")
	if err != nil {
		t.Fatalf("Mallory's first Autocrypt key is not bound: %v", err)
	}
	firstKey, err := pgp.ReadKey(bound.Public)
	if err != nil {
		t.Fatal(err)
	}
	if firstKey.MatchesAddress("rosa@clinic.test") {
		t.Fatal("the first copy already names Rosa; the case does not apply")
	}

	openAutocryptMail(t, victim, "mallory@evil.test", "merge-uid-2@evil.test", full)
	bound, err = trust.Lookup(crypto.SchemeOpenPGP, "mallory@evil.test")
	if err != nil {
		t.Fatal(err)
	}
	if bound.Fingerprint != mallory.Fingerprint() {
		t.Fatalf("Mallory's binding changed to %s", bound.Fingerprint)
	}

	signed, err := pgp.SignEntity([]byte("Content-Type: text/plain; charset=utf-8\r\n\r\nStop the anticoagulant today.\r\n"), mallory, now)
	if err != nil {
		t.Fatal(err)
	}
	header := hostileHeader("merge-uid-3@evil.test", "Rosa Lind <rosa@clinic.test>", "Dose", "text/plain")
	header = strings.Replace(header, "Content-Type: text/plain\r\n", "", 1)
	raw, err := crypto.Assemble(mustHeader(header), signed)
	if err != nil {
		t.Fatal(err)
	}
	o, err := victim.OpenMessage(putRawMessage(t, victim, raw))
	if err != nil {
		t.Fatal(err)
	}
	leaves := o.Root.Leaves()
	if len(leaves) != 1 {
		t.Fatalf("%d leaves, want 1", len(leaves))
	}
	sig := leaves[0].Status.Signature
	rosa, err := trust.Lookup(crypto.SchemeOpenPGP, "rosa@clinic.test")
	rosaBound := err == nil && rosa.Fingerprint == mallory.Fingerprint()
	if sig.State == crypto.GoodSignature && sig.MatchesFrom {
		t.Errorf("Mallory's signature on mail from Rosa is good and matches From: %+v", sig)
	}
	if rosaBound {
		t.Errorf("Rosa's address is bound to Mallory's key %s", rosa.Fingerprint)
	}

	s, err := victim.current()
	if err != nil {
		t.Fatal(err)
	}
	status, err := keyDirectory{c: victim, s: s}.OpenPGP("rosa@clinic.test")
	if err != nil {
		t.Fatal(err)
	}
	if status.Fingerprint == mallory.Fingerprint() {
		t.Errorf("mail to Rosa would be encrypted to Mallory's key (state %v)", status.State)
	}
}
