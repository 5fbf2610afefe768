package pgp

import (
	"bytes"
	"encoding/base64"
)

// armorLineBytes is the number of binary bytes per armor line. 48 bytes
// become 64 base64 characters, the line length gpg writes.
const armorLineBytes = 48

// crc24Table is the byte-wise table of the armor checksum polynomial
// 0x1864CFB (RFC 9580).
var crc24Table = func() [256]uint32 {
	var table [256]uint32
	for i := range table {
		crc := uint32(i) << 16
		for range 8 {
			crc <<= 1
			if crc&0x1000000 != 0 {
				crc ^= 0x1864CFB
			}
		}
		table[i] = crc & 0xFFFFFF
	}
	return table
}()

// crc24 returns the armor checksum of data.
func crc24(data []byte) uint32 {
	crc := uint32(0xB704CE)
	for _, b := range data {
		crc = (crc << 8) ^ crc24Table[byte(crc>>16)^b]
	}
	return crc & 0xFFFFFF
}

// armorEncode returns data as an ASCII-armored block with CRLF line
// breaks and the CRC-24 checksum line. RFC 9580 lets writers drop the
// checksum, but gpg 2.2.40 then misreads some armored signatures: it
// decodes the END line as data and fails. go-crypto's own encoder computes
// the checksum bit by bit, which took a third of the CPU time of
// encrypting 10 MB, hence this table-driven one.
func armorEncode(blockType string, data []byte) []byte {
	lines := (len(data) + armorLineBytes - 1) / armorLineBytes
	var out bytes.Buffer
	out.Grow(lines*66 + 2*len(blockType) + 64)

	out.WriteString("-----BEGIN " + blockType + "-----\r\n\r\n")
	var line [64]byte
	for rest := data; len(rest) > 0; {
		n := min(len(rest), armorLineBytes)
		encodedLength := base64.StdEncoding.EncodedLen(n)
		base64.StdEncoding.Encode(line[:encodedLength], rest[:n])
		out.Write(line[:encodedLength])
		out.WriteString("\r\n")
		rest = rest[n:]
	}

	crc := crc24(data)
	checksum := []byte{byte(crc >> 16), byte(crc >> 8), byte(crc)}
	out.WriteByte('=')
	out.WriteString(base64.StdEncoding.EncodeToString(checksum))
	out.WriteString("\r\n-----END " + blockType + "-----\r\n")
	return out.Bytes()
}
