package demo

import (
	"bytes"
	"fmt"
	"net"
	"strconv"

	mailaccount "securemail/account"
	"securemail/cache"
	"securemail/client"
)

// Passphrase unlocks every demo profile. It is printed in the demo
// banner, because the demo profile holds only invented data and is
// deleted when the demo ends.
const Passphrase = "demo passphrase, invented data only"

// NewProfile creates a throw-away profile in dir for the owner of s: a
// vault with Passphrase, the demo account on s's servers, the owner's
// OpenPGP key, and the contacts' public keys and certificates. The
// device secret lives in memory only (the demo needs no OS keyring) and
// key discovery is off, so the demo reaches nothing beyond 127.0.0.1.
// The client is returned unlocked.
func NewProfile(s *Server, dir string) (*client.Client, error) {
	c, err := client.Create(client.Options{
		Dir:         dir,
		Keyring:     &cache.MemoryKeyring{},
		TLSRoots:    s.RootCAs(),
		NoDiscovery: true,
	}, []byte(Passphrase), false)
	if err != nil {
		return nil, fmt.Errorf("demo: create the profile: %w", err)
	}
	if err := addAccount(c, s); err != nil {
		return nil, err
	}
	if err := importKeys(c, s.Directory); err != nil {
		return nil, err
	}
	return c, nil
}

func addAccount(c *client.Client, s *Server) error {
	imap, err := endpoint(s.IMAPAddr)
	if err != nil {
		return err
	}
	smtp, err := endpoint(s.SMTPAddr)
	if err != nil {
		return err
	}
	a := client.Account{Address: s.Directory.Owner.Address, Username: s.Username, IMAP: imap, SMTP: smtp}
	if err := c.AddAccount(a, s.Password); err != nil {
		return fmt.Errorf("demo: add the demo account: %w", err)
	}
	return nil
}

func endpoint(addr string) (mailaccount.Endpoint, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return mailaccount.Endpoint{}, fmt.Errorf("demo: server address %q: %w", addr, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return mailaccount.Endpoint{}, fmt.Errorf("demo: server port %q: %w", port, err)
	}
	return mailaccount.Endpoint{Host: host, Port: n, Security: mailaccount.ImplicitTLS}, nil
}

// importKeys imports the owner's secret OpenPGP key and every public key
// and certificate of the contacts.
//
// NOTE: the owner's S/MIME key is a PEM file and client imports S/MIME
// identities from PKCS #12 only, so the demo owner signs with OpenPGP.
func importKeys(c *client.Client, d *Directory) error {
	if d.Owner.OpenPGPSecretKey != "" {
		if err := importOpenPGP(c, d.Owner.OpenPGPSecretKey); err != nil {
			return err
		}
	}
	for _, p := range d.Contacts {
		if p.OpenPGPPublicKey != "" {
			if err := importOpenPGP(c, p.OpenPGPPublicKey); err != nil {
				return err
			}
		}
		if p.SMIMECertificate != "" {
			data, err := ReadFile(p.SMIMECertificate)
			if err != nil {
				return err
			}
			if _, err := c.ImportCertificate(data); err != nil {
				return fmt.Errorf("demo: import %s: %w", p.SMIMECertificate, err)
			}
		}
	}
	return nil
}

func importOpenPGP(c *client.Client, name string) error {
	data, err := ReadFile(name)
	if err != nil {
		return err
	}
	// The demo key files start with a comment that warns they are public
	// demo keys; the armor starts after it.
	if i := bytes.Index(data, []byte("-----BEGIN ")); i > 0 {
		data = data[i:]
	}
	if _, err := c.ImportOpenPGP(data, nil); err != nil {
		return fmt.Errorf("demo: import %s: %w", name, err)
	}
	return nil
}
