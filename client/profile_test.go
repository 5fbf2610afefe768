package client

import (
	"errors"
	"strings"
	"testing"
	"time"

	"securemail/audit"
	"securemail/cache"
	"securemail/crypto"
	"securemail/internal/testenv"
)

func TestProfileLockUnlockCycle(t *testing.T) {
	eff := testPolicy(t)
	c, opts := newProfile(t, "cycle", eff)
	info, err := c.GenerateKey("Rosa Lind", "rosa@clinic.test", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Lock("manual"); err != nil {
		t.Fatal(err)
	}
	if !c.Locked() {
		t.Fatal("Locked() = false after Lock")
	}
	if _, err := c.Keys(); !errors.Is(err, ErrLocked) {
		t.Errorf("Keys while locked: err = %v, want ErrLocked", err)
	}

	reopened, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := reopened.Unlock([]byte("wrong")); !errors.Is(err, cache.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: err = %v", err)
	}
	if err := reopened.Unlock([]byte("correct horse cycle")); err != nil {
		t.Fatal(err)
	}
	defer reopened.Lock("test over")

	keys, err := reopened.Keys()
	if err != nil {
		t.Fatal(err)
	}
	var own *KeyInfo
	for i := range keys {
		if keys[i].Own && keys[i].Fingerprint == info.Fingerprint {
			own = &keys[i]
		}
	}
	if own == nil {
		t.Fatalf("own key %s missing after unlock: %+v", info.Fingerprint, keys)
	}

	// The failed unlock happened while the trail was closed; it must be
	// recorded all the same.
	records, err := reopened.AuditRecords(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[audit.Kind]int{}
	for _, r := range records {
		kinds[r.Kind]++
		if !r.Verified {
			t.Errorf("audit entry %d does not verify", r.Seq)
		}
	}
	for _, k := range []audit.Kind{audit.KindVaultUnlocked, audit.KindVaultLocked, audit.KindUnlockFailed, audit.KindKeyGenerated} {
		if kinds[k] == 0 {
			t.Errorf("no %s entry in the audit trail: %v", k, kinds)
		}
	}
	rep, err := reopened.VerifyAudit()
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Errorf("audit chain problems: %v", rep.Problems)
	}
}

func TestImportedPublicKeyIsBound(t *testing.T) {
	eff := testPolicy(t)
	alice, _ := newProfile(t, "alice", eff)
	bob, _ := newProfile(t, "bob", eff)
	bobKey, err := bob.GenerateKey("Bob Ames", "bob@clinic.test", false)
	if err != nil {
		t.Fatal(err)
	}
	armored, err := bob.ExportPublicKey(bobKey.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(armored, "PRIVATE") {
		t.Fatal("exported public key contains private material")
	}
	infos, err := alice.ImportOpenPGP([]byte(armored), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 1 || infos[0].Own {
		t.Fatalf("import = %+v, want one contact key", infos)
	}
	if err := alice.VerifyFingerprint(crypto.SchemeOpenPGP, "bob@clinic.test", "0000"); !errors.Is(err, crypto.ErrFingerprintMismatch) {
		t.Errorf("verifying a wrong fingerprint: err = %v", err)
	}
}

func TestVaultWithGnomeKeyring(t *testing.T) {
	testenv.Keyring(t)
	eff := testPolicy(t)
	opts := Options{Dir: t.TempDir(), Name: "keyring-" + strings.ReplaceAll(t.Name(), "/", "-"), Policy: eff, NoDiscovery: true, kdf: &testKDF}
	c, err := Create(opts, []byte("passphrase for the real keyring"), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.VaultMode() != cache.ModeDeviceSecret {
		t.Errorf("mode = %v, want device secret", c.VaultMode())
	}
	if err := c.Lock("test"); err != nil {
		t.Fatal(err)
	}
	again, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Unlock([]byte("passphrase for the real keyring")); err != nil {
		t.Fatalf("unlock through gnome-keyring: %v", err)
	}
	if err := again.Destroy(); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if Exists(opts.Dir) {
		t.Error("profile still has a vault after Destroy")
	}
}
