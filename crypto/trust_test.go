package crypto

import (
	"errors"
	"io/fs"
	"testing"
	"time"
)

func testDirectory() (*Directory, *time.Time) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return &Directory{Store: memStore{}, Now: func() time.Time { return now }}, &now
}

func TestObserveFirstUseThenKnown(t *testing.T) {
	d, now := testDirectory()
	obs, err := d.Observe(SchemeOpenPGP, "Ana@Clinic.test", Candidate{Fingerprint: "aa11", Source: "autocrypt"})
	if err != nil {
		t.Fatal(err)
	}
	if obs != FirstUse {
		t.Fatalf("first observation = %v, want FirstUse", obs)
	}

	*now = now.Add(time.Hour)
	obs, err = d.Observe(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "AA11"})
	if err != nil {
		t.Fatal(err)
	}
	if obs != Known {
		t.Fatalf("second observation = %v, want Known", obs)
	}
	b, err := d.Lookup(SchemeOpenPGP, "ana@clinic.test")
	if err != nil {
		t.Fatal(err)
	}
	if b.Level != TrustFirstUse {
		t.Errorf("level = %v, want first use", b.Level)
	}
	if !b.LastSeen.Equal(*now) {
		t.Errorf("LastSeen = %v, want %v", b.LastSeen, *now)
	}
}

func TestObserveChangedKeyStaysPending(t *testing.T) {
	d, _ := testDirectory()
	if _, err := d.Observe(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "AA11"}); err != nil {
		t.Fatal(err)
	}
	obs, err := d.Observe(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "BB22", Source: "wkd-direct"})
	if err != nil {
		t.Fatal(err)
	}
	if obs != Changed {
		t.Fatalf("observation = %v, want Changed", obs)
	}
	b, _ := d.Lookup(SchemeOpenPGP, "ana@clinic.test")
	if b.Fingerprint != "AA11" {
		t.Errorf("bound fingerprint = %s, want the old AA11 until accepted", b.Fingerprint)
	}
	if b.Pending == nil || b.Pending.Fingerprint != "BB22" {
		t.Fatalf("pending = %+v, want BB22", b.Pending)
	}

	if err := d.AcceptPending(SchemeOpenPGP, "ana@clinic.test", "CC33"); err == nil {
		t.Error("accepted a fingerprint that was never pending")
	}
	if err := d.AcceptPending(SchemeOpenPGP, "ana@clinic.test", "bb22"); err != nil {
		t.Fatal(err)
	}
	b, _ = d.Lookup(SchemeOpenPGP, "ana@clinic.test")
	if b.Fingerprint != "BB22" {
		t.Errorf("fingerprint after accept = %s, want BB22", b.Fingerprint)
	}
	if len(b.Replaced) != 1 || b.Replaced[0] != "AA11" {
		t.Errorf("replaced = %v, want [AA11]", b.Replaced)
	}
	if b.Pending != nil {
		t.Error("pending key kept after accept")
	}
}

func TestVerifyRaisesTrust(t *testing.T) {
	d, _ := testDirectory()
	if _, err := d.Observe(SchemeSMIME, "lab@lab.test", Candidate{Fingerprint: "ABCD1234"}); err != nil {
		t.Fatal(err)
	}
	if err := d.Verify(SchemeSMIME, "lab@lab.test", "ABCD 9999"); !errors.Is(err, ErrFingerprintMismatch) {
		t.Errorf("wrong fingerprint: err = %v, want ErrFingerprintMismatch", err)
	}
	if err := d.Verify(SchemeSMIME, "lab@lab.test", "abcd 1234"); err != nil {
		t.Fatal(err)
	}
	b, _ := d.Lookup(SchemeSMIME, "lab@lab.test")
	if b.Level != TrustVerified {
		t.Errorf("level = %v, want verified", b.Level)
	}
	// The OpenPGP binding for the same address is separate.
	if _, err := d.Lookup(SchemeOpenPGP, "lab@lab.test"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenPGP lookup err = %v, want not exist", err)
	}
}

func TestBindImportReplacesAndLists(t *testing.T) {
	d, _ := testDirectory()
	d.Observe(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "AA11"})
	if err := d.Bind(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "DD44", Source: "import"}, TrustVerified); err != nil {
		t.Fatal(err)
	}
	list, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("list has %d bindings, want 1", len(list))
	}
	if list[0].Fingerprint != "DD44" || list[0].Level != TrustVerified {
		t.Errorf("binding = %+v, want DD44 verified", list[0])
	}
	if err := d.Remove(SchemeOpenPGP, "ana@clinic.test"); err != nil {
		t.Fatal(err)
	}
	if list, _ := d.List(); len(list) != 0 {
		t.Errorf("list after remove has %d bindings", len(list))
	}
}

func TestOwnKeysRoundTrip(t *testing.T) {
	o := OwnKeys{Store: memStore{}}
	if err := o.Put(SchemeOpenPGP, "ab12", []byte("secret")); err != nil {
		t.Fatal(err)
	}
	got, err := o.Get(SchemeOpenPGP, "AB12")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "secret" {
		t.Errorf("Get = %q", got)
	}
	fps, _ := o.Fingerprints(SchemeOpenPGP)
	if len(fps) != 1 || fps[0] != "AB12" {
		t.Errorf("fingerprints = %v", fps)
	}
	if fps, _ := o.Fingerprints(SchemeSMIME); len(fps) != 0 {
		t.Errorf("S/MIME store shares OpenPGP keys: %v", fps)
	}
	if err := o.Put(SchemeNone, "x", nil); err == nil {
		t.Error("stored a key for scheme none")
	}
}

// joinMerge is a stand-in merge that records both copies.
func joinMerge(_ Scheme, stored, seen []byte) ([]byte, error) {
	return append(append(append([]byte{}, stored...), '+'), seen...), nil
}

func TestObserveKnownKeyMergesCopy(t *testing.T) {
	d, _ := testDirectory()
	d.Merge = joinMerge
	if _, err := d.Observe(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "AA11", Public: []byte("v1")}); err != nil {
		t.Fatal(err)
	}
	obs, err := d.Observe(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "AA11", Public: []byte("v2")})
	if err != nil {
		t.Fatal(err)
	}
	if obs != Known {
		t.Fatalf("observation = %v, want Known", obs)
	}
	b, _ := d.Lookup(SchemeOpenPGP, "ana@clinic.test")
	if string(b.Public) != "v1+v2" {
		t.Errorf("stored copy %q, want the merge of both %q", b.Public, "v1+v2")
	}
}

func TestObserveFailedMergeKeepsStoredCopy(t *testing.T) {
	d, _ := testDirectory()
	rejected := errors.New("forged self-signature")
	d.Merge = func(Scheme, []byte, []byte) ([]byte, error) { return nil, rejected }
	if _, err := d.Observe(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "AA11", Public: []byte("v1")}); err != nil {
		t.Fatal(err)
	}
	obs, err := d.Observe(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "AA11", Public: []byte("forged")})
	if !errors.Is(err, rejected) {
		t.Errorf("err = %v, want the merge error", err)
	}
	if obs != Known {
		t.Errorf("observation = %v, want Known", obs)
	}
	b, _ := d.Lookup(SchemeOpenPGP, "ana@clinic.test")
	if string(b.Public) != "v1" {
		t.Errorf("stored copy %q, want the old %q", b.Public, "v1")
	}
}

func TestBindSameKeyMergesCopy(t *testing.T) {
	d, _ := testDirectory()
	d.Merge = joinMerge
	if err := d.Bind(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "AA11", Public: []byte("v1")}, TrustVerified); err != nil {
		t.Fatal(err)
	}
	if err := d.Bind(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "aa11", Public: []byte("old file")}, TrustVerified); err != nil {
		t.Fatal(err)
	}
	b, _ := d.Lookup(SchemeOpenPGP, "ana@clinic.test")
	if string(b.Public) != "v1+old file" {
		t.Errorf("stored copy %q, want the merge %q", b.Public, "v1+old file")
	}
	if len(b.Replaced) != 0 {
		t.Errorf("Replaced = %v for the same key, want none", b.Replaced)
	}

	if err := d.Bind(SchemeOpenPGP, "ana@clinic.test", Candidate{Fingerprint: "BB22", Public: []byte("other")}, TrustVerified); err != nil {
		t.Fatal(err)
	}
	b, _ = d.Lookup(SchemeOpenPGP, "ana@clinic.test")
	if string(b.Public) != "other" {
		t.Errorf("stored copy %q after importing another key, want %q", b.Public, "other")
	}
}
