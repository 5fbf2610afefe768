package pgp

import "strings"

// repairExchange recognizes PGP/MIME that Microsoft Exchange rewrote: it
// turns multipart/encrypted into multipart/mixed with an empty text part
// first, then the version part and the encrypted part as attachments. When
// p has that shape, repairExchange returns the decoded OpenPGP message.
//
// QUIRK: RFC 3156 requires multipart/encrypted. Thunderbird repairs this
// shape the same way (its test data includes such a message), because the
// parts are intact and only the structure was changed.
func repairExchange(p *part) ([]byte, bool) {
	parts, err := splitMultipart(p.body, p.params["boundary"])
	if err != nil || len(parts) != 3 {
		return nil, false
	}

	text, err := parsePart(parts[0])
	if err != nil || text.mediaType != "text/plain" {
		return nil, false
	}
	textBody, err := text.decodedBody()
	if err != nil || strings.TrimSpace(string(textBody)) != "" {
		return nil, false
	}

	control, err := parsePart(parts[1])
	if err != nil || control.mediaType != "application/pgp-encrypted" {
		return nil, false
	}
	version, err := control.decodedBody()
	if err != nil || !strings.Contains(string(version), "Version: 1") {
		return nil, false
	}

	payload, err := parsePart(parts[2])
	if err != nil || payload.mediaType != "application/octet-stream" {
		return nil, false
	}
	ciphertext, err := payload.decodedBody()
	if err != nil || !isArmored(ciphertext) {
		return nil, false
	}
	return ciphertext, true
}
