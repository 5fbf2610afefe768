package pgp

// Size limits applied to untrusted input. They bound memory and time for
// crafted messages such as decompression quines.
const (
	// MaxEntitySize is the largest MIME entity OpenEntity and OpenInline
	// accept, in bytes.
	MaxEntitySize = 256 << 20

	// MaxPlaintextSize is the largest plaintext, after decryption and
	// decompression, that a message may produce, in bytes.
	MaxPlaintextSize = 256 << 20

	// MaxParts is the largest number of body parts read from one
	// multipart entity.
	MaxParts = 64

	// MaxInlineBlocks is the largest number of inline OpenPGP blocks
	// opened in one text part.
	MaxInlineBlocks = 16
)
