package pgp

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"golang.org/x/text/encoding/htmlindex"

	"securemail/crypto"
)

// InlineText is a text part with its inline OpenPGP blocks opened.
type InlineText struct {
	// Text is the part's text in UTF-8, with each OpenPGP block replaced
	// by its decrypted or signed content.
	Text string
	// Blocks are the opened blocks, in order.
	Blocks []InlineBlock
	// Partial reports that Text also contains text outside the blocks
	// (other than white space), which no signature or encryption covers.
	Partial bool
}

// InlineBlock is one opened inline OpenPGP block.
type InlineBlock struct {
	// Start and End are the byte offsets of the block's content in
	// InlineText.Text.
	Start, End int
	Status     crypto.PartStatus
}

var (
	beginMessage = []byte("-----BEGIN PGP MESSAGE-----")
	endMessage   = []byte("-----END PGP MESSAGE-----")
	beginSigned  = []byte("-----BEGIN PGP SIGNED MESSAGE-----")
	endSignature = []byte("-----END PGP SIGNATURE-----")
)

// OpenInline finds the "-----BEGIN PGP MESSAGE-----" blocks (encrypted, or
// only signed) and cleartext-signed ("-----BEGIN PGP SIGNED MESSAGE-----")
// blocks in a text/plain entity, decrypts or verifies each, and returns the
// text in UTF-8 with the blocks replaced by their content. The body may be quoted-printable or base64
// and in any charset that golang.org/x/text decodes (Latin-1 and
// windows-1252 among them). Signatures are checked over the bytes in the
// part's own charset, as the sender signed them.
//
// An entity without blocks returns ErrNotOpenPGP. A block that cannot be
// decrypted makes the whole call fail with ErrNoKey, ErrNoIntegrity or
// ErrDecryptionFailed, and no plaintext is returned.
func OpenInline(entity []byte, keys KeyFinder, now time.Time) (*InlineText, error) {
	if err := checkEntitySize(len(entity)); err != nil {
		return nil, err
	}
	p, err := parsePart(entity)
	if err != nil {
		return nil, err
	}
	if p.mediaType != "text/plain" {
		return nil, fmt.Errorf("pgp: inline OpenPGP in %s entity: %w", p.mediaType, ErrNotOpenPGP)
	}
	body, err := p.decodedBody()
	if err != nil {
		return nil, err
	}
	toUTF8, err := charsetDecoder(p.params["charset"])
	if err != nil {
		return nil, err
	}

	opener := inlineOpener{keys: keys, now: now, toUTF8: toUTF8}
	if err := opener.open(body); err != nil {
		wipeBytes(opener.text.Bytes())
		return nil, err
	}
	if len(opener.result.Blocks) == 0 {
		return nil, fmt.Errorf("pgp: text part without inline OpenPGP block: %w", ErrNotOpenPGP)
	}
	opener.result.Text = opener.text.String()
	return &opener.result, nil
}

type inlineOpener struct {
	keys   KeyFinder
	now    time.Time
	toUTF8 func([]byte) (string, error)
	text   bytes.Buffer
	result InlineText
}

// open walks body, copying the text between blocks and opening each block.
func (o *inlineOpener) open(body []byte) error {
	for len(body) > 0 {
		start, kind := nextBlock(body)
		if start < 0 {
			return o.appendPlain(body)
		}
		if err := o.appendPlain(body[:start]); err != nil {
			return err
		}
		if len(o.result.Blocks) == MaxInlineBlocks {
			return fmt.Errorf("pgp: text part has more than %d OpenPGP blocks: %w", MaxInlineBlocks, ErrMalformed)
		}

		var rest []byte
		var err error
		if kind == blockEncrypted {
			rest, err = o.openEncrypted(body[start:])
		} else {
			rest, err = o.openClearsigned(body[start:])
		}
		if err != nil {
			return err
		}
		body = rest
	}
	return nil
}

type inlineKind int

const (
	blockEncrypted inlineKind = iota
	blockClearsigned
)

// nextBlock returns the offset of the first armor line that starts an
// encrypted or cleartext-signed block, or -1.
func nextBlock(body []byte) (int, inlineKind) {
	for pos := 0; pos < len(body); {
		line, next := nextLine(body, pos)
		trimmed := bytes.TrimRight(line, " \t\r")
		switch {
		case bytes.Equal(trimmed, beginMessage):
			return pos, blockEncrypted
		case bytes.Equal(trimmed, beginSigned):
			return pos, blockClearsigned
		}
		pos = next
	}
	return -1, 0
}

func (o *inlineOpener) appendPlain(raw []byte) error {
	s, err := o.toUTF8(raw)
	if err != nil {
		return err
	}
	if strings.TrimSpace(s) != "" {
		o.result.Partial = true
	}
	o.text.WriteString(s)
	return nil
}

// openEncrypted decrypts the armored message at the start of block and
// returns the text after it.
func (o *inlineOpener) openEncrypted(block []byte) ([]byte, error) {
	end := bytes.Index(block, endMessage)
	if end < 0 {
		return nil, fmt.Errorf("pgp: inline OpenPGP message without END line: %w", ErrMalformed)
	}
	end += len(endMessage)
	armored := cleanArmorLines(block[:end])

	plaintext, status, err := decryptMessage(armored, o.keys, o.now, true)
	if err != nil {
		return nil, err
	}
	defer wipeBytes(plaintext)
	content, err := o.toUTF8(plaintext)
	if err != nil {
		return nil, err
	}
	o.appendBlock(content, status)
	return block[end:], nil
}

// openClearsigned verifies the cleartext-signed message at the start of
// block and returns the text after it.
func (o *inlineOpener) openClearsigned(block []byte) ([]byte, error) {
	end := bytes.Index(block, endSignature)
	if end < 0 {
		return nil, fmt.Errorf("pgp: cleartext-signed message without END PGP SIGNATURE line: %w", ErrMalformed)
	}
	end += len(endSignature)

	// clearsign.Decode looks for the BEGIN line after a line break.
	framed := append([]byte("\n"), block[:end]...)
	framed = append(framed, '\n')
	decoded, _ := clearsign.Decode(framed)
	if decoded == nil {
		return nil, fmt.Errorf("pgp: invalid cleartext-signed message: %w", ErrMalformed)
	}

	status := crypto.PartStatus{Signature: o.verifyClearsigned(decoded)}
	content, err := o.toUTF8(decoded.Plaintext)
	if err != nil {
		return nil, err
	}
	o.appendBlock(content, status)
	return block[end:], nil
}

func (o *inlineOpener) verifyClearsigned(b *clearsign.Block) crypto.Signature {
	result := crypto.Signature{Scheme: crypto.SchemeOpenPGP, State: crypto.BadSignature}
	sig, signer, err := openpgp.VerifyDetachedSignature(finderKeyRing{finder: o.keys},
		bytes.NewReader(b.Bytes), b.ArmoredSignature.Body, packetConfig(o.now))
	result.State = signatureState(err)
	if signer == nil {
		if result.State == crypto.GoodSignature {
			result.State = crypto.BadSignature
		}
		return result
	}
	if sig != nil {
		result.SignedAt = sig.CreationTime
	}
	describeEntity(&result, signer)
	return result
}

func (o *inlineOpener) appendBlock(content string, status crypto.PartStatus) {
	start := o.text.Len()
	o.text.WriteString(content)
	o.result.Blocks = append(o.result.Blocks, InlineBlock{Start: start, End: o.text.Len(), Status: status})
}

// cleanArmorLines removes trailing white space from each armor line,
// including no-break spaces (U+00A0 in UTF-8 and in Latin-1).
//
// QUIRK: RFC 4880 requires an empty line after the armor headers,
// but mail editors turn it into a line holding a no-break space, and
// Thunderbird accepts that.
func cleanArmorLines(armored []byte) []byte {
	var out bytes.Buffer
	for pos := 0; pos < len(armored); {
		line, next := nextLine(armored, pos)
		line = bytes.TrimRight(line, " \t\r")
		for {
			switch {
			case bytes.HasSuffix(line, []byte("\u00a0")):
				line = bytes.TrimRight(line[:len(line)-2], " \t")
				continue
			case bytes.HasSuffix(line, []byte{0xa0}):
				line = bytes.TrimRight(line[:len(line)-1], " \t")
				continue
			}
			break
		}
		out.Write(line)
		out.WriteByte('\n')
		pos = next
	}
	return out.Bytes()
}

// charsetDecoder returns a function converting text in charset to UTF-8.
// A missing charset means US-ASCII (RFC 2045), read here as UTF-8, which
// contains it.
func charsetDecoder(charset string) (func([]byte) (string, error), error) {
	name := strings.ToLower(strings.TrimSpace(charset))
	if name == "" || name == "us-ascii" || name == "utf-8" || name == "utf8" {
		return func(b []byte) (string, error) {
			if !utf8.Valid(b) {
				return strings.ToValidUTF8(string(b), "\uFFFD"), nil
			}
			return string(b), nil
		}, nil
	}
	enc, err := htmlindex.Get(name)
	if err != nil {
		return nil, fmt.Errorf("pgp: unknown charset %q: %w", charset, ErrMalformed)
	}
	return func(b []byte) (string, error) {
		out, err := enc.NewDecoder().Bytes(b)
		if err != nil {
			return "", fmt.Errorf("pgp: decode %s text: %w: %w", charset, ErrMalformed, err)
		}
		return string(out), nil
	}, nil
}
