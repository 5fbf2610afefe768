package cache

import "time"

// Folder is one mailbox of one account with the sync state that IMAP
// needs to resume. Role is the special-use role in lower case ("inbox",
// "sent", "drafts", "trash", "archive", "junk") or empty.
type Folder struct {
	Account       string
	Name          string
	Role          string
	UIDValidity   uint32
	UIDNext       uint32
	HighestModSeq uint64
	// Total and Unread are counted by the store when folders are listed;
	// PutFolder ignores them.
	Total  int
	Unread int
}

// Message is one cached message. Account, Folder, UIDValidity, UID,
// ModSeq, Flags, Size, Date and Encrypted are stored in the clear because
// sync needs them; every other field is sealed.
type Message struct {
	ID          int64 // assigned by the store
	Account     string
	Folder      string
	UIDValidity uint32
	UID         uint32
	ModSeq      uint64
	Flags       []string
	Size        int64
	Date        time.Time
	// Encrypted reports that the message arrived OpenPGP or S/MIME
	// encrypted.
	Encrypted bool
	// Raw is the whole RFC 5322 message, or only its header section when
	// HeaderOnly is set and the body is still to be fetched.
	Raw        []byte
	HeaderOnly bool

	// prepared is set by Store.Prepare and used once by PutMessage.
	prepared *preparedMessage
}

// Summary is the content of one message list row. The store parses it from the
// message header when the message is stored.
type Summary struct {
	ID        int64
	Account   string
	Folder    string
	UID       uint32
	Flags     []string
	Size      int64
	Date      time.Time
	Encrypted bool
	MessageID string
	From      string
	To        []string
	Cc        []string
	Subject   string
	// HasAttachments is a guess from the header (multipart/mixed).
	HasAttachments bool
}

// UIDState is the clear sync state of one cached message.
type UIDState struct {
	UID        uint32
	ModSeq     uint64
	Flags      []string
	HeaderOnly bool
}

// Query selects messages for search. Zero fields do not filter. Words and
// Prefixes match whole words and word prefixes in subject, body and
// addresses.
type Query struct {
	Account   string
	Folder    string
	Words     []string
	Prefixes  []string
	From      string
	To        string
	Subject   string
	Since     time.Time
	Before    time.Time
	Encrypted *bool
	Limit     int
	Offset    int
}

// OutboxState is the stage an outgoing message has reached.
type OutboxState int

const (
	OutboxQueued OutboxState = iota
	OutboxSubmitting
	OutboxSubmitted // accepted by the server, Sent copy still to append
	OutboxDone
	OutboxFailed // permanent failure, kept for the user to see
	// OutboxUncertain is a submission cut off after the end of DATA that
	// the delivery check could not find. The server may have accepted
	// it, so only the user can send it again.
	OutboxUncertain
)

// OutboxItem is one sealed outgoing message. Raw is the exact MIME that is
// submitted; SentCopy is the encrypted copy appended to Sent.
type OutboxItem struct {
	ID          int64
	Account     string
	MessageID   string
	From        string
	Recipients  []string
	Raw         []byte
	SentCopy    []byte
	State       OutboxState
	Attempts    int
	NextAttempt time.Time
	LastError   string
	Created     time.Time
}
