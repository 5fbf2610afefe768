package smime

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func TestKeyWrapRFC3394Vector(t *testing.T) {
	// RFC 3394 section 4.6: wrap 256 bits of key data with a 256-bit KEK.
	kek, _ := hex.DecodeString("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
	key, _ := hex.DecodeString("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")
	want, _ := hex.DecodeString("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21")

	wrapped, err := wrapKey(kek, key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wrapped, want) {
		t.Fatalf("wrapped = %X, want %X", wrapped, want)
	}

	unwrapped, err := unwrapKey(kek, wrapped)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unwrapped, key) {
		t.Fatalf("unwrapped = %X, want %X", unwrapped, key)
	}

	wrapped[10] ^= 1
	if _, err := unwrapKey(kek, wrapped); err == nil {
		t.Fatal("a changed wrapped key passed the integrity check")
	}
}
