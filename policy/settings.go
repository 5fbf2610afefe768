package policy

// Settings is every setting that an organisation can manage. The JSON names
// are the setting paths used in policy documents, the schema, the Windows
// registry value names and the macOS profile keys ("encryption.required").
//
// Struct tags drive the published schema and the validator:
//   - doc: the description shown to administrators;
//   - min, max: the inclusive range of an integer;
//   - enum: the allowed values of a string (or of each string in a list),
//     separated by "|";
//   - format: an extra check on a string ("regex", "domain", "hostport",
//     "pem-certificates", "base64key", "path").
type Settings struct {
	Encryption      EncryptionSettings      `json:"encryption"`
	InternalDomains []string                `json:"internalDomains" format:"domain" doc:"Domains whose addresses count as internal in the recipient review."`
	TLS             TLSSettings             `json:"tls"`
	AccountPresets  []AccountPreset         `json:"accountPresets" doc:"Server settings offered when a user adds an account whose domain matches."`
	KeyDiscovery    KeyDiscoverySettings    `json:"keyDiscovery"`
	IdleLock        IdleLockSettings        `json:"idleLock"`
	Vault           VaultSettings           `json:"vault"`
	PHI             PHISettings             `json:"phi"`
	RecipientReview RecipientReviewSettings `json:"recipientReview"`
	RemoteContent   RemoteContentSettings   `json:"remoteContent"`
	Attachments     AttachmentSettings      `json:"attachments"`
	Audit           AuditSettings           `json:"audit"`
}

// Encryption methods a recipient may receive a message by.
const (
	MethodOpenPGP        = "openpgp"
	MethodSMIME          = "smime"
	MethodPasswordPDF    = "password-pdf"
	MethodConsentedPlain = "consented-plain"
)

// EncryptionSettings are the rules for protecting outgoing mail.
type EncryptionSettings struct {
	Required bool `json:"required" doc:"Encrypt every outgoing message. When false, a user may send a message unencrypted after confirming."`
	// AllowedMethods is tried in the order OpenPGP, S/MIME, password PDF,
	// consented plain, whatever order the document lists them in.
	AllowedMethods []string `json:"allowedMethods" enum:"openpgp|smime|password-pdf|consented-plain" doc:"Methods a recipient may receive a message by: openpgp, smime, password-pdf (a password-protected PDF copy) and consented-plain (plain mail where the patient's recorded consent covers the address)."`
}

// TLSSettings are the transport security rules for every server connection.
type TLSSettings struct {
	MinVersion   string   `json:"minVersion" enum:"1.2|1.3" doc:"Lowest TLS version accepted from mail servers and the syslog collector."`
	ExtraRootCAs []string `json:"extraRootCAs" format:"pem-certificates" doc:"PEM-encoded CA certificates trusted in addition to the system roots, for example an internal mail server's CA."`
}

// AccountPreset is the server configuration for the addresses of some
// domains, so that a user only types an address.
type AccountPreset struct {
	Name    string         `json:"name" doc:"Name shown to the user."`
	Domains []string       `json:"domains" format:"domain" doc:"Address domains this preset applies to."`
	IMAP    ServerEndpoint `json:"imap"`
	SMTP    ServerEndpoint `json:"smtp"`
	OAuth   OAuthClient    `json:"oauth"`
}

// ServerEndpoint is one mail server.
type ServerEndpoint struct {
	Host     string `json:"host" doc:"Server host name."`
	Port     int    `json:"port" min:"1" max:"65535" doc:"Server TCP port."`
	Security string `json:"security" enum:"tls|starttls" doc:"tls for implicit TLS, starttls for a STARTTLS upgrade. Plain connections are not offered."`
}

// OAuthClient is an OAuth 2.0 client registration. An empty ClientID means
// password authentication.
type OAuthClient struct {
	ClientID string   `json:"clientID" doc:"OAuth 2.0 client ID registered by the organisation; empty for password login."`
	AuthURL  string   `json:"authURL" doc:"Authorization endpoint URL."`
	TokenURL string   `json:"tokenURL" doc:"Token endpoint URL."`
	Scopes   []string `json:"scopes" doc:"Scopes to request."`
}

// KeyDiscoverySettings name the places where recipient public keys are
// looked up.
type KeyDiscoverySettings struct {
	Sources    []string     `json:"sources" enum:"wkd|keyserver|ldap|autocrypt" doc:"Where recipient keys are searched: wkd (the recipient domain's Web Key Directory), keyserver, ldap, autocrypt (headers of received mail)."`
	KeyServers []string     `json:"keyServers" doc:"HKPS key server URLs used when sources contains keyserver."`
	LDAP       LDAPSettings `json:"ldap"`
}

// LDAPSettings name the directory searched for recipients' S/MIME
// certificates when sources contains ldap. The bind password is not a
// policy setting, because policy files and registry keys are usually
// readable by every user of the machine.
type LDAPSettings struct {
	URL    string `json:"url" format:"ldap-url" doc:"Directory URL: ldaps://host[:port] for TLS from the start, or ldap://host[:port], which the client uses only after a successful StartTLS."`
	BaseDN string `json:"baseDN" format:"dn" doc:"Distinguished name below which entries are searched by their mail attribute, for example ou=people,dc=hospital,dc=example."`
	BindDN string `json:"bindDN" format:"dn" doc:"Distinguished name for a simple bind; empty means an anonymous search. The user enters the password in the client."`
}

// IdleLockSettings control the automatic logoff.
type IdleLockSettings struct {
	Minutes    int `json:"minutes" min:"1" max:"480" doc:"Minutes of inactivity after which the client locks."`
	MaxMinutes int `json:"maxMinutes" min:"1" max:"480" doc:"Largest idle lock timeout a user may choose."`
}

// VaultSettings control the local encrypted store.
type VaultSettings struct {
	Argon2 Argon2Settings `json:"argon2"`
	// PassphraseOnlyAllowed permits a vault protected by the passphrase
	// alone where no OS keyring is reachable.
	PassphraseOnlyAllowed bool `json:"passphraseOnlyAllowed" doc:"Allow a vault protected by the passphrase alone when no OS keyring is reachable."`
}

// Argon2Settings are the Argon2id cost parameters for the vault passphrase.
type Argon2Settings struct {
	MemoryKiB   int `json:"memoryKiB" min:"19456" max:"4194304" doc:"Argon2id memory cost in KiB."`
	Iterations  int `json:"iterations" min:"1" max:"64" doc:"Argon2id number of passes."`
	Parallelism int `json:"parallelism" min:"1" max:"64" doc:"Argon2id lanes."`
}

// Actions the PHI review takes for a sensitivity level.
const (
	ActionAllow   = "allow"
	ActionWarn    = "warn"
	ActionJustify = "justify"
	ActionBlock   = "block"
)

// PHISettings control the PHI review before sending.
type PHISettings struct {
	Detectors   PHIDetectors `json:"detectors"`
	MRNPatterns []string     `json:"mrnPatterns" format:"regex" doc:"Regular expressions (Go RE2 syntax) matching the organisation's medical record numbers."`
	Actions     PHIActions   `json:"actions"`
}

// PHIDetectors turn single detectors on or off.
type PHIDetectors struct {
	Identifiers bool `json:"identifiers" doc:"Detect direct identifiers: names with dates of birth, record numbers, national identifiers, phone numbers."`
	Clinical    bool `json:"clinical" doc:"Detect diagnoses, medications and procedures."`
	Sensitive   bool `json:"sensitive" doc:"Detect specially protected categories: mental health, substance use, HIV, reproductive and genetic information."`
	Attachments bool `json:"attachments" doc:"Scan attachments as well as subject and body."`
}

// PHIActions is the action per sensitivity level of a finding.
type PHIActions struct {
	Low      string `json:"low" enum:"allow|warn|justify|block" doc:"Action for low-sensitivity findings."`
	Moderate string `json:"moderate" enum:"allow|warn|justify|block" doc:"Action for moderate-sensitivity findings."`
	High     string `json:"high" enum:"allow|warn|justify|block" doc:"Action for high-sensitivity findings."`
}

// RecipientReviewSettings control the recipient review before sending.
type RecipientReviewSettings struct {
	Lookalike string `json:"lookalike" enum:"block|warn" doc:"What to do when a recipient domain looks like an internal or known domain."`
	// ManyExternalThreshold is the number of external recipients from
	// which the review requests an extra confirmation.
	ManyExternalThreshold int `json:"manyExternalThreshold" min:"1" max:"1000" doc:"Number of external recipients from which the review requests an extra confirmation."`
}

// RemoteContentSettings control loading of remote images and styles.
type RemoteContentSettings struct {
	Allowed bool `json:"allowed" doc:"Allow a user to load remote content in a message. Remote content is never loaded without a click."`
}

// AttachmentSettings control saving received attachments to disk.
type AttachmentSettings struct {
	Save              string   `json:"save" enum:"allow|ask|block" doc:"allow saves without a prompt, ask warns that the saved copy is unencrypted, block disables saving."`
	BlockedExtensions []string `json:"blockedExtensions" doc:"File name extensions, with the dot, that are never saved or opened."`
}

// AuditSettings control retention and forwarding of the audit trail.
type AuditSettings struct {
	RetentionDays int                `json:"retentionDays" min:"1" max:"36500" doc:"Days an audit entry is kept before it is pruned."`
	Forwarding    ForwardingSettings `json:"forwarding"`
}

// Forwarding targets of the audit trail.
const (
	ForwardNone   = "none"
	ForwardSyslog = "syslog"
	ForwardFile   = "file"
)

// ForwardingSettings name where pseudonymised audit entries are sent.
type ForwardingSettings struct {
	Target        string `json:"target" enum:"none|syslog|file" doc:"none, syslog (RFC 5424 over TLS) or file (JSON Lines)."`
	SyslogAddress string `json:"syslogAddress" format:"hostport" doc:"Collector host:port for syslog over TLS."`
	SyslogCA      string `json:"syslogCA" format:"pem-certificates" doc:"PEM CA certificates that verify the collector; empty means the system roots."`
	FilePath      string `json:"filePath" format:"path" doc:"Absolute path of the JSON Lines file."`
	// PseudonymKey is the organisation's key for address and Message-ID
	// pseudonyms. It is base64 and at least 32 bytes long.
	PseudonymKey string `json:"pseudonymKey" format:"base64key" doc:"Base64 key of at least 32 bytes under which addresses and Message-IDs are replaced by HMAC-SHA256 pseudonyms. The organisation recomputes them to resolve an entry."`
}

// Defaults returns the built-in settings, the strictest useful values.
// Every message is encrypted by OpenPGP or S/MIME only, over TLS 1.2 or
// later. No key server is asked, the client locks after 5 idle minutes,
// and Argon2id uses 64 MiB, 3 passes and 4 lanes. There is no
// passphrase-only vault, every PHI detector is on, lookalike domains are
// blocked, remote content is off, and saving an attachment needs a
// confirmation. Audit entries are kept for 2,190 days, the six years for
// which HIPAA requires documentation to be retained (45 CFR 164.316).
func Defaults() Settings {
	return Settings{
		Encryption: EncryptionSettings{
			Required:       true,
			AllowedMethods: []string{MethodOpenPGP, MethodSMIME},
		},
		InternalDomains: []string{},
		TLS:             TLSSettings{MinVersion: "1.2", ExtraRootCAs: []string{}},
		AccountPresets:  []AccountPreset{},
		KeyDiscovery:    KeyDiscoverySettings{Sources: []string{"wkd", "autocrypt"}, KeyServers: []string{}},
		IdleLock:        IdleLockSettings{Minutes: 5, MaxMinutes: 15},
		Vault: VaultSettings{
			Argon2: Argon2Settings{MemoryKiB: 65536, Iterations: 3, Parallelism: 4},
		},
		PHI: PHISettings{
			Detectors:   PHIDetectors{Identifiers: true, Clinical: true, Sensitive: true, Attachments: true},
			MRNPatterns: []string{},
			// Patient identifiers in an encrypted message to a colleague
			// are the clinical routine this client exists for, so by
			// default they need a confirmation or a justification, not a
			// ban. IT can set block per level and lock it.
			Actions: PHIActions{Low: ActionWarn, Moderate: ActionWarn, High: ActionJustify},
		},
		RecipientReview: RecipientReviewSettings{Lookalike: "block", ManyExternalThreshold: 5},
		Attachments: AttachmentSettings{
			Save:              "ask",
			BlockedExtensions: []string{".exe", ".bat", ".cmd", ".com", ".js", ".vbs", ".scr", ".msi", ".ps1"},
		},
		Audit: AuditSettings{
			RetentionDays: 2190,
			Forwarding:    ForwardingSettings{Target: ForwardNone},
		},
	}
}
