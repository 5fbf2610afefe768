package account

import (
	"bufio"
	"bytes"
	"mime"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
)

// headerInfo is the data sync reads from a message header itself: the
// date for sorting and whether the message is encrypted.
type headerInfo struct {
	date      time.Time
	encrypted bool
}

// parseHeaderInfo reads the Date and Content-Type fields. A missing or
// invalid Date falls back to the server's INTERNALDATE, because a list
// sorted by date needs some date for every message.
func parseHeaderInfo(raw []byte, internalDate time.Time) headerInfo {
	info := headerInfo{date: internalDate}

	reader := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	fields, _ := reader.ReadMIMEHeader() // a partial header still helps

	header := mail.Header{}
	for key, values := range fields {
		for _, v := range values {
			header.Add(key, v)
		}
	}
	if date, err := header.Date(); err == nil && !date.IsZero() {
		info.date = date
	}
	info.encrypted = isEncryptedType(fields.Get("Content-Type"))
	return info
}

// isEncryptedType reports OpenPGP/MIME (RFC 3156) and S/MIME enveloped
// data (RFC 8551). S/MIME without smime-type is counted as encrypted
// unless its name says it is a signature.
func isEncryptedType(contentType string) bool {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mediaType {
	case "multipart/encrypted":
		return true
	case "application/pkcs7-mime", "application/x-pkcs7-mime":
		switch strings.ToLower(params["smime-type"]) {
		case "enveloped-data", "authenveloped-data":
			return true
		case "":
			return !strings.HasSuffix(strings.ToLower(params["name"]), ".p7s")
		}
	}
	return false
}
