package pgp

import "fmt"

// Size limits applied to untrusted input. They bound memory and time for
// crafted messages such as decompression quines.
const (
	// MaxEntitySize is the largest MIME entity OpenEntity and OpenInline
	// accept, in bytes.
	MaxEntitySize = 256 << 20

	// MaxPlaintextSize is the largest plaintext, after decryption and
	// decompression, that a message may produce, in bytes.
	MaxPlaintextSize = 256 << 20

	// MaxHeaderSize is the largest header section of a MIME entity, in
	// bytes. go-message's header reader has no limit of its own.
	MaxHeaderSize = 256 << 10

	// MaxParts is the largest number of body parts read from one
	// multipart entity.
	MaxParts = 64

	// MaxInlineBlocks is the largest number of inline OpenPGP blocks
	// opened in one text part.
	MaxInlineBlocks = 16
)

func checkEntitySize(size int) error {
	if size > MaxEntitySize {
		return fmt.Errorf("pgp: entity of %d bytes is over the limit of %d bytes: %w", size, MaxEntitySize, ErrTooLarge)
	}
	return nil
}
