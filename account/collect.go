package account

import (
	"fmt"
	"io"

	"github.com/emersion/go-imap/v2/imapclient"
)

// collectMessage reads one FETCH response into a buffer. It replaces
// FetchMessageData.Collect because, in go-imap v2.0.0-beta.8, Collect
// reads a literal again after a read error while the client's reader
// goroutine already continues on the same stream (a data race). Here a
// failed literal read returns broken = true: the caller must then close
// the client and not touch the command again.
func collectMessage(msg *imapclient.FetchMessageData) (buf *imapclient.FetchMessageBuffer, broken bool, err error) {
	buf = &imapclient.FetchMessageBuffer{SeqNum: msg.SeqNum}
	for {
		item := msg.Next()
		if item == nil {
			return buf, false, nil
		}
		switch item := item.(type) {
		case imapclient.FetchItemDataBodySection:
			var b []byte
			if item.Literal != nil {
				b, err = io.ReadAll(item.Literal)
				if err != nil {
					return nil, true, fmt.Errorf("reading message data failed: %w", err)
				}
				// A connection cut inside the literal can end it with a
				// plain EOF, which ReadAll takes for its end: the message
				// would be stored cut short.
				if int64(len(b)) != item.Literal.Size() {
					return nil, true, fmt.Errorf("reading message data failed: got %d of %d bytes: %w",
						len(b), item.Literal.Size(), io.ErrUnexpectedEOF)
				}
			}
			buf.BodySection = append(buf.BodySection, imapclient.FetchBodySectionBuffer{Section: item.Section, Bytes: b})
		case imapclient.FetchItemDataFlags:
			buf.Flags = item.Flags
		case imapclient.FetchItemDataInternalDate:
			buf.InternalDate = item.Time
		case imapclient.FetchItemDataRFC822Size:
			buf.RFC822Size = item.Size
		case imapclient.FetchItemDataUID:
			buf.UID = item.UID
		case imapclient.FetchItemDataModSeq:
			buf.ModSeq = item.ModSeq
		}
	}
}
