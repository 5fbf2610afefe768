package pgp

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

func TestArmorEncodeRoundTrip(t *testing.T) {
	for _, size := range []int{0, 1, 47, 48, 49, 1000, 100000} {
		data := bytes.Repeat([]byte{0x5a, 0x00, 0xff, 0x13}, size/4+1)[:size]
		encoded := armorEncode("PGP MESSAGE", data)

		// go-crypto's decoder checks the CRC-24 line when present.
		block, err := armor.Decode(bytes.NewReader(encoded))
		if err != nil {
			t.Fatalf("size %d: decode: %v", size, err)
		}
		decoded, err := io.ReadAll(block.Body)
		if err != nil {
			t.Fatalf("size %d: read (checksum mismatch?): %v", size, err)
		}
		if !bytes.Equal(decoded, data) {
			t.Errorf("size %d: round trip changed the data", size)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(encoded), "\r\n"), "\r\n") {
			if len(line) > 76 {
				t.Errorf("size %d: armor line of %d characters", size, len(line))
			}
		}
	}
}

// TestArmorChecksumMatchesGoCrypto compares the checksum line with the one
// go-crypto's own encoder writes. go-crypto's decoder ignores the checksum
// (RFC 9580 §6.1 allows that), so a round trip alone would not catch a
// wrong one, but gpg 2.2 checks it.
func TestArmorChecksumMatchesGoCrypto(t *testing.T) {
	for _, size := range []int{0, 5, 48, 1000} {
		data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		var reference bytes.Buffer
		w, err := armor.Encode(&reference, "PGP SIGNATURE", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		want := checksumLine(reference.String())
		got := checksumLine(string(armorEncode("PGP SIGNATURE", data)))
		if want == "" || got != want {
			t.Errorf("size %d: checksum line %q, go-crypto writes %q", size, got, want)
		}
	}
}

func checksumLine(armored string) string {
	for _, line := range strings.Split(strings.ReplaceAll(armored, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(line, "=") && len(line) == 5 {
			return line
		}
	}
	return ""
}

func TestCRC24KnownValue(t *testing.T) {
	// The CRC-24 of no data is the initial value 0xB704CE (RFC 9580 §6.1).
	if got := crc24(nil); got != 0xB704CE {
		t.Errorf("crc24(empty) = %06X, want B704CE", got)
	}
	if got, want := crc24([]byte("123456789")), bitwiseCRC24([]byte("123456789")); got != want {
		t.Errorf("crc24 = %06X, bitwise definition gives %06X", got, want)
	}
}

// bitwiseCRC24 is the CRC-24 computed bit by bit as RFC 9580 §6.1 defines
// it, to check the table-driven version.
func bitwiseCRC24(data []byte) uint32 {
	crc := uint32(0xB704CE)
	for _, b := range data {
		crc ^= uint32(b) << 16
		for range 8 {
			crc <<= 1
			if crc&0x1000000 != 0 {
				crc ^= 0x1864CFB
			}
		}
	}
	return crc & 0xFFFFFF
}
