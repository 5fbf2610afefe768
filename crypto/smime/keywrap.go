package smime

import (
	"crypto/aes"
	"crypto/subtle"
	"encoding/binary"
	"errors"
)

// keyWrapIV is the default initial value of RFC 3394 section 2.2.3.1.
var keyWrapIV = []byte{0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6}

// wrapKey wraps key (a multiple of 8 bytes, at least 16) with kek using
// the AES key wrap of RFC 3394.
func wrapKey(kek, key []byte) ([]byte, error) {
	if len(key) < 16 || len(key)%8 != 0 {
		return nil, errors.New("smime: key to wrap must be a multiple of 8 bytes and at least 16")
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	n := len(key) / 8
	out := make([]byte, 8+len(key))
	copy(out, keyWrapIV)
	copy(out[8:], key)
	var buf [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			copy(buf[:8], out[:8])
			copy(buf[8:], out[i*8:i*8+8])
			block.Encrypt(buf[:], buf[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(out[:8], binary.BigEndian.Uint64(buf[:8])^t)
			copy(out[i*8:], buf[8:])
		}
	}
	return out, nil
}

// unwrapKey reverses wrapKey and checks the integrity value.
func unwrapKey(kek, wrapped []byte) ([]byte, error) {
	if len(wrapped) < 24 || len(wrapped)%8 != 0 {
		return nil, errors.New("smime: wrapped key has an invalid length")
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	n := len(wrapped)/8 - 1
	out := make([]byte, len(wrapped))
	copy(out, wrapped)
	var buf [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(buf[:8], binary.BigEndian.Uint64(out[:8])^t)
			copy(buf[8:], out[i*8:i*8+8])
			block.Decrypt(buf[:], buf[:])
			copy(out[:8], buf[:8])
			copy(out[i*8:], buf[8:])
		}
	}
	if subtle.ConstantTimeCompare(out[:8], keyWrapIV) != 1 {
		return nil, errors.New("smime: key unwrap integrity check failed")
	}
	return out[8:], nil
}
