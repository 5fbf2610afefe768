package client

import (
	"bufio"
	"bytes"
	"net/mail"
	"net/textproto"
	"strings"
)

// addrSpec returns the lower-case addr-spec of s, which may carry a
// display name, or "" when s is not an address.
func addrSpec(s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return ""
	}
	return strings.ToLower(a.Address)
}

// headerField returns the first value of the header field name in the
// header section of msg, or "" when there is none or the section does
// not parse.
func headerField(msg []byte, name string) string {
	end := bytes.Index(msg, []byte("\r\n\r\n"))
	if end < 0 {
		return ""
	}
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(msg[:end+4]))).ReadMIMEHeader()
	if err != nil {
		return ""
	}
	return h.Get(name)
}
