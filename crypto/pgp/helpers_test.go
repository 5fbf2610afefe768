package pgp

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testNow is a fixed time inside the validity of every test key.
var testNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return data
}

func readTestKey(t testing.TB, name string) *Key {
	t.Helper()
	k, err := ReadKey(readTestdata(t, filepath.Join("keys", name)))
	if err != nil {
		t.Fatalf("read key %s: %v", name, err)
	}
	return k
}

// aliceSecret and bobSecret return the unprotected sample secret keys of
// draft-bre-openpgp-samples.
func aliceSecret(t testing.TB) *Key {
	return readTestKey(t, "alice@openpgp.example-0xf231550c4f47e38e-secret.asc")
}

func bobSecret(t testing.TB) *Key {
	return readTestKey(t, "bob@openpgp.example-0xfbfcc82a015e7330-secret.asc")
}

func publicOf(t testing.TB, k *Key) *Key {
	t.Helper()
	pub, err := k.ToPublic()
	if err != nil {
		t.Fatalf("public key of %s: %v", k.Fingerprint(), err)
	}
	return pub
}

const sampleEntity = "Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Patient follow-up on Tuesday.=20\r\n" +
	"From the lab: results attached.\r\n"
