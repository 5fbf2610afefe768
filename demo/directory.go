package demo

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"securemail/assets"
)

// Person is a demo identity. The key fields are paths inside the demo
// data, read with ReadFile; empty means the person has no such key.
type Person struct {
	Name             string `json:"name"`
	Address          string `json:"address"`
	OpenPGPPublicKey string `json:"openpgp_public_key,omitempty"`
	OpenPGPSecretKey string `json:"openpgp_secret_key,omitempty"` // public demo key, no passphrase
	SMIMECertificate string `json:"smime_certificate,omitempty"`
	SMIMESecretKey   string `json:"smime_secret_key,omitempty"` // public demo key, PKCS #8 PEM
}

// Directory lists the demo clinician who owns the mailbox and her
// contacts. SMIMERoots are the CA certificates that issued the demo S/MIME
// certificates.
type Directory struct {
	Owner      Person   `json:"owner"`
	SMIMERoots []string `json:"smime_roots"`
	Contacts   []Person `json:"contacts"`
}

// SeedMessage is one embedded message of the demo INBOX.
type SeedMessage struct {
	Name string // file name, such as 01-lab-results.eml
	Raw  []byte // RFC 5322 text with CRLF line ends
}

const dataRoot = "demo"

// LoadDirectory decodes the embedded contacts.json.
func LoadDirectory() (*Directory, error) {
	data, err := ReadFile("contacts.json")
	if err != nil {
		return nil, err
	}
	var d Directory
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("parse embedded demo contacts.json: %w", err)
	}
	if d.Owner.Address == "" {
		return nil, fmt.Errorf("embedded demo contacts.json has no owner address; rerun assets/demo/generate.sh")
	}
	return &d, nil
}

// ReadFile returns an embedded demo file by its path inside the demo
// data, as named in Directory, for example "keys/demo-ca.pem".
func ReadFile(name string) ([]byte, error) {
	data, err := fs.ReadFile(assets.Demo, path.Join(dataRoot, name))
	if err != nil {
		return nil, fmt.Errorf("read embedded demo file %s: %w", name, err)
	}
	return data, nil
}

// SeedMessages returns the embedded INBOX messages in file name order.
func SeedMessages() ([]SeedMessage, error) {
	names, err := fs.Glob(assets.Demo, path.Join(dataRoot, "mail", "*.eml"))
	if err != nil {
		return nil, fmt.Errorf("list embedded demo mail: %w", err)
	}
	sort.Strings(names)
	msgs := make([]SeedMessage, 0, len(names))
	for _, name := range names {
		raw, err := fs.ReadFile(assets.Demo, name)
		if err != nil {
			return nil, fmt.Errorf("read embedded demo message %s: %w", name, err)
		}
		msgs = append(msgs, SeedMessage{Name: path.Base(name), Raw: raw})
	}
	return msgs, nil
}

// People returns the owner followed by every contact.
func (d *Directory) People() []Person {
	return append([]Person{d.Owner}, d.Contacts...)
}
